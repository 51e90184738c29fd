/* Private parts of the planner, shared by plan.c (lowering, search, data
 * layout), plan_emit.c (instruction stream) and plan_cost.c (cost model). */
#ifndef NEOCOG_HOST_PLAN_INTERNAL_H
#define NEOCOG_HOST_PLAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/nc_hw.h"
#include "neocog/plan.h"

/* Longest LOAD line of weight rows: 63 tiles (x_size is at most 1023). */
#define PLAN_WLINE 1008

/*
 * A "virtual convolution": what one pass of the program computes, after
 * lowering. The input is an int8 NHWC block in DRAM (N x H x W pixels of C
 * bytes); output channels come in blocks, block b reading input bytes
 * [b * cstride, b * cstride + cb(b)) of each pixel and writing output
 * channels [b * ob, b * ob + ob(b)); its weights are an ob(b) x (taps x
 * cb(b)) matrix that wfn_() yields element by element. In local mode every
 * output pixel has its own weights and the batch is streamed through them.
 */
typedef struct {
  int64_t N, H, W, C;           /* input as the program reads it */
  int KH, KW, sh, sw, dh, dw;   /* kernel (1x1 after im2col) */
  int pt, pb, pl, pr;           /* padding the LOAD unit inserts */
  int8_t pad;                   /* its value, as stored (int8) */
  int64_t OH, OW;               /* conv output */
  int nblk;                     /* channel blocks */
  int cb, ob, cb_last, ob_last; /* lanes / outputs per block */
  int cstride;                  /* input bytes between blocks */
  int taps;                     /* KH * KW */
  int O;                        /* output channels */
  int local;                    /* one weight bank per output pixel */
  int dwm;                      /* depthwise, one DWCONV per step, taps 1:
                                   1 a tile per block as direct loads it;
                                   2 a tile of every block, a pixel's chunks
                                   in consecutive rows (contiguous reads) */
  int64_t batch;                /* local: images streamed per pixel */
  /* im2col LOAD: the layer's own input and kernel, which the load unit
   * turns into the rows of this 1x1 convolution over OH x OW. */
  int i2c;
  int64_t rH, rW, rC;
  int rKH, rKW, rsh, rsw, rpt, rpl;
  /* Store path. */
  int pool_op; /* NC_HW_POOL_* */
  int pkh, pkw, psh, psw, ppt, ppb, ppl, ppr;
  int64_t POH, POW; /* stored output */
  int fmt, es;      /* NC_HW_OUT_*, bytes per element */
  int add;          /* residual add in the store path */
  uint32_t aq_slot; /* its addq record's first parameter entry */
  uint64_t aq_off, res_off; /* arena offsets: the record, the residual */
  /* Arena offsets of this pass. */
  uint64_t in_off, out_off, prm_off;
  uint64_t pad_off; /* dwm: one pixel of pad values (C bytes) */
  int64_t nprm; /* qparam records at prm_off */
} vconv_t;

static inline int vc_cb(const vconv_t *v, int b) {
  return b == v->nblk - 1 ? v->cb_last : v->cb;
}
static inline int vc_ob(const vconv_t *v, int b) {
  return b == v->nblk - 1 ? v->ob_last : v->ob;
}
static inline int vc_kc(const vconv_t *v, int b) {
  return (vc_cb(v, b) + NC_HW_ROWS - 1) / NC_HW_ROWS;
}
static inline int vc_oc(const vconv_t *v, int b) {
  return (vc_ob(v, b) + NC_HW_COLS - 1) / NC_HW_COLS;
}

/* Tiling and loop order of one pass. */
typedef struct {
  nc_plan_order_t order;
  int64_t pth, ptw; /* stored pixels per tile (local: pixels in ptw) */
  int oct, kct;     /* output / reduction chunks per step */
  int wres;         /* every weight tile resident in the scratchpad */
  int tail;         /* im2col LOAD: the last tile cut into parts that
                       shrink RAMP times (plan.c, make_tiles_()) */
} pcfg_t;

