/*
 * The CLI on the accelerator backends: --backend model/rtl for `layer` and
 * `run`, the --stats fields, the --timeline trace (parsed as JSON here), and
 * the mismatch report (a test hook corrupts one output byte).
 */
#include <ctype.h>

#include "tests/cli_run.h"
#include "tests/common.h"
#include "tests/plan/plan_test.h"

/* ---- A minimal JSON checker: syntax, and a count of some strings ---- */

typedef struct {
  const char *p;
  int ok;
  int depth;
} js_t;

static void js_ws_(js_t *j) {
  while (isspace((unsigned char)*j->p)) {
    j->p++;
  }
}

static void js_value_(js_t *j);

static void js_string_(js_t *j) {
  if (*j->p != '"') {
    j->ok = 0;
    return;
  }
  j->p++;
  while (*j->p && *j->p != '"') {
    if ((unsigned char)*j->p < 0x20) {
      j->ok = 0;
      return;
    }
    j->p += *j->p == '\\' ? 2 : 1;
  }
  if (*j->p != '"') {
    j->ok = 0;
    return;
  }
  j->p++;
}

static void js_number_(js_t *j) {
  const char *s = j->p;
  if (*j->p == '-') {
    j->p++;
  }
  while (isdigit((unsigned char)*j->p) || *j->p == '.' || *j->p == 'e' ||
         *j->p == 'E' || *j->p == '+' || *j->p == '-') {
    j->p++;
  }
  j->ok &= j->p > s;
}

static void js_seq_(js_t *j, char close, int object) {
  j->p++;
  js_ws_(j);
  if (*j->p == close) {
    j->p++;
    return;
  }
  while (j->ok) {
    js_ws_(j);
    if (object) {
      js_string_(j);
      js_ws_(j);
      if (*j->p != ':') {
        j->ok = 0;
        return;
      }
      j->p++;
    }
    js_value_(j);
    js_ws_(j);
    if (*j->p == ',') {
      j->p++;
      continue;
    }
    if (*j->p == close) {
      j->p++;
      return;
    }
    j->ok = 0;
  }
}

static void js_value_(js_t *j) {
  js_ws_(j);
  if (++j->depth > 64) {
    j->ok = 0;
    return;
  }
  switch (*j->p) {
    case '{':
      js_seq_(j, '}', 1);
      break;
    case '[':
      js_seq_(j, ']', 0);
      break;
    case '"':
      js_string_(j);
      break;
    case 't':
      j->ok &= strncmp(j->p, "true", 4) == 0;
      j->p += 4;
      break;
    case 'f':
      j->ok &= strncmp(j->p, "false", 5) == 0;
      j->p += 5;
      break;
    case 'n':
      j->ok &= strncmp(j->p, "null", 4) == 0;
      j->p += 4;
      break;
    default:
      js_number_(j);
  }
  j->depth--;
}

static int json_valid_(const char *text) {
  js_t j = {text, 1, 0};
  js_value_(&j);
  js_ws_(&j);
  return j.ok && *j.p == '\0';
}

static int count_(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++) {
    n++;
  }
  return n;
}

static char *read_all_(const char *path) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "%s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  cr_assert_not_null(b);
  cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = '\0';
  fclose(f);
  return b;
}

/* ---- Tests ---- */

