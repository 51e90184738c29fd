/*
 * The neocog CLI on the OpenCL backend (POCL in CI): results through files,
 * checked against the golden reference, device listing and selection.
 */
#include "neocog/net.h"
#include "tests/cli_run.h"
#include "tests/common.h"

Test(ocl_cli, layer_conv2d_lecture_example) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], b[256], y[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "b.npy", b);
  path_(&r, "y.npy", y);
  const char *args[] = {"layer", "conv2d", "--input",   x,          "--weights",
                        w,       "--bias", b,           "--stride", "2",
                        "--pad", "1",      "--backend", "opencl",   "--output",
                        y,       NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  cr_expect(strstr(r.out, "(opencl, direct)") != NULL, "%s", r.out);
  nc_tensor_t out;
  cr_assert_eq(nc_tensor_load_npy(y, &out), NC_OK);
  const int32_t *o = out.data;
  for (int i = 0; i < 9; i++) {
    cr_expect_eq(o[i * 2 + 0], nc_seed_out0[i], "o0[%d]", i);
    cr_expect_eq(o[i * 2 + 1], nc_seed_out1[i], "o1[%d]", i);
  }
  nc_tensor_free(&out);
  cleanup_(&r);
}

/* The whole int8 ConvNet on OpenCL is bit-identical to the cpu run. */
Test(ocl_cli, run_convnet_matches_cpu) {
  run_t r;
  tmpdir_(&r);
  char y_cpu[256], y_cl[256];
  path_(&r, "cpu.npy", y_cpu);
  path_(&r, "cl.npy", y_cl);
  const char *a1[] = {"run",     "nets/convnet.net", "--seed", "3",
                      "--quiet", "--output",         y_cpu,    NULL};
  run_(&r, a1);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  const char *a2[] = {
      "run",    "nets/convnet.net", "--seed", "3",        "--backend",
      "opencl", "--cl-device",      "0",      "--output", y_cl,
      NULL};
  run_(&r, a2);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  cr_expect(strstr(r.out, "convnet on opencl") != NULL, "%s", r.out);
  nc_tensor_t a, b;
  cr_assert_eq(nc_tensor_load_npy(y_cpu, &a), NC_OK);
  cr_assert_eq(nc_tensor_load_npy(y_cl, &b), NC_OK);
  cr_assert_eq(a.nbytes, b.nbytes);
  cr_expect(memcmp(a.data, b.data, a.nbytes) == 0);
  nc_tensor_free(&a);
  nc_tensor_free(&b);
  cleanup_(&r);
}

Test(ocl_cli, devices_and_selection) {
  run_t r;
  tmpdir_(&r);
  const char *a1[] = {"devices", NULL};
  run_(&r, a1);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  cr_expect(strstr(r.out, "platform 0:") != NULL, "%s", r.out);
  cr_expect(strstr(r.out, "* device 0.0:") != NULL, "%s", r.out);
  cr_expect(strstr(r.out, "compute units") != NULL, "%s", r.out);
  char y[256];
  path_(&r, "y.npy", y);
  const char *a2[] = {
      "run",         "nets/convnet.net", "--seed",   "1", "--backend", "opencl",
      "--cl-device", "no-such-gpu",      "--output", y,   NULL};
  run_(&r, a2);
  cr_expect_eq(r.status, 1);
  cr_expect(strstr(r.err, "no-such-gpu") != NULL, "%s", r.err);
  cr_expect_eq(access(y, F_OK), -1);
  const char *a3[] = {
      "run",    "nets/convnet.net", "--seed", "1",        "--backend",
      "opencl", "--cl-platform",    "7",      "--output", y,
      NULL};
  run_(&r, a3);
  cr_expect_eq(r.status, 1);
  cr_expect(strstr(r.err, "7") != NULL, "%s", r.err);
  cleanup_(&r);
}

/* A device that matches nothing: the message says "opencl:" once. */
Test(ocl_cli, device_message_has_one_prefix) {
  run_t r;
  tmpdir_(&r);
  nc_cli_write_seed_example(&r);
  char x[256], w[256], y[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "y.npy", y);
  const char *a[] = {"layer",       "conv2d",
                     "--input",     x,
                     "--weights",   w,
                     "--backend",   "opencl",
                     "--cl-device", "no-such-device",
                     "--output",    y,
                     NULL};
  run_(&r, a);
  cr_expect_eq(r.status, 1);
  cr_expect(strncmp(r.err, "neocog: opencl: no device matches", 33) == 0, "%s",
            r.err);
  cr_expect(strstr(r.err, "opencl: opencl:") == NULL, "%s", r.err);
  cleanup_(&r);
}

/* --algo: the algorithm runs, is checked with its own bound, and is named
 * on stdout and in --stats; a bad name or another backend is a usage
 * error. */
Test(ocl_cli, layer_algo_winograd_named) {
  run_t r;
  tmpdir_(&r);
  char x[256], w[256], b[256], y[256], s[256];
  path_(&r, "x.npy", x);
  path_(&r, "w.npy", w);
  path_(&r, "b.npy", b);
  path_(&r, "y.npy", y);
  path_(&r, "s.json", s);
  const int64_t xs[4] = {1, 11, 13, 20}, ws[4] = {40, 3, 3, 20}, bs[1] = {40};
  nc_tensor_t tx, tw, tb;
  nc_test_alloc(&tx, NC_DTYPE_FLOAT32, 4, xs);
  nc_test_alloc(&tw, NC_DTYPE_FLOAT32, 4, ws);
  nc_test_alloc(&tb, NC_DTYPE_FLOAT32, 1, bs);
  nc_rng_t rng;
  nc_test_seed(&rng, "ocl_cli", "layer_algo_winograd_named", 8);
  nc_rng_fill(&rng, &tx, -1, 1);
  nc_rng_fill(&rng, &tw, -1, 1);
  nc_rng_fill(&rng, &tb, -1, 1);
  cr_assert_eq(nc_tensor_save_npy(x, &tx), NC_OK);
  cr_assert_eq(nc_tensor_save_npy(w, &tw), NC_OK);
  cr_assert_eq(nc_tensor_save_npy(b, &tb), NC_OK);
  const char *args[] = {"layer",    "conv2d",   "--input", x,        "--weights",
                        w,          "--bias",   b,         "--pad",  "1",
                        "--backend", "opencl",  "--algo",  "winograd",
                        "--output", y,          "--stats", s,        NULL};
  run_(&r, args);
  cr_assert_eq(r.status, 0, "stderr: %s", r.err);
  cr_expect(strstr(r.out, "(opencl, winograd F(") != NULL, "%s", r.out);
  char js[4096];
  slurp_(s, js, sizeof js);
  cr_expect(strstr(js, "\"algorithm\": \"winograd F(") != NULL, "%s", js);
  const char *bad[] = {"layer",     "conv2d", "--input", x,      "--weights",
                       w,           "--pad",  "1",       "--backend",
                       "opencl",    "--algo", "toom",    "--output",
                       y,           NULL};
  run_(&r, bad);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "--algo: 'toom' is not one of") != NULL, "%s",
            r.err);
  const char *cpu[] = {"layer", "conv2d", "--input", x,      "--weights", w,
                       "--algo", "fft",   "--output", y,     NULL};
  run_(&r, cpu);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "--algo needs --backend opencl") != NULL, "%s",
            r.err);
  nc_tensor_free(&tx);
  nc_tensor_free(&tw);
  nc_tensor_free(&tb);
  cleanup_(&r);
}