/* One pixel tile. */
typedef struct {
  int64_t n, py0, py1, px0, px1; /* stored output range */
  int64_t cy0, cy1, cx0, cx1;    /* conv output range computed */
  int spt, spb, spl, spr;        /* store-path pooling padding */
} ptile_t;

/* Where the weights of one load group live in the arena (filled when the
 * constants are laid out for a configuration). */
typedef struct {
  uint64_t off;  /* arena offset */
  uint32_t rows; /* scratchpad rows (NC_HW_COLS per tile) */
} wreg_t;

/* One pass: lowering, configuration, tiles and weight regions. */
typedef struct {
  vconv_t v;
  pcfg_t c;
  ptile_t *tiles;
  int64_t ntiles;
  wreg_t *wreg; /* [nblk or ntiles][og][ks] */
  int64_t nwreg;
  int64_t wkeys_per_blk; /* og * ks, with og/ks counts of the full block */
  int og_max, ks_max;
  const void *wctx;   /* weight source for the weight-tile builder */
  uint64_t wall_rows; /* all weight rows (resident layout) */
  int64_t max_steps;  /* emit only the first steps (search), 0: all */
  int64_t nsteps;     /* steps of the configuration (set by the emitter) */
  int64_t emitted;    /* steps emitted (set by the emitter) */
} pass_t;

/* Weight element of block b (or local pixel p), output ol, tap t, lane cl. */
typedef int8_t (*plan_wfn_t)(const void *ctx, int64_t blk_or_pix, int ol, int t,
                             int cl);

/* Growing instruction array. */
typedef struct {
  nc_hw_insn_t *v;
  size_t n, cap;
  int oom;
} iprog_t;

struct nc_plan {
  nc_plan_info_t info;
  nc_plan_caps_t caps;
  pass_t pass[2];
  int npass;
  /* Arena. */
  nc_plan_region_t rc, rin, rout, rtmp, rres;
  uint8_t *cdata; /* constants, rc.bytes */
  uint64_t arena;
  /* Input packing. */
  int pack_mode;        /* 0 raw copy, 1 im2col rows, 2 local rows */
  int in_u8;            /* uint8 input: shifted by -128 */
  nc_tensor_t in_shape; /* shape and dtype only (data NULL) */
  const nc_layer_t *layer_copy_unused;
  nc_layer_t layer; /* the layer as planned */
  nc_geom_t g;      /* its geometry */
  int has_pool;
  nc_layer_t pool;
  nc_geom_t pg;
  /* Output decoding. */
  nc_dtype_t out_dtype;
  int out_ndim;
  int64_t out_shape[4];
  /* Program and schedule. */
  iprog_t prog;
  nc_plan_event_t *sched;
  size_t nsched;
};

/* Emits the instruction stream of every pass into p->prog (plan_emit.c). */
nc_status_t nc__plan_emit_all(struct nc_plan *p);

/* Emits one pass into `out` (used by the search to size candidates). */
nc_status_t nc__plan_emit_pass(pass_t *ps, const nc_plan_caps_t *caps,
                               iprog_t *out);

/* Replays a stream through the scheduler the functional model runs
 * (neocog/sched.h), without data (plan_cost.c). Fills per-instruction
 * events when `ev` is not NULL; returns the cycles and the DRAM bytes read
 * and written: those the instructions name (the functional model's
 * counters) and, for reads, those of the bus beats the RTL moves. */
typedef struct {
  uint64_t cycles, rd_bytes, wr_bytes, array_macs;
  uint64_t bus_rd_bytes;
} plan_replay_t;
nc_status_t nc__plan_replay(const iprog_t *prog, const nc_plan_caps_t *caps,
                            nc_plan_event_t *ev, plan_replay_t *out);

void nc__iprog_free(iprog_t *p);

#endif /* NEOCOG_HOST_PLAN_INTERNAL_H */