static void layer_lecture_(const char *backend) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], b[256], y[256], s[256], t[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "b.npy", b);
  path_(&r, "y.npy", y);
  path_(&r, "s.json", s);
  path_(&r, "t.json", t);
  const char *args[] = {
      "layer",      "conv2d", "--input",  x,   "--weights", w,
      "--bias",     b,        "--stride", "2", "--pad",     "1",
      "--backend",  backend,  "--output", y,   "--stats",   s,
      "--timeline", t,        NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "cycles (predicted") != NULL, "%s", r.out);
  nc_tensor_t out;
  cr_assert_eq(nc_tensor_load_npy(y, &out), NC_OK);
  for (int i = 0; i < 9; i++) {
    cr_assert_eq(((int32_t *)out.data)[2 * i], nc_seed_out0[i]);
    cr_assert_eq(((int32_t *)out.data)[2 * i + 1], nc_seed_out1[i]);
  }
  nc_tensor_free(&out);
  char *js = read_all_(s);
  cr_assert(json_valid_(js), "--stats is not JSON:\n%s", js);
  static const char *const keys[] = {"\"cycles\"",
                                     "\"macs\"",
                                     "\"pe_utilization\"",
                                     "\"predicted_cycles\"",
                                     "\"dram_bytes_read\"",
                                     "\"dram_bytes_written\"",
                                     "\"load\": {\"busy\"",
                                     "\"compute\": {\"busy\"",
                                     "\"store\": {\"busy\"",
                                     "\"stall\"",
                                     "\"plan\""};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    cr_assert(strstr(js, keys[k]) != NULL, "--stats lacks %s:\n%s", keys[k],
              js);
  }
  const char *ip = strstr(js, "\"instructions\": ");
  cr_assert_not_null(ip);
  const int insns = atoi(ip + strlen("\"instructions\": "));
  free(js);
  char *tl = read_all_(t);
  cr_assert(json_valid_(tl), "--timeline is not JSON");
  cr_assert(strstr(tl, "\"traceEvents\"") != NULL);
  /* The device's own events: the RTL's through its trace port. */
  const char *src = strcmp(backend, "model") == 0
                        ? "\"source\": \"functional model retirement trace"
                        : "\"source\": \"RTL retirement trace (measured";
  cr_assert(strstr(tl, src) != NULL, "%s: want %s in\n%.300s", backend, src,
            tl);
  cr_assert_gt(count_(tl, "\"cat\": \"load\""), 0, "no load events");
  cr_assert_gt(count_(tl, "\"cat\": \"compute\""), 0, "no compute events");
  cr_assert_gt(count_(tl, "\"cat\": \"store\""), 0, "no store events");
  cr_assert_eq(count_(tl, "\"args\": {\"insn\""), insns,
               "one event per retired instruction");
  free(tl);
  cleanup_(&r);
}

Test(plan_cli, layer_model_stats_and_timeline) {
  layer_lecture_("model");
}

Test(plan_cli, layer_rtl_stats_and_timeline) {
  if (plan_backend_or_skip("rtl")) {
    layer_lecture_("rtl");
  }
}

/* lockstep: the planned stream runs on the RTL and the functional model at
 * once and the driver compares every submission (status, error registers,
 * counters, window bytes); any disagreement fails the run. */
Test(plan_cli, layer_lockstep_stats_and_timeline) {
  if (plan_backend_or_skip("lockstep")) {
    layer_lecture_("lockstep");
  }
}

static void convnet_(const char *backend) {
  run_t r;
  tmpdir_(&r);
  char ym[256], yc[256], s[256], t[256];
  path_(&r, "ym.npy", ym);
  path_(&r, "yc.npy", yc);
  path_(&r, "s.json", s);
  path_(&r, "t.json", t);
  const char *acc[] = {"run",        "nets/convnet.net",
                       "--seed",     "1",
                       "--backend",  backend,
                       "--output",   ym,
                       "--stats",    s,
                       "--timeline", t,
                       NULL};
  run_(&r, acc);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.out, "every layer matches golden") != NULL, "%s", r.out);
  cr_assert(strstr(r.out, "fused into conv1") != NULL, "%s", r.out);
  const char *cpu[] = {"run", "nets/convnet.net", "--seed", "1", "--output",
                       yc,    "--quiet",          NULL};
  run_(&r, cpu);
  cr_assert_eq(r.status, 0, "%s", r.err);
  nc_tensor_t a, b;
  cr_assert_eq(nc_tensor_load_npy(ym, &a), NC_OK);
  cr_assert_eq(nc_tensor_load_npy(yc, &b), NC_OK);
  cr_assert_eq(a.nbytes, b.nbytes);
  cr_assert_eq(memcmp(a.data, b.data, a.nbytes), 0,
               "%s output differs from cpu", backend);
  nc_tensor_free(&a);
  nc_tensor_free(&b);
  char *js = read_all_(s);
  cr_assert(json_valid_(js), "--stats is not JSON:\n%s", js);
  cr_assert(strstr(js, "\"fused_into\": \"conv1\"") != NULL, "%s", js);
  cr_assert_eq(count_(js, "\"pe_utilization\""), 3, "2 layers + total");
  free(js);
  char *tl = read_all_(t);
  cr_assert(json_valid_(tl), "--timeline is not JSON");
  cr_assert_eq(count_(tl, "\"cat\": \"layer\""), 2, "conv1+pool1, conv2");
  free(tl);
  cleanup_(&r);
}

