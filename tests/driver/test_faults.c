/*
 * Memory faults from the device up: nc_dev_arm_fault() strikes a fault at a
 * chosen cycle of one unit's work, and every layer above must turn it into
 * a clean error naming the device's code, unit and instruction (or, when it
 * comes after the last memory access, a correct result), then recover.
 * The model runs every case; the RTL and lockstep cases skip in a build
 * without the RTL. The CLI's side of it is tests/cli/test_cli_faults.c.
 */
#include "neocog/accel.h"
#include "neocog/check.h"
#include "neocog/drv.h"
#include "neocog/plan.h"
#include "testkit/seed_data.h"
#include "tests/common.h"

/* --- the trigger's grammar and its checks -------------------------------- */

Test(dev_fault, parse) {
  static const struct {
    const char *s;
    nc_fault_t fault;
    uint32_t unit;
    uint64_t after;
  } ok[] = {
      {"slverr", NC_FAULT_SLVERR, NC_HW_UNIT_NONE, 0},
      {"hang", NC_FAULT_HANG, NC_HW_UNIT_NONE, 0},
      {"slverr@load:17", NC_FAULT_SLVERR, NC_HW_UNIT_LOAD, 17},
      {"hang@compute:0x10", NC_FAULT_HANG, NC_HW_UNIT_COMPUTE, 16},
      {"slverr@store:3", NC_FAULT_SLVERR, NC_HW_UNIT_STORE, 3},
      {"hang@cycle:1000", NC_FAULT_HANG, NC_HW_UNIT_NONE, 1000},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    nc_dev_fault_at_t f;
    cr_assert_eq(nc_dev_fault_parse(ok[i].s, &f), NC_OK, "%s: %s", ok[i].s,
                 nc_error_detail());
    cr_expect(f.fault == ok[i].fault && f.unit == ok[i].unit &&
                  f.after == ok[i].after,
              "%s", ok[i].s);
  }
  static const char *const bad[] = {"",
                                    "none",
                                    "SLVERR",
                                    "slverr@",
                                    "slverr@load",
                                    "slverr@load:",
                                    "slverr@load:-1",
                                    "slverr@fetch:3",
                                    "hang@store:1x",
                                    "slverr@store:99999999999999999999",
                                    "hang@load:1:2",
                                    "slverr load:1",
                                    "hang\033[1m"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    nc_dev_fault_at_t f = {NC_FAULT_HANG, 9, 9};
    cr_expect_eq(nc_dev_fault_parse(bad[i], &f), NC_ERR_INVALID_ARG, "'%s'",
                 bad[i]);
    cr_expect(f.unit == 9 && f.after == 9, "'%s': output written", bad[i]);
    for (const char *p = nc_error_detail(); *p; p++) {
      cr_expect((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                "'%s': raw byte in the detail", bad[i]);
    }
  }
}

Test(dev_fault, arm_checks_its_arguments) {
  nc_dev_t *d = NULL;
  cr_assert_eq(nc_dev_open("model", NULL, &d), NC_OK);
  nc_dev_fault_at_t f = {NC_FAULT_COUNT, NC_HW_UNIT_NONE, 0};
  cr_expect_eq(nc_dev_arm_fault(d, &f), NC_ERR_INVALID_ARG);
  f = (nc_dev_fault_at_t){NC_FAULT_SLVERR, NC_HW_UNIT_FETCH, 0};
  cr_expect_eq(nc_dev_arm_fault(d, &f), NC_ERR_INVALID_ARG,
               "fetch has no busy counter");
  f.unit = NC_HW_UNIT_LOAD;
  cr_expect_eq(nc_dev_arm_fault(NULL, &f), NC_ERR_INVALID_ARG);
  cr_expect_eq(nc_dev_arm_fault(d, &f), NC_OK);
  cr_expect_eq(nc_dev_arm_fault(d, NULL), NC_OK, "disarm");
  nc_dev_close(d);
}

/* --- one layer, planned, on a device -------------------------------------- */

/* The lecture's convolution (one tile, 10 instructions) or, `big`, a layer
 * of several tiles with streamed weights (about 400 instructions), with the
 * input of that test's seed. */
typedef struct {
  nc_layer_t l;
  nc_tensor_t x, w, b;
} lay_t;

static void lay_make_(lay_t *y, int big, nc_rng_t *rng) {
  if (!big) {
    nc_seed_example_tensors(NC_DTYPE_INT8, &y->x, &y->w, &y->b);
    nc_layer_init(&y->l, NC_LAYER_CONV2D);
    y->l.stride_h = y->l.stride_w = 2;
    y->l.pad_mode = NC_PAD_EXPLICIT;
    y->l.pad_top = y->l.pad_bottom = y->l.pad_left = y->l.pad_right = 1;
    return;
  }
  const int64_t xs[4] = {1, 24, 24, 32}, ws[4] = {48, 3, 3, 32}, bs = 48;
  nc_test_alloc(&y->x, NC_DTYPE_INT8, 4, xs);
  nc_test_alloc(&y->w, NC_DTYPE_INT8, 4, ws);
  nc_test_alloc(&y->b, NC_DTYPE_INT32, 1, &bs);
  nc_rng_fill(rng, &y->x, -128, 127);
  nc_rng_fill(rng, &y->w, -127, 127);
  nc_rng_fill(rng, &y->b, -1000, 1000);
  nc_layer_init(&y->l, NC_LAYER_CONV2D);
  y->l.pad_mode = NC_PAD_EXPLICIT;
  y->l.pad_top = y->l.pad_bottom = y->l.pad_left = y->l.pad_right = 1;
  cr_assert_eq(nc_requant_init(&y->l.rq, NC_DTYPE_INT8, 0.001, 0), NC_OK);
}

static void lay_free_(lay_t *y) {
  nc_tensor_free(&y->x);
  nc_tensor_free(&y->w);
  nc_tensor_free(&y->b);
}

static nc_accel_t *open_or_skip_(const char *backend,
                                 const nc_accel_options_t *o) {
  nc_accel_t *a = NULL;
  const nc_status_t st = nc_accel_open(backend, o, &a);
  if (st == NC_ERR_UNSUPPORTED) {
    cr_skip_test("%s: %s", backend, nc_error_detail());
  }
  cr_assert_eq(st, NC_OK, "%s: %s", backend, nc_error_detail());
  return a;
}

/* Runs the layer once with `f` armed. On failure: returns the status, with
 * the output left empty. On success: the result must be golden's. */
static nc_status_t run_faulted_(const char *backend, const lay_t *y,
                                const nc_dev_fault_at_t *f, uint32_t watchdog,
                                uint64_t timeout_ms, nc_accel_stats_t *s) {
  nc_accel_options_t o;
  nc_accel_options_default(&o);
  o.fault = *f;
  o.watchdog_cycles = watchdog;
  o.timeout_ms = timeout_ms;
  nc_accel_t *a = open_or_skip_(backend, &o);
  nc_plan_req_t req = {&y->l, &y->x, &y->w, &y->b, NULL, NULL, NULL};
  nc_tensor_t out;
  const nc_status_t st = nc_accel_run(a, &req, &out, s);
  if (st != NC_OK) {
    cr_expect_null(out.data, "a failed run leaves no output");
  } else {
    nc_check_report_t rep;
    cr_expect_eq(nc_check_layer(&y->l, &y->x, &y->w, &y->b, &out, 0, &rep),
                 NC_OK, "a run the fault did not stop must be right");
    nc_tensor_free(&out);
  }
  nc_accel_close(a);
  return st;
}

/* The opcode of instruction `k` of the layer's planned stream. */
static uint32_t opcode_at_(const lay_t *y, uint64_t k) {
  nc_plan_req_t req = {&y->l, &y->x, &y->w, &y->b, NULL, NULL, NULL};
  nc_plan_t *p = NULL;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_OK);
  const size_t n = nc_plan_insn_count(p);
  cr_assert_lt(k, n);
  uint8_t *b = malloc(n * NC_HW_INSN_BYTES);
  cr_assert_not_null(b);
  cr_assert_eq(nc_plan_emit(p, 0, b, n * NC_HW_INSN_BYTES), NC_OK);
  nc_hw_insn_t in;
  nc_hw_words_from_bytes(b + k * NC_HW_INSN_BYTES, NC_HW_INSN_WORDS, in.w);
  free(b);
  nc_plan_free(p);
  return nc_hw_insn_get_opcode(&in);
}

