/* Shared pieces of the neocog command-line tool. */
#ifndef NEOCOG_CLI_H
#define NEOCOG_CLI_H

#include <stdio.h>

#include "neocog/accel.h"
#include "neocog/graph.h"
#include "neocog/layer.h"
#include "neocog/net.h"
#include "neocog/ocl.h"
#include "neocog/tensor.h"

/** Exit status for a bad command line (unknown option, bad value). */
#define CLI_EXIT_USAGE 2
/** Exit status for a failure while running (bad file, mismatch, ...). */
#define CLI_EXIT_FAIL 1

/** Prints "neocog: <what>: <detail>" on stderr for a failed status; with
 *  what == NULL, "neocog: <detail>" (for details that name their source). */
void cli_report(const char *what, int status);

/** Prints "neocog <cmd>: <fmt...>" and a hint to use --help. */
void cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Walks `--key value` and `--key=value` arguments. Returns 1 with *key and
 * *val set (val NULL for a flag with no value), 0 at the end, -1 on a
 * malformed argument (already reported). `flags` lists keys that take no
 * value, NULL-terminated.
 */
int cli_next_opt(const char *cmd, int argc, char **argv, int *i,
                 const char *const *flags, const char **key, const char **val);

/** Per-instruction events of a run, for --timeline (cycles offset so
 *  that layers follow each other). */
typedef struct {
  nc_dev_event_t *ev;
  size_t n, cap;
  uint64_t t;   /* cycles of the layers so far */
  int measured; /* 1: the device's; 0: some are predicted */
  int ok;       /* collecting */
  struct {
    char name[64];
    uint64_t start, end;
  } * layers;
  size_t nlayers, caplayers;
} cli_timeline_t;

/** An open backend: the golden reference ("cpu"), an OpenCL device, or
 *  the accelerator ("model", "rtl") through the runtime. */
typedef struct {
  const char *name;          /* as given to --backend */
  nc_ocl_t *ocl;             /* opencl: the device context */
  nc_accel_t *acc;           /* model / rtl: the runtime */
  cli_timeline_t *tl;        /* --timeline: where events go, or NULL */
  const char *progress_what; /* label of the progress line */
  double progress_t;         /* last progress update (wall) */
  int quiet;                 /* no progress line */
  int fault_armed;           /* NEOCOG_FAULT is set */
  char algo[40];             /* opencl: algorithm of the last layer run */
} cli_backend_t;

/** Opens a backend by name; reports and returns an exit status on error. */
int cli_backend_open(const char *cmd, const char *name, const char *cl_platform,
                     const char *cl_device, cli_backend_t *b);

/** Runs one layer, checks a non-golden result against golden, and reports
 *  any failure naming `what`; returns 0 or an exit status. `pool` (accelerator
 *  backends only, else NULL) is a pooling layer fused after the layer: `out`
 *  is then the pooling's output, checked against golden conv then golden
 *  pooling, and `mid` (when not NULL) receives the golden conv output.
 *  `ast` (may be NULL) receives the accelerator's figures. */
int cli_backend_run(cli_backend_t *b, const char *what, const nc_layer_t *l,
                    const nc_tensor_t *x, const nc_tensor_t *w,
                    const nc_tensor_t *bias, const nc_layer_t *pool,
                    nc_tensor_t *mid, nc_tensor_t *out, double *seconds,
                    nc_accel_stats_t *ast);

/** Runs layer `l` with the net's `add` statement fused into its store path
 *  (accelerator backends): the add's input `ci` is the layer's output, its
 *  other input `res`. `mid` receives the golden layer output and `out` the
 *  sum, checked against golden layer + the host's add. Returns 0, an exit
 *  status (reported), or -1 without a report when the planner cannot fuse
 *  the add (the caller runs the two apart). */
int cli_backend_run_add(cli_backend_t *b, const char *what, const nc_layer_t *l,
                        const nc_tensor_t *x, const nc_tensor_t *w,
                        const nc_tensor_t *bias, const nc_net_layer_t *add,
                        int ci, const nc_tensor_t *res, nc_tensor_t *mid,
                        nc_tensor_t *out, double *seconds,
                        nc_accel_stats_t *ast);

/** --algo NAME: the opencl backend's float32 conv2d algorithm; a usage
 *  error (reported, exit status returned) for another backend or name. */
int cli_backend_set_algo(const char *cmd, cli_backend_t *b, const char *algo);

/** Whether the backend is the accelerator (model or rtl). */
int cli_backend_is_accel(const cli_backend_t *b);
/* Runs a pooling layer fused after conv2d: model/rtl/lockstep, and OpenCL
 * on a device with neocog's built-in kernels. */
int cli_backend_fuses_pooling(const cli_backend_t *b);

/** Writes a Chrome/Perfetto trace (JSON) of the collected events. */
int cli_write_timeline(const char *path, const char *backend,
                       const cli_timeline_t *tl);

/** Frees a timeline's events. */
void cli_timeline_free(cli_timeline_t *tl);

/** What a backend runs on, for messages ("pthread-skylake-avx512-..."). */
const char *cli_backend_device(const cli_backend_t *b);

/** Closes a backend (safe on a zeroed one). */
void cli_backend_close(cli_backend_t *b);

