/*
 * The neocog command-line tool, driven as a user drives it: a real process,
 * real files, exit statuses and the one line it prints on bad input.
 */
#include <math.h>

#include "neocog/layer.h"
#include "neocog/nc_hw.h"
#include "neocog/net.h"
#include "neocog/version.h"
#include "tests/cli_run.h"
#include "tests/common.h"

Test(cli, help_on_every_command) {
  run_t r;
  tmpdir_(&r);
  const char *cmds[][3] = {{"--help", NULL, NULL},
                           {"layer", "--help", NULL},
                           {"run", "--help", NULL},
                           {"info", "--help", NULL}};
  for (size_t i = 0; i < 4; i++) {
    run_(&r, cmds[i]);
    cr_expect_eq(r.status, 0, "%s %s", cmds[i][0], cmds[i][1]);
    cr_expect(strstr(r.out, "usage: neocog") != NULL, "%s", r.out);
  }
  cleanup_(&r);
}

Test(cli, version) {
  run_t r;
  tmpdir_(&r);
  const char *v[] = {"--version", NULL};
  run_(&r, v);
  cr_assert_eq(r.status, 0, "%s", r.err);
  char want[128];
  snprintf(want, sizeof want, "neocog %s\n", NC_VERSION_STRING);
  cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
  cr_assert_str_eq(nc_version(), NC_VERSION_STRING, "header and library");
  snprintf(want, sizeof want, "%dx%d array", NC_HW_ROWS, NC_HW_COLS);
  cr_assert(strstr(r.out, want) != NULL, "%s", r.out);
  cr_assert(strstr(r.out, "devices: model") != NULL, "%s", r.out);
  const char *bad[] = {"--version", "now", NULL};
  run_(&r, bad);
  cr_assert_eq(r.status, 2);
  cr_assert(strstr(r.err, "unexpected argument 'now'") != NULL, "%s", r.err);
  cleanup_(&r);
}

Test(cli, layer_conv2d_lecture_example) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], b[256], y[256], s[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "b.npy", b);
  path_(&r, "y.npy", y);
  path_(&r, "s.json", s);
  const char *args[] = {
      "layer",    "conv2d", "--input", x,   "--weights", w,     "--bias",   b,
      "--stride", "2",      "--pad",   "1", "--backend", "cpu", "--output", y,
      "--stats",  s,        NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  nc_tensor_t out;
  cr_assert_eq(nc_tensor_load_npy(y, &out), NC_OK);
  cr_assert_eq(out.dtype, NC_DTYPE_INT32);
  cr_assert(out.ndim == 4 && out.shape[1] == 3 && out.shape[2] == 3 &&
            out.shape[3] == 2);
  const int32_t *o = out.data;
  for (int i = 0; i < 9; i++) {
    cr_expect_eq(o[i * 2 + 0], nc_seed_out0[i], "o0[%d]", i);
    cr_expect_eq(o[i * 2 + 1], nc_seed_out1[i], "o1[%d]", i);
  }
  nc_tensor_free(&out);
  char json[4096];
  slurp_(s, json, sizeof json);
  /* 2 filters * 3x3 outputs * 3x3x3 taps = 486 MACs. */
  cr_expect(strstr(json, "\"macs\": 486") != NULL, "%s", json);
  cleanup_(&r);
}

Test(cli, layer_maxpool_lecture_example) {
  run_t r;
  tmpdir_(&r);
  int64_t shape[4] = {1, 4, 4, 1};
  nc_tensor_t x;
  nc_test_alloc(&x, NC_DTYPE_INT8, 4, shape);
  static const int8_t v[16] = {1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4};
  memcpy(x.data, v, 16);
  char xp[256], yp[256];
  path_(&r, "x.npy", xp);
  path_(&r, "y.npy", yp);
  cr_assert_eq(nc_tensor_save_npy(xp, &x), NC_OK);
  const char *args[] = {"layer",    "maxpool", "--input",  xp, "--size", "2",
                        "--stride", "2",       "--output", yp, NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  nc_tensor_t y;
  cr_assert_eq(nc_tensor_load_npy(yp, &y), NC_OK);
  const int8_t *o = y.data;
  cr_expect(y.shape[1] == 2 && y.shape[2] == 2);
  cr_expect(o[0] == 6 && o[1] == 8 && o[2] == 3 && o[3] == 4);
  nc_tensor_free(&x);
  nc_tensor_free(&y);
  cleanup_(&r);
}

Test(cli, layer_requantized_matches_library) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], b[256], y[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "b.npy", b);
  path_(&r, "y.npy", y);
  const char *args[] = {"layer", "conv2d", "--input", x,          "--weights",
                        w,       "--bias", b,         "--stride", "2",
                        "--pad", "1",      "--scale", "0.5",      "--out-zp",
                        "-3",    "--act",  "relu",    "--output", y,
                        NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  nc_tensor_t out;
  cr_assert_eq(nc_tensor_load_npy(y, &out), NC_OK);
  cr_assert_eq(out.dtype, NC_DTYPE_INT8);
  const int8_t *o = out.data;
  /* y = max(round_half_up(acc * 0.5) - 3, -3); ties: 11*0.5 = 5.5 -> 6,
   * -3 * 0.5 = -1.5 -> -1 (gemmlowp), -5 * 0.5 = -2.5 -> -2. */
  for (int i = 0; i < 9; i++) {
    int32_t acc[2] = {nc_seed_out0[i], nc_seed_out1[i]};
    for (int c = 0; c < 2; c++) {
      int32_t h = (int32_t)floor(acc[c] * 0.5 + 0.5) - 3;
      int32_t want = h < -3 ? -3 : h;
      cr_expect_eq(o[i * 2 + c], want, "pixel %d ch %d acc %d", i, c, acc[c]);
    }
  }
  nc_tensor_free(&out);
  cleanup_(&r);
}