/* The instruction a device error names, from its detail. */
static uint64_t failing_insn_(void) {
  const char *at = strstr(nc_error_detail(), "at instruction ");
  cr_assert_not_null(at, "%s", nc_error_detail());
  return strtoull(at + strlen("at instruction "), NULL, 10);
}

/* A memory error at a random busy cycle of each unit: the run fails with
 * dma_bus named, or (struck after the last access that mattered) gives
 * golden's result; never anything else. */
static void random_slverr_(const char *backend, int big, int per_unit,
                           const char *name) {
  nc_rng_t rng;
  nc_test_seed(&rng, "faults", name, 11);
  lay_t y;
  lay_make_(&y, big, &rng);
  const nc_dev_fault_at_t none = {NC_FAULT_NONE, NC_HW_UNIT_NONE, 0};
  nc_accel_stats_t s;
  cr_assert_eq(
      run_faulted_(backend, &y, &none, NC_HW_CSR_WATCHDOG_RESVAL, 60000, &s),
      NC_OK, "%s", nc_error_detail());
  const uint32_t units[3] = {NC_HW_UNIT_LOAD, NC_HW_UNIT_COMPUTE,
                             NC_HW_UNIT_STORE};
  const uint64_t busy[3] = {s.load_busy, s.compute_busy, s.store_busy};
  int failed = 0;
  for (int u = 0; u < 3; u++) {
    cr_assert_gt(busy[u], 4, "%s unit idle", nc_hw_unit_name(units[u]));
    for (int k = 0; k < per_unit; k++) {
      const nc_dev_fault_at_t f = {
          NC_FAULT_SLVERR, units[u],
          (uint64_t)nc_rng_range(&rng, 1, (int64_t)busy[u])};
      const nc_status_t st =
          run_faulted_(backend, &y, &f, NC_HW_CSR_WATCHDOG_RESVAL, 60000, &s);
      if (st == NC_OK) {
        cr_expect(s.fault_struck, "slverr@%s:%llu neither struck nor failed",
                  nc_hw_unit_name(units[u]), (unsigned long long)f.after);
        continue;
      }
      failed++;
      cr_expect_eq(st, NC_ERR_DEVICE, "slverr@%s:%llu: %s",
                   nc_hw_unit_name(units[u]), (unsigned long long)f.after,
                   nc_error_detail());
      cr_expect(strstr(nc_error_detail(), "device error dma_bus in ") != NULL,
                "slverr@%s:%llu: %s", nc_hw_unit_name(units[u]),
                (unsigned long long)f.after, nc_error_detail());
    }
  }
  cr_expect_gt(failed, per_unit, "most faults must fail the run");
  lay_free_(&y);
}