/** Per-layer result of a run, for the table and --stats. */
typedef struct {
  const char *name; /* layer name */
  nc_layer_kind_t kind;
  nc_tensor_t *out; /* output tensor (shape) */
  long long macs;   /* multiply-accumulates */
  double seconds;   /* wall time of the layer */
  int accel;        /* ast holds the accelerator's figures */
  nc_accel_stats_t ast;
  const char *fused_into; /* pooling run inside this layer's plan, or NULL */
  char algo[40];          /* opencl: the algorithm that ran, else "" */
  /* Graph nodes (out == NULL): the operator, where it ran, its output. */
  const char *op;     /* ONNX operator, or NULL for a network layer */
  const char *ran_on; /* "host", a backend's name, or "fused" */
  char shape[96];     /* output shape, e.g. "[1, 8, 28, 28]" */
  const char *dtype;  /* output element type */
} cli_layer_stat_t;

/** Writes --stats JSON atomically (temporary file + rename). */
int cli_write_stats(const char *path, const char *backend,
                    const cli_layer_stat_t *st, int n);

/** One file a command writes: staged in a temporary file next to `path`
 *  and renamed into place only when every output has been written. */
typedef struct {
  const char *flag; /* "--output", "--stats", "--timeline" */
  const char *path; /* as given; NULL when not asked for */
  char tmp[4096];   /* the temporary while staged, else "" */
} cli_output_t;

/** Checks every asked-for output before the run: an existing path must be
 *  a regular file, its directory must exist and be writable, no two may
 *  name the same path. Creates nothing; reports and returns -1. */
int cli_outputs_stage(cli_output_t *o, int n);

/** Creates the output's temporary file and returns its path, where the
 *  output is to be written; reports and returns NULL on failure. */
const char *cli_output_open(cli_output_t *o);

/** Renames every staged output into place; reports and returns -1, after
 *  removing the temporaries, if one cannot be. */
int cli_outputs_commit(cli_output_t *o, int n);

/** Removes whatever is still staged (safe after a commit). */
void cli_outputs_discard(cli_output_t *o, int n);

/** Reads NEOCOG_TEST_CORRUPT_OUTPUT, NEOCOG_TIMEOUT_MS,
 *  NEOCOG_WATCHDOG_CYCLES and NEOCOG_FAULT into the options, strictly;
 *  *fault_armed says whether NEOCOG_FAULT is set. Reports and returns
 *  CLI_EXIT_USAGE on a bad value, else 0. */
int cli_accel_env(nc_accel_options_t *o, int *fault_armed);

/** For a backend that is not the accelerator: refuses NEOCOG_FAULT (usage
 *  error), which only the accelerator can act on. */
int cli_env_accel_only(const char *cmd, const char *backend);

/** Warns that the armed fault did not fail a layer that succeeded. */
void cli_fault_report(const char *what, const nc_accel_stats_t *s);

/** Seconds from a monotonic clock. */
double cli_now(void);

int cmd_layer(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_regress(int argc, char **argv);
int cmd_classify(int argc, char **argv);

/** Runs every layer of a network on an open backend: acts[0] is the input,
 *  acts[l + 1] receives layer l's output (net->nlayers + 1 entries), ls[l]
 *  its figures. Prints one line per layer unless quiet; returns 0 or an
 *  exit status after reporting. */
int cli_net_forward(cli_backend_t *be, const nc_net_t *net, nc_tensor_t *acts,
                    cli_layer_stat_t *ls, int quiet);

int cmd_quantize(int argc, char **argv);

/** Whether a model path names an ONNX model (ends in .onnx). */
int cli_is_onnx(const char *path);

/** neocog run for an ONNX model: the options from argv[i] on. */
int cmd_run_onnx(const char *path, int argc, char **argv, int i);

/** neocog info for an ONNX model. */
int cmd_info_onnx(const char *path);

/** A graph being run on a backend: which node runs where (lowered layers
 *  on the backend, the rest on the host evaluator) and what each took. */
typedef struct {
  cli_backend_t *be;      /* the backend the layers run on */
  const nc_graph_t *g;    /* the graph (constants folded) */
  void *low;              /* its lowering (neocog/lower.h) */
  cli_layer_stat_t *ns;   /* per node, from the last run */
  void *stash;            /* per node: a fused pooling's output */
  int reported;           /* a failure was already reported */
} cli_graph_t;

/** Folds the graph's constants and lowers it for the open backend (cpu:
 *  integer nodes; opencl: integer and float32; model/rtl/lockstep: integer
 *  with fused pooling). Reports and returns an exit status on failure. */
int cli_graph_open(cli_graph_t *cg, cli_backend_t *be, nc_graph_t *g);

/** Runs the graph once: `in` holds its inputs, `out` receives its outputs
 *  (g->noutputs values). Lowered layers are checked against golden as a
 *  network's are; prints one line per node unless quiet. Returns 0 or an
 *  exit status after reporting. */
int cli_graph_forward(cli_graph_t *cg, const nc_value_t *in, nc_value_t *out,
                      int quiet);

/** Frees what cli_graph_open() made (not the graph or the backend). */
void cli_graph_close(cli_graph_t *cg);

#endif /* NEOCOG_CLI_H */