/* Each bad command line: its exit status and a word the message must hold.
 * The output file exists beforehand and must be left untouched. */
typedef struct {
  const char *args[24];
  int status;
  const char *word;
} bad_case_t;

Test(cli, bad_input_is_one_clear_line_and_output_untouched) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], b[256], y[256], wbad[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "b.npy", b);
  path_(&r, "y.npy", y);
  path_(&r, "wbad.npy", wbad);
  {
    int64_t shape[4] = {2, 3, 3, 4}; /* 4 input channels: mismatch */
    nc_tensor_t t;
    nc_test_alloc(&t, NC_DTYPE_INT8, 4, shape);
    cr_assert_eq(nc_tensor_save_npy(wbad, &t), NC_OK);
    nc_tensor_free(&t);
  }
  const bad_case_t cases[] = {
      {{"layer", "conv2d", "--input", "/nonexistent/x.npy", "--weights", w,
        "--output", y, NULL},
       1,
       "No such file"},
      {{"layer", "conv2d", "--input", x, "--weights", wbad, "--output", y,
        NULL},
       1,
       "channels"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--stride", "0",
        "--output", y, NULL},
       2,
       "stride"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--pad", "-1",
        "--output", y, NULL},
       2,
       "pad"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--frobnicate", "1",
        "--output", y, NULL},
       2,
       "--frobnicate"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--backend", "tpu",
        "--output", y, NULL},
       2,
       "tpu"},
      {{"layer", "conv2d", "--input", x, "--output", y, NULL}, 2, "weights"},
      {{"layer", "conv2d", "--input", x, "--weights", w, NULL}, 2, "output"},
      {{"layer", "pool", "--input", x, "--output", y, NULL}, 2, "pool"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--bias", w,
        "--output", y, NULL},
       1,
       "bias"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--pad", "9",
        "--stride", "1", "--dilation", "40", "--output", y, NULL},
       1,
       "no output"},
      {{"layer", "maxpool", "--input", x, "--size", "9", "--output", y, NULL},
       1,
       "no output"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--scale", "-1",
        "--output", y, NULL},
       2,
       "scale"},
      {{"layer", "conv2d", "--input", x, "--weights", w, "--act", "relu",
        "--output", y, NULL},
       1,
       "requantization"},
      {{"frobnicate", NULL}, 2, "unknown command"},
      {{"run", "/nonexistent.net", "--seed", "1", "--output", y, NULL},
       1,
       "No such file"},
      {{"run", "nets/convnet.net", "--input", x, "--output", y, NULL},
       1,
       "does not match"},
      {{"info", NULL}, 2, "NET"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    FILE *f = fopen(y, "w");
    cr_assert_not_null(f);
    fputs("precious", f);
    fclose(f);
    run_(&r, cases[i].args);
    cr_expect_eq(r.status, cases[i].status, "case %zu (%s %s): exit %d: %s", i,
                 cases[i].args[0], cases[i].args[1], r.status, r.err);
    cr_expect(strstr(r.err, cases[i].word) != NULL,
              "case %zu: stderr lacks '%s': %s", i, cases[i].word, r.err);
    /* One line: the message ends at the first newline. */
    char *nl = strchr(r.err, '\n');
    cr_expect(nl != NULL && nl[1] == '\0', "case %zu: not one line: %s", i,
              r.err);
    char buf[64];
    slurp_(y, buf, sizeof buf);
    cr_expect_str_eq(buf, "precious", "case %zu clobbered the output", i);
  }
  cleanup_(&r);
}