Test(faults, random_slverr_in_each_phase_model) {
  random_slverr_("model", 1, 6, "random_slverr_in_each_phase_model");
}

Test(faults, random_slverr_in_each_phase_rtl, .timeout = 300) {
  random_slverr_("rtl", 0, 3, "random_slverr_in_each_phase_rtl");
}

/* On nc_top, a fault that strikes between the GEMMs and the STORE fails
 * the STORE's write: dma_bus in the store unit, at the STORE. */
Test(faults, store_write_error_rtl, .timeout = 120) {
  lay_t y;
  nc_rng_t rng;
  nc_rng_seed(&rng, 1);
  lay_make_(&y, 0, &rng);
  const nc_dev_fault_at_t f = {NC_FAULT_SLVERR, NC_HW_UNIT_COMPUTE, 20};
  nc_accel_stats_t s;
  cr_assert_eq(
      run_faulted_("rtl", &y, &f, NC_HW_CSR_WATCHDOG_RESVAL, 60000, &s),
      NC_ERR_DEVICE);
  cr_expect(
      strstr(nc_error_detail(), "device error dma_bus in store unit") != NULL,
      "%s", nc_error_detail());
  cr_expect_eq(opcode_at_(&y, failing_insn_()), NC_HW_OP_STORE, "%s",
               nc_error_detail());
  lay_free_(&y);
}

/* A memory that stops answering: the watchdog stops the device and says
 * so; with the watchdog off, the wall-clock timeout does. */
Test(faults, hang_watchdog_then_timeout, .timeout = 120) {
  lay_t y;
  nc_rng_t rng;
  nc_rng_seed(&rng, 2);
  lay_make_(&y, 1, &rng);
  const nc_dev_fault_at_t f = {NC_FAULT_HANG, NC_HW_UNIT_LOAD, 100};
  nc_accel_stats_t s;
  cr_expect_eq(run_faulted_("model", &y, &f, 5000, 60000, &s), NC_ERR_DEVICE);
  cr_expect(strstr(nc_error_detail(), "device error watchdog in ") != NULL,
            "%s", nc_error_detail());
  cr_expect_eq(run_faulted_("model", &y, &f, 0, 300, &s), NC_ERR_TIMEOUT);
  cr_expect(strstr(nc_error_detail(), "did not finish within 300 ms") != NULL,
            "%s", nc_error_detail());
  lay_free_(&y);
}

/* Lockstep with the RTL's memory hung mid-run: the RTL's watchdog fires,
 * the model finishes, and the comparison reports both, without hanging. */
Test(faults, lockstep_with_a_hung_memory, .timeout = 120) {
  lay_t y;
  nc_rng_t rng;
  nc_rng_seed(&rng, 3);
  lay_make_(&y, 0, &rng);
  const nc_dev_fault_at_t f = {NC_FAULT_HANG, NC_HW_UNIT_LOAD, 10};
  nc_accel_stats_t s;
  cr_assert_eq(run_faulted_("lockstep", &y, &f, 4000, 60000, &s),
               NC_ERR_MISMATCH, "%s", nc_error_detail());
  const char *d = nc_error_detail();
  cr_expect(strstr(d, "lockstep: STATUS") != NULL &&
                strstr(d, "on the rtl (error watchdog in") != NULL &&
                strstr(d, "on the model (done)") != NULL,
            "%s", d);
  lay_free_(&y);
}