Test(plan_cli, run_convnet_model_matches_cpu) {
  convnet_("model");
}

Test(plan_cli, run_convnet_rtl_matches_cpu) {
  if (plan_backend_or_skip("rtl")) {
    convnet_("rtl");
  }
}

Test(plan_cli, run_convnet_lockstep_matches_cpu) {
  if (plan_backend_or_skip("lockstep")) {
    convnet_("lockstep");
  }
}

/* A corrupted output byte is reported with layer, tile, NHWC coordinate,
 * expected and actual values, and exit status 1. */
Test(plan_cli, mismatch_report) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], b[256], y[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "b.npy", b);
  path_(&r, "y.npy", y);
  /* Byte 4 * 7: output element 7 = [0, 1, 0, 1] of the int32 output. */
  setenv("NEOCOG_TEST_CORRUPT_OUTPUT", "28", 1);
  const char *args[] = {"layer", "conv2d", "--input",   x,          "--weights",
                        w,       "--bias", b,           "--stride", "2",
                        "--pad", "1",      "--backend", "model",    "--output",
                        y,       NULL};
  run_(&r, args);
  unsetenv("NEOCOG_TEST_CORRUPT_OUTPUT");
  cr_assert_eq(r.status, 1, "%s", r.err);
  cr_assert(strstr(r.err,
                   "conv2d on model: mismatch against golden at NHWC "
                   "[0, 1, 0, 1]: expected -5") != NULL,
            "%s", r.err);
  cr_assert(strstr(r.err, ", got ") != NULL, "%s", r.err);
  cr_assert(
      strstr(r.err, "tile 1 of 1: output rows 0..2, columns 0..2") != NULL,
      "%s", r.err);
  FILE *f = fopen(y, "rb");
  cr_assert_null(f, "no output file on a mismatch");
  cleanup_(&r);
}

Test(plan_cli, accelerator_refusals_are_clear) {
  run_t r;
  tmpdir_(&r);
  char y[256];
  path_(&r, "y.npy", y);
  /* float32 is not for the accelerator. */
  const char *fp[] = {"run",       "nets/convnet_fp32.net",
                      "--seed",    "1",
                      "--backend", "model",
                      "--output",  y,
                      NULL};
  run_(&r, fp);
  cr_assert_eq(r.status, 1);
  cr_assert(strstr(r.err, "float32") != NULL, "%s", r.err);
  /* --timeline needs the accelerator. */
  const char *tl[] = {"run", "nets/convnet.net", "--seed", "1", "--output",
                      y,     "--timeline",       "t.json", NULL};
  run_(&r, tl);
  cr_assert_eq(r.status, 2, "%s", r.err);
  cr_assert(strstr(r.err, "--timeline needs --backend model or rtl") != NULL,
            "%s", r.err);
  /* On a library built without the RTL the rtl backend says so. */
  const char *rtl[] = {"run", "nets/convnet.net", "--seed", "1", "--backend",
                       "rtl", "--output",         y,        NULL};
  run_(&r, rtl);
  nc_dev_t *d = NULL;
  if (nc_dev_open("rtl", NULL, &d) == NC_ERR_UNSUPPORTED) {
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "built without the RTL") != NULL,
              "%s", r.err);
  } else {
    nc_dev_close(d);
    cr_assert_eq(r.status, 0, "%s", r.err);
  }
  cleanup_(&r);
}