Test(cli, info_prints_convnet_shapes_and_macs) {
  run_t r;
  tmpdir_(&r);
  const char *args[] = {"info", "nets/convnet.net", NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  cr_expect(strstr(r.out, "[1, 75, 75, 64]") != NULL, "%s", r.out);
  cr_expect(strstr(r.out, "[1, 14, 14, 64]") != NULL, "%s", r.out);
  cr_expect(strstr(r.out, "[1, 6, 6, 256]") != NULL, "%s", r.out);
  /* The lecture's cost M*K*K*N*out^2 for both convolutions. */
  char want[64];
  snprintf(want, sizeof want, "%lld", 3LL * 9 * 9 * 64 * 75 * 75);
  cr_expect(strstr(r.out, want) != NULL, "missing %s in %s", want, r.out);
  snprintf(want, sizeof want, "%lld", 64LL * 9 * 9 * 256 * 6 * 6);
  cr_expect(strstr(r.out, want) != NULL, "missing %s in %s", want, r.out);
  cleanup_(&r);
}

Test(cli, run_convnet_matches_layer_by_layer_library_run) {
  run_t r;
  tmpdir_(&r);
  char y[256], s[256];
  path_(&r, "y.npy", y);
  path_(&r, "s.json", s);
  const char *args[] = {
      "run", "nets/convnet.net", "--seed", "5", "--backend", "cpu", "--output",
      y,     "--stats",          s,        NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  cr_expect(strstr(r.out, "conv1") && strstr(r.out, "pool1") &&
            strstr(r.out, "conv2"));
  nc_tensor_t got;
  cr_assert_eq(nc_tensor_load_npy(y, &got), NC_OK);
  cr_assert(got.ndim == 4 && got.shape[1] == 6 && got.shape[2] == 6 &&
            got.shape[3] == 256 && got.dtype == NC_DTYPE_INT8);
  /* The same network through the library, layer by layer. */
  nc_net_t net;
  cr_assert_eq(nc_net_load("nets/convnet.net", &net), NC_OK);
  nc_tensor_t a, bt;
  cr_assert_eq(nc_net_random_input(&net, 5, &a), NC_OK);
  for (int i = 0; i < net.nlayers; i++) {
    nc_net_layer_t *nl = &net.layers[i];
    cr_assert_eq(nc_golden_run(&nl->spec.layer, &a,
                               nl->weights.ndim ? &nl->weights : NULL,
                               nl->bias.ndim ? &nl->bias : NULL, &bt),
                 NC_OK);
    nc_tensor_free(&a);
    a = bt;
  }
  cr_assert_eq(a.nbytes, got.nbytes);
  cr_expect(memcmp(a.data, got.data, a.nbytes) == 0);
  /* Not degenerate: the scales keep values off the rails. */
  const int8_t *o = got.data;
  size_t sat = 0, zero = 0;
  for (size_t i = 0; i < got.nbytes; i++) {
    sat += o[i] == 127 || o[i] == -128;
    zero += o[i] == 0;
  }
  cr_expect(sat < got.nbytes / 10, "%zu of %zu saturated", sat, got.nbytes);
  cr_expect(zero < got.nbytes / 10, "%zu of %zu zero", zero, got.nbytes);
  char json[8192];
  slurp_(s, json, sizeof json);
  cr_expect(strstr(json, "\"backend\": \"cpu\"") != NULL, "%s", json);
  nc_tensor_free(&a);
  nc_tensor_free(&got);
  nc_net_free(&net);
  cleanup_(&r);
}

Test(cli, backend_options_are_checked) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], y[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  const char *a1[] = {"layer",       "conv2d", "--input",  x, "--weights", w,
                      "--cl-device", "0",      "--output", y, NULL};
  run_(&r, a1);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "--backend opencl") != NULL, "%s", r.err);
  const char *a2[] = {"run",  "nets/convnet.net", "--seed", "1", "--backend",
                      "fpga", "--output",         y,        NULL};
  run_(&r, a2);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "'fpga'") && strstr(r.err, "opencl"), "%s", r.err);
  const char *a3[] = {"devices", "--help", NULL};
  run_(&r, a3);
  cr_expect_eq(r.status, 0);
  cr_expect(strstr(r.out, "NEOCOG_CL_DEVICE") != NULL, "%s", r.out);
  cr_expect_eq(access(y, F_OK), -1, "a failed run wrote %s", y);
  cleanup_(&r);
}

/* nets/resblock.net (a residual add and a concatenation between the
 * accelerator's layers) gives the same bytes on every backend, each layer
 * checked against golden; --stats says the concat ran on the host, and the
 * add too on cpu and opencl, while the accelerator backends fused it into
 * the store path of conv b, its only producer that nothing else reads. */
