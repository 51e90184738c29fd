/*
 * How well the planner uses the array: per-layer PE utilization and
 * predicted vs measured cycles on an accelerator backend (the configured
 * array, 16x16 by default; memory latency 100 cycles, 16 bytes/cycle), for
 * the convolutions of
 * VGG-16, ResNet-50 (each distinct shape once, weighted by how often it
 * occurs in the network totals), AlexNet conv1-5, MobileNet v1 (depthwise
 * and pointwise) and the lecture's ConvNet.
 *
 *   build/bench/bench_plan [--backend model|rtl] [--net NAME]
 *                          [--layer SUBSTRING] [--check] [--host-im2col]
 *                          [--read-cost CYCLES]
 *
 * --host-im2col plans the layers that use the load unit's im2col with host
 * packing instead (what the planner did before the load unit had it), for
 * comparison. --read-cost sets the cycles the planner charges per byte read
 * (nc_plan_caps_t.read_cost; 0 ranks plans by cycles alone). --net runs one network's layers, --layer those whose name contains
 * SUBSTRING (both may be given): the rtl backend simulates about a million
 * cycles per second (docs/performance.md), so a whole network takes seconds
 * to minutes there.
 *
 * utilization = useful MACs / (rows * cols * cycles): padded lanes, padded
 * output channels and depthwise's block-diagonal zeros do not count.
 *
 * DRAM traffic: "read" and "written" are the backend's PERF_RD_BYTES and
 * PERF_WR_BYTES in KiB, each followed by its ratio to the layer's
 * compulsory bytes (input, weights and qparam records read once; output
 * written once). On "rtl" they count the bus beats' bytes (whole 16-byte
 * beats, so partial beats, LOAD_PARAM's two passes and instruction fetch
 * count); on "model" the bytes the instructions name, fetch included.
 * Cycles are the backend's PERF_CYCLES; on "model" they are the functional
 * model's event-driven estimate, not a measurement of hardware, and the
 * planner's cost model replays the same timing rules, so its prediction is
 * close by construction there. --check compares every output with the
 * golden reference (slow for VGG).
 *
 * The goals line also gives the first layers' worst DRAM read against the
 * budget of 1.5 x (input + weights + qparams + the output a pooling pass
 * reads back: the convolution's, or a split pool's s x s pooled one): the measured bus bytes on "rtl", on "model" the planner's
 * prediction of them (nc_plan_info_t.bus_bytes_read).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "neocog/accel.h"
#include "neocog/check.h"
#include "neocog/layer.h"
#include "neocog/nc_hw.h"
#include "neocog/rng.h"

typedef struct {
  const char *net, *name;
  int H, W, C, O, K, S, P; /* P < 0: SAME */
  int groups;              /* 0: 1; -1: depthwise (C) */
  int count;               /* occurrences in the network */
  int pool_k, pool_s;      /* fused max pooling, 0: none */
  int first;               /* a first layer (C = 1..3) */
} lay_t;