/* A trigger the run never reaches: the run is clean and says so. */
Test(faults, trigger_not_reached) {
  lay_t y;
  nc_rng_t rng;
  nc_rng_seed(&rng, 4);
  lay_make_(&y, 0, &rng);
  const nc_dev_fault_at_t f = {NC_FAULT_SLVERR, NC_HW_UNIT_STORE, 1u << 30};
  nc_accel_stats_t s;
  cr_expect_eq(
      run_faulted_("model", &y, &f, NC_HW_CSR_WATCHDOG_RESVAL, 60000, &s),
      NC_OK, "%s", nc_error_detail());
  cr_expect_eq(s.fault_struck, 0);
  lay_free_(&y);
}

/* The driver arms a fault for one submission: it strikes, the device
 * recovers, and the next submission on the same device (memory healed)
 * is right. */
Test(faults, one_submission_then_healed) {
  lay_t y;
  nc_rng_t rng;
  nc_rng_seed(&rng, 5);
  lay_make_(&y, 0, &rng);
  nc_plan_req_t req = {&y.l, &y.x, &y.w, &y.b, NULL, NULL, NULL};
  nc_plan_t *p = NULL;
  cr_assert_eq(nc_plan_create(&req, NULL, &p), NC_OK);
  const nc_plan_info_t *info = nc_plan_info(p);
  nc_dev_options_t o;
  nc_dev_options_default(&o);
  o.window_bytes = 1 << 20;
  nc_dev_t *d = NULL;
  cr_assert_eq(nc_dev_open("model", &o, &d), NC_OK);
  nc_dev_buf_t buf;
  cr_assert_eq(nc_dev_alloc(d, info->arena_bytes, 64, &buf), NC_OK);
  const size_t n = nc_plan_insn_count(p);
  uint8_t *prog = malloc(n * NC_HW_INSN_BYTES);
  const nc_plan_region_t rc = nc_plan_const_region(p),
                         ri = nc_plan_input_region(p),
                         ro = nc_plan_output_region(p);
  uint8_t *in = malloc((size_t)ri.bytes), *ob = malloc((size_t)ro.bytes);
  cr_assert(prog && in && ob);
  cr_assert_eq(nc_plan_emit(p, buf.offset, prog, n * NC_HW_INSN_BYTES), NC_OK);
  cr_assert_eq(nc_plan_pack_input(p, &y.x, in, (size_t)ri.bytes), NC_OK);
  cr_assert_eq(
      nc_dev_write(d, &buf, rc.offset, nc_plan_const_data(p), (size_t)rc.bytes),
      NC_OK);
  cr_assert_eq(nc_dev_write(d, &buf, ri.offset, in, (size_t)ri.bytes), NC_OK);
  const nc_dev_fault_at_t f = {NC_FAULT_SLVERR, NC_HW_UNIT_NONE, 50};
  cr_assert_eq(nc_dev_arm_fault(d, &f), NC_OK);
  cr_assert_eq(nc_dev_submit(d, prog, n), NC_OK);
  cr_expect_eq(nc_dev_arm_fault(d, NULL), NC_ERR_INVALID_ARG,
               "refused while in flight");
  nc_dev_result_t res;
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_ERR_DEVICE);
  cr_expect(res.fault_struck);
  cr_expect_eq(res.err_code, NC_HW_ERR_DMA_BUS, "%s", nc_error_detail());
  cr_expect_neq(res.insn_index, NC_DEV_NO_INSN);
  /* Not armed again: the same submission runs clean and right. */
  cr_assert_eq(nc_dev_submit(d, prog, n), NC_OK);
  cr_assert_eq(nc_dev_wait(d, 60000, &res), NC_OK, "%s", nc_error_detail());
  cr_expect_eq(res.fault_struck, 0);
  cr_assert_eq(nc_dev_read(d, &buf, ro.offset, ob, (size_t)ro.bytes), NC_OK);
  nc_tensor_t out;
  cr_assert_eq(nc_plan_unpack_output(p, ob, (size_t)ro.bytes, &out), NC_OK);
  nc_check_report_t rep;
  cr_expect_eq(nc_check_layer(&y.l, &y.x, &y.w, &y.b, &out, 0, &rep), NC_OK);
  nc_tensor_free(&out);
  free(prog);
  free(in);
  free(ob);
  nc_plan_free(p);
  nc_dev_close(d);
  lay_free_(&y);
}