Test(cli, residual_net_bit_identical_on_every_backend) {
  run_t r;
  tmpdir_(&r);
  static const char *const be[5] = {"cpu", "model", "rtl", "lockstep",
                                    "opencl"};
  char y[5][256], outs[5][1024], st[256];
  path_(&r, "s.json", st);
  for (int b = 0; b < 5; b++) {
    snprintf(y[b], sizeof y[b], "%s/y_%s.npy", r.dir, be[b]);
    run_(&r, (const char *[]){"run", "nets/resblock.net", "--seed", "5",
                              "--backend", be[b], "--output", y[b], "--stats",
                              st, NULL});
    cr_assert_eq(r.status, 0, "%s: %s", be[b], r.err);
    memset(outs[b], 0, sizeof outs[b]);
    slurp_(y[b], outs[b], sizeof outs[b]);
    cr_assert_eq(memcmp(outs[0], outs[b], sizeof outs[0]), 0,
                 "%s differs from cpu", be[b]);
    char js[8192];
    slurp_(st, js, sizeof js);
    cr_assert(strstr(js, "\"kind\": \"add\"") != NULL &&
                  strstr(js, "\"kind\": \"concat\"") != NULL &&
                  strstr(js, "\"ran_on\": \"host\"") != NULL,
              "%s", js);
    const char *sum = strstr(js, "\"name\": \"sum\"");
    cr_assert(sum != NULL, "%s", js);
    const char *eol = strchr(sum, '\n');
    const size_t len = eol != NULL ? (size_t)(eol - sum) : strlen(sum);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)len, sum);
    const int accel = b >= 1 && b <= 3;
    cr_assert(strstr(line, accel ? "\"fused_into\": \"b\""
                                 : "\"ran_on\": \"host\"") != NULL,
              "%s: %s", be[b], line);
  }
  nc_tensor_t o;
  cr_assert_eq(nc_tensor_load_npy(y[0], &o), NC_OK);
  cr_assert(o.ndim == 2 && o.shape[1] == 10 && o.dtype == NC_DTYPE_INT32);
  nc_tensor_free(&o);
  cleanup_(&r);
}

/* The add is fused only where the conv's output has no other reader: with
 * a concat reading it too the add runs on the host; without, the add (the
 * conv as its first input) runs in the conv's store path. Either way the
 * bytes are the cpu backend's. */
Test(cli, residual_add_fused_only_for_a_sole_reader) {
  run_t r;
  tmpdir_(&r);
  static const char *const text[2] = {
      "network name=r2 seed=3\ninput shape=6x6x20 dtype=int8\n"
      "conv2d name=a filters=20 kernel=3 pad=same scale=0.003 "
      "out_dtype=int8\nconv2d name=b filters=20 kernel=1 scale=0.004 "
      "out_dtype=int8\nadd name=sum inputs=b,a in_scales=0.05,0.04 "
      "out_scale=0.06\nconcat name=cat inputs=sum,b\n",
      "network name=r3 seed=3\ninput shape=6x6x20 dtype=int8\n"
      "conv2d name=a filters=20 kernel=3 pad=same scale=0.003 "
      "out_dtype=int8\nconv2d name=b filters=20 kernel=1 scale=0.004 "
      "out_dtype=int8\nadd name=sum inputs=b,a in_scales=0.05,0.04 "
      "out_scale=0.06 act=relu\n"};
  for (int n = 0; n < 2; n++) {
    char net[256], st[256], y[2][256], outs[2][4096];
    path_(&r, n ? "r3.net" : "r2.net", net);
    path_(&r, "s.json", st);
    FILE *f = fopen(net, "w");
    cr_assert_not_null(f);
    fputs(text[n], f);
    fclose(f);
    for (int b = 0; b < 2; b++) {
      snprintf(y[b], sizeof y[b], "%s/y%d.npy", r.dir, b);
      run_(&r, (const char *[]){"run", net, "--seed", "2", "--backend",
                                b ? "model" : "cpu",
                                "--output", y[b], "--stats", st, NULL});
      cr_assert_eq(r.status, 0, "%s", r.err);
      memset(outs[b], 0, sizeof outs[b]);
      slurp_(y[b], outs[b], sizeof outs[b]);
    }
    cr_assert_eq(memcmp(outs[0], outs[1], sizeof outs[0]), 0,
                 "net %d: model differs from cpu", n);
    char js[8192];
    slurp_(st, js, sizeof js);
    const char *sum = strstr(js, "\"name\": \"sum\"");
    cr_assert(sum != NULL, "%s", js);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(sum, "\n"), sum);
    cr_assert(strstr(line, n ? "\"fused_into\": \"b\"" : "\"ran_on\": \"host\"")
                  != NULL,
              "net %d: %s", n, line);
    cr_assert(strstr(r.out, n ? "(fused into b)" : "(on the host)") != NULL,
              "%s", r.out);
  }
  cleanup_(&r);
}