static const lay_t layers_[] = {
    /* VGG-16: 13 convolutions, 3x3 pad 1. */
    {"vgg16", "conv1_1", 224, 224, 3, 64, 3, 1, 1, 0, 1, 0, 0, 1},
    {"vgg16", "conv1_2", 224, 224, 64, 64, 3, 1, 1, 0, 1, 0, 0, 0},
    {"vgg16", "conv2_1", 112, 112, 64, 128, 3, 1, 1, 0, 1, 0, 0, 0},
    {"vgg16", "conv2_2", 112, 112, 128, 128, 3, 1, 1, 0, 1, 0, 0, 0},
    {"vgg16", "conv3_1", 56, 56, 128, 256, 3, 1, 1, 0, 1, 0, 0, 0},
    {"vgg16", "conv3_2/3", 56, 56, 256, 256, 3, 1, 1, 0, 2, 0, 0, 0},
    {"vgg16", "conv4_1", 28, 28, 256, 512, 3, 1, 1, 0, 1, 0, 0, 0},
    {"vgg16", "conv4_2/3", 28, 28, 512, 512, 3, 1, 1, 0, 2, 0, 0, 0},
    {"vgg16", "conv5_x", 14, 14, 512, 512, 3, 1, 1, 0, 3, 0, 0, 0},
    /* ResNet-50 (torchvision v1.5: stride on the 3x3), distinct shapes. */
    {"resnet50", "conv1", 224, 224, 3, 64, 7, 2, 3, 0, 1, 0, 0, 1},
    {"resnet50", "s2 1x1 64-64", 56, 56, 64, 64, 1, 1, 0, 0, 1, 0, 0, 0},
    {"resnet50", "s2 3x3 64", 56, 56, 64, 64, 3, 1, 1, 0, 3, 0, 0, 0},
    {"resnet50", "s2 1x1 64-256", 56, 56, 64, 256, 1, 1, 0, 0, 4, 0, 0, 0},
    {"resnet50", "s2 1x1 256-64", 56, 56, 256, 64, 1, 1, 0, 0, 2, 0, 0, 0},
    {"resnet50", "s3 1x1 256-128", 56, 56, 256, 128, 1, 1, 0, 0, 1, 0, 0, 0},
    {"resnet50", "s3 3x3/2 128", 56, 56, 128, 128, 3, 2, 1, 0, 1, 0, 0, 0},
    {"resnet50", "s3 1x1 128-512", 28, 28, 128, 512, 1, 1, 0, 0, 4, 0, 0, 0},
    {"resnet50", "s3 ds 256-512/2", 56, 56, 256, 512, 1, 2, 0, 0, 1, 0, 0, 0},
    {"resnet50", "s3 1x1 512-128", 28, 28, 512, 128, 1, 1, 0, 0, 3, 0, 0, 0},
    {"resnet50", "s3 3x3 128", 28, 28, 128, 128, 3, 1, 1, 0, 3, 0, 0, 0},
    {"resnet50", "s4 1x1 512-256", 28, 28, 512, 256, 1, 1, 0, 0, 1, 0, 0, 0},
    {"resnet50", "s4 3x3/2 256", 28, 28, 256, 256, 3, 2, 1, 0, 1, 0, 0, 0},
    {"resnet50", "s4 1x1 256-1024", 14, 14, 256, 1024, 1, 1, 0, 0, 6, 0, 0, 0},
    {"resnet50", "s4 ds 512-1024/2", 28, 28, 512, 1024, 1, 2, 0, 0, 1, 0, 0, 0},
    {"resnet50", "s4 1x1 1024-256", 14, 14, 1024, 256, 1, 1, 0, 0, 5, 0, 0, 0},
    {"resnet50", "s4 3x3 256", 14, 14, 256, 256, 3, 1, 1, 0, 5, 0, 0, 0},
    {"resnet50", "s5 1x1 1024-512", 14, 14, 1024, 512, 1, 1, 0, 0, 1, 0, 0, 0},
    {"resnet50", "s5 3x3/2 512", 14, 14, 512, 512, 3, 2, 1, 0, 1, 0, 0, 0},
    {"resnet50", "s5 1x1 512-2048", 7, 7, 512, 2048, 1, 1, 0, 0, 3, 0, 0, 0},
    {"resnet50", "s5 ds 1024-2048/2", 14, 14, 1024, 2048, 1, 2, 0, 0, 1, 0, 0,
     0},
    {"resnet50", "s5 1x1 2048-512", 7, 7, 2048, 512, 1, 1, 0, 0, 2, 0, 0, 0},
    {"resnet50", "s5 3x3 512", 7, 7, 512, 512, 3, 1, 1, 0, 2, 0, 0, 0},
    /* AlexNet (Krizhevsky et al., one tower: no groups). */
    {"alexnet", "conv1", 227, 227, 3, 96, 11, 4, 0, 0, 1, 0, 0, 1},
    {"alexnet", "conv2", 27, 27, 96, 256, 5, 1, 2, 0, 1, 0, 0, 0},
    {"alexnet", "conv3", 13, 13, 256, 384, 3, 1, 1, 0, 1, 0, 0, 0},
    {"alexnet", "conv4", 13, 13, 384, 384, 3, 1, 1, 0, 1, 0, 0, 0},
    {"alexnet", "conv5", 13, 13, 384, 256, 3, 1, 1, 0, 1, 0, 0, 0},
    /* MobileNet v1 (224, width 1.0), SAME padding. */
    {"mobilenet", "conv1", 224, 224, 3, 32, 3, 2, -1, 0, 1, 0, 0, 1},
    {"mobilenet", "dw1 112", 112, 112, 32, 32, 3, 1, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw1 32-64", 112, 112, 32, 64, 1, 1, 0, 0, 1, 0, 0, 0},
    {"mobilenet", "dw2 112/2", 112, 112, 64, 64, 3, 2, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw2 64-128", 56, 56, 64, 128, 1, 1, 0, 0, 1, 0, 0, 0},
    {"mobilenet", "dw3 56", 56, 56, 128, 128, 3, 1, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw3 128-128", 56, 56, 128, 128, 1, 1, 0, 0, 1, 0, 0, 0},
    {"mobilenet", "dw4 56/2", 56, 56, 128, 128, 3, 2, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw4 128-256", 28, 28, 128, 256, 1, 1, 0, 0, 1, 0, 0, 0},
    {"mobilenet", "dw5 28", 28, 28, 256, 256, 3, 1, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw5 256-256", 28, 28, 256, 256, 1, 1, 0, 0, 1, 0, 0, 0},
    {"mobilenet", "dw6 28/2", 28, 28, 256, 256, 3, 2, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw6 256-512", 14, 14, 256, 512, 1, 1, 0, 0, 1, 0, 0, 0},
    {"mobilenet", "dw7-11 14", 14, 14, 512, 512, 3, 1, -1, -1, 5, 0, 0, 0},
    {"mobilenet", "pw7-11 512", 14, 14, 512, 512, 1, 1, 0, 0, 5, 0, 0, 0},
    {"mobilenet", "dw12 14/2", 14, 14, 512, 512, 3, 2, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw12 512-1024", 7, 7, 512, 1024, 1, 1, 0, 0, 1, 0, 0, 0},
    {"mobilenet", "dw13 7", 7, 7, 1024, 1024, 3, 1, -1, -1, 1, 0, 0, 0},
    {"mobilenet", "pw13 1024", 7, 7, 1024, 1024, 1, 1, 0, 0, 1, 0, 0, 0},
    /* The lecture's ConvNet (nets/convnet.net). */
    {"convnet", "conv1+pool1", 83, 83, 3, 64, 9, 1, 0, 0, 1, 10, 5, 1},
    {"convnet", "conv2", 14, 14, 64, 256, 9, 1, 0, 0, 1, 0, 0, 0},
};

/* SCALE-Sim's stall-free weight-stationary figures at 16x16,
 * shown next to the default array's figures only. */
static const struct {
  const char *net;
  double util;
} scalesim_[] = {{"resnet50", 0.746}, {"alexnet", 0.822}};

typedef struct {
  double macs, cycles, pred;
  double rd, wr, crd, cwr; /* DRAM bytes and the compulsory ones */
} tot_t;

/* "12345K 1.08x": KiB and the ratio to the compulsory bytes. */
static void traffic_(char *buf, size_t n, double bytes, double comp) {
  snprintf(buf, n, "%8.0fK %5.2fx", bytes / 1024, comp > 0 ? bytes / comp : 0);
}

int main(int argc, char **argv) {
  const char *backend = "model", *only = NULL, *lname = NULL;
  int check = 0, host_i2c = 0;
  double read_cost = -1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
      backend = argv[++i];
    } else if (strcmp(argv[i], "--net") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else if (strcmp(argv[i], "--layer") == 0 && i + 1 < argc) {
      lname = argv[++i];
    } else if (strcmp(argv[i], "--check") == 0) {
      check = 1;
    } else if (strcmp(argv[i], "--host-im2col") == 0) {
      host_i2c = 1;
    } else if (strcmp(argv[i], "--read-cost") == 0 && i + 1 < argc) {
      char *end = NULL;
      read_cost = strtod(argv[++i], &end);
      if (*end != '\0' || !(read_cost >= 0 && read_cost <= 1)) {
        fprintf(stderr, "bench_plan: --read-cost %s: not a number in 0..1\n",
                argv[i]);
        return 2;
      }
    } else {
      fprintf(stderr,
              "usage: bench_plan [--backend model|rtl] [--net NAME] "
              "[--layer SUBSTRING] [--check] [--host-im2col] "
              "[--read-cost CYCLES]\n");
      return 2;
    }
  }
  nc_accel_options_t o;
  nc_accel_options_default(&o);
  o.mem_latency = 100;
  o.mem_bytes_per_cycle = 16;
  o.timeout_ms = 3600 * 1000;
  if (host_i2c) {
    o.caps.host_im2col = 2;
  }
  if (read_cost >= 0) {
    o.caps.read_cost = read_cost;
  }
  nc_accel_t *a = NULL;
  nc_status_t st = nc_accel_open(backend, &o, &a);
  if (st != NC_OK) {
    fprintf(stderr, "bench_plan: --backend %s: %s\n", backend,
            nc_error_detail());
    return st == NC_ERR_UNSUPPORTED ? 0 : 1;
  }
  printf(
      "planner on backend %s: %dx%d array, memory latency %u cycles, "
      "%u B/cycle\n",
      backend, NC_HW_ROWS, NC_HW_COLS, o.mem_latency, o.mem_bytes_per_cycle);
  if (strcmp(backend, "model") == 0) {
    printf(
        "cycles: the functional model's estimate from its timing rules "
        "(not hardware); the prediction replays the same rules\n");
  }
  printf("\n%-10s %-18s %-22s %3s %12s %12s %12s %7s %6s %15s %15s  %s\n",
         "net", "layer", "shape HxWxC->O KxK/S", "n", "MACs", "cycles",
         "predicted", "err", "util", "read", "written", "plan");
  nc_rng_t g;
  nc_rng_seed(&g, 1);
  tot_t tot[8] = {{0}};
  const char *nets[8] = {0};
  int nnets = 0;
  double worst_err = 0, min_3x3 = 1, min_first = 1, max_rd = 0;
  const char *w3 = "", *wf = "", *wr_name = "";
  const double t0 = nc_bench_now();
  for (size_t i = 0; i < sizeof layers_ / sizeof layers_[0]; i++) {
    const lay_t *L = &layers_[i];
    if ((only != NULL && strcmp(only, L->net) != 0) ||
        (lname != NULL && strstr(L->name, lname) == NULL)) {
      continue;
    }
    const int G = L->groups < 0 ? L->C : L->groups == 0 ? 1 : L->groups;
    nc_layer_t l;
    nc_layer_init(&l, NC_LAYER_CONV2D);
    l.stride_h = l.stride_w = L->S;
    l.groups = G;
    if (L->P < 0) {
      l.pad_mode = NC_PAD_SAME;
    } else {
      l.pad_top = l.pad_bottom = l.pad_left = l.pad_right = L->P;
    }
    nc_tensor_t x, w, y;
    const int64_t xs[4] = {1, L->H, L->W, L->C};
    const int64_t ws[4] = {L->O, L->K, L->K, L->C / G};
    if (nc_tensor_alloc(&x, NC_DTYPE_INT8, 4, xs) != NC_OK ||
        nc_tensor_alloc(&w, NC_DTYPE_INT8, 4, ws) != NC_OK) {
      fprintf(stderr, "bench_plan: out of memory\n");
      return 1;
    }
    nc_rng_fill(&g, &x, -128, 127);
    nc_rng_fill(&g, &w, -128, 127);
    const double scale = 1.0 / (128.0 * sqrt((double)(L->K * L->K * L->C / G)));
    if (nc_requant_init(&l.rq, NC_DTYPE_INT8, scale, 0) != NC_OK) {
      return 1;
    }
    nc_requant_clamp_relu(&l.rq);
    nc_layer_t pool;
    nc_layer_init(&pool, NC_LAYER_MAXPOOL);
    pool.pool_h = pool.pool_w = L->pool_k;
    pool.stride_h = pool.stride_w = L->pool_s;
    nc_plan_req_t req = {&l, &x, &w, NULL, L->pool_k ? &pool : NULL,
                         NULL, NULL};
    nc_accel_stats_t s;
    st = nc_accel_run(a, &req, &y, &s);
    if (st != NC_OK) {
      fprintf(stderr, "bench_plan: %s %s: %s\n", L->net, L->name,
              nc_error_detail());
      return 1;
    }
    if (check) {
      nc_tensor_t mid;
      nc_status_t cs;
      if (L->pool_k) {
        cs = nc_golden_run(&l, &x, &w, NULL, &mid);
        if (cs == NC_OK) {
          cs = nc_check_layer(&pool, &mid, NULL, NULL, &y, 0, NULL);
          nc_tensor_free(&mid);
        }
      } else {
        cs = nc_check_layer(&l, &x, &w, NULL, &y, 0, NULL);
      }
      if (cs != NC_OK) {
        fprintf(stderr, "bench_plan: %s %s: differs from golden: %s\n", L->net,
                L->name, nc_error_detail());
        return 1;
      }
    }
    const double err =
        ((double)s.predicted_cycles - (double)s.cycles) / (double)s.cycles;
    char shape[48];
    snprintf(shape, sizeof shape, "%dx%dx%d->%d %dx%d/%d%s", L->H, L->W, L->C,
             L->O, L->K, L->K, L->S, G > 1 ? " dw" : "");
    char rd[32], wr[32];
    traffic_(rd, sizeof rd, (double)s.dram_bytes_read,
             (double)s.plan.compulsory_read);
    traffic_(wr, sizeof wr, (double)s.dram_bytes_written,
             (double)s.plan.compulsory_written);
    printf(
        "%-10s %-18s %-22s %3d %12llu %12llu %12llu %6.2f%% %5.1f%% %15s "
        "%15s  %s\n",
        L->net, L->name, shape, L->count, (unsigned long long)s.macs,
        (unsigned long long)s.cycles, (unsigned long long)s.predicted_cycles,
        100 * err, 100 * s.pe_utilization, rd, wr, s.plan.summary);
    fflush(stdout);
    int k = 0;
    while (k < nnets && strcmp(nets[k], L->net) != 0) {
      k++;
    }
    if (k == nnets) {
      nets[nnets++] = L->net;
    }
    tot[k].macs += (double)s.macs * L->count;
    tot[k].cycles += (double)s.cycles * L->count;
    tot[k].pred += (double)s.predicted_cycles * L->count;
    tot[k].rd += (double)s.dram_bytes_read * L->count;
    tot[k].wr += (double)s.dram_bytes_written * L->count;
    tot[k].crd += (double)s.plan.compulsory_read * L->count;
    tot[k].cwr += (double)s.plan.compulsory_written * L->count;
    worst_err = fabs(err) > worst_err ? fabs(err) : worst_err;
    if (L->K == 3 && L->C >= 64 && L->O >= 64 && G == 1 &&
        s.pe_utilization < min_3x3) {
      min_3x3 = s.pe_utilization;
      w3 = L->name;
    }
    if (L->first && s.pe_utilization < min_first) {
      min_first = s.pe_utilization;
      wf = L->name;
    }
    if (L->first) {
      /* The budget counts the convolution's output once more where a
       * pooling pass reads it back. */
      const int rtl = strcmp(backend, "rtl") == 0;
      const double bus =
          (double)(rtl ? s.dram_bytes_read : s.plan.bus_bytes_read);
      const double oh = L->P < 0 ? (L->H + L->S - 1) / L->S
                                 : (L->H + 2 * L->P - L->K) / L->S + 1;
      const double ow = L->P < 0 ? (L->W + L->S - 1) / L->S
                                 : (L->W + 2 * L->P - L->K) / L->S + 1;
      const double back =
          s.plan.pool == NC_PLAN_POOL_PASS ? oh * ow * L->O
          : s.plan.pool == NC_PLAN_POOL_SPLIT
              ? floor(oh / L->pool_s) * floor(ow / L->pool_s) * L->O
              : 0;
      const double r = bus / ((double)s.plan.compulsory_read + back);
      if (r > max_rd) {
        max_rd = r;
        wr_name = L->name;
      }
    }
    nc_tensor_free(&x);
    nc_tensor_free(&w);
    nc_tensor_free(&y);
  }
  printf("\n%-10s %14s %14s %14s %7s %9s %15s %15s\n", "network", "MACs",
         "cycles", "predicted", "util", "SCALE-Sim", "read", "written");
  for (int k = 0; k < nnets; k++) {
    const double u = tot[k].macs / (NC_HW_ROWS * NC_HW_COLS * tot[k].cycles);
    char ref[16] = "-";
    for (size_t r = 0; r < sizeof scalesim_ / sizeof scalesim_[0]; r++) {
      if (NC_HW_ROWS == 16 && NC_HW_COLS == 16 &&
          strcmp(scalesim_[r].net, nets[k]) == 0) {
        snprintf(ref, sizeof ref, "%.1f%%", 100 * scalesim_[r].util);
      }
    }
    char rd[32], wr[32];
    traffic_(rd, sizeof rd, tot[k].rd, tot[k].crd);
    traffic_(wr, sizeof wr, tot[k].wr, tot[k].cwr);
    printf("%-10s %14.0f %14.0f %14.0f %6.1f%% %9s %15s %15s\n", nets[k],
           tot[k].macs, tot[k].cycles, tot[k].pred, 100 * u, ref, rd, wr);
  }
  printf(
      "\ngoals: compute-bound 3x3 layers (C, O >= 64) >= 90%%: lowest "
      "%.1f%% (%s); first layers (C <= 3) >= 50%%: lowest %.1f%% (%s); "
      "prediction within 5%%: worst %.2f%%; first layers' DRAM read <= 1.5 "
      "x (input + weights + output reread): worst %.2fx (%s)\n",
      100 * min_3x3, w3, 100 * min_first, wf, 100 * worst_err, max_rd,
      wr_name);
  printf("(%.1f s wall for planning and simulating)\n", nc_bench_now() - t0);
  nc_accel_close(a);
  return 0;
}
