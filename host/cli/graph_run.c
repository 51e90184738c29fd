/*
 * Runs a graph on any backend: the nodes neocog/lower.h turns into layers
 * run on the backend through cli_backend_run() (planned, run and checked
 * against golden as a network's layers are), the others on the host
 * evaluator between them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/cli/cli.h"
#include "neocog/lower.h"
#include "neocog/text.h"

/* Per node: its name, safe to print and to write into JSON. */
typedef struct {
  char name[64];
  char into[64];
} names_t;

typedef struct {
  nc_lowering_t low;
  names_t *names;
} gstate_t;

static void safe_name_(const char *from, char *to, size_t len) {
  size_t j = 0;
  for (size_t i = 0; from != NULL && from[i] != '\0' && j + 1 < len; i++) {
    const unsigned char c = (unsigned char)from[i];
    to[j++] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '?';
  }
  to[j] = '\0';
}

int cli_graph_open(cli_graph_t *cg, cli_backend_t *be, nc_graph_t *g) {
  memset(cg, 0, sizeof *cg);
  int nf = 0;
  nc_status_t st = nc_graph_simplify(g, 0, 1, &nf);
  if (st != NC_OK) {
    cli_report("model", st);
    return CLI_EXIT_FAIL;
  }
  int flags = NC_LOWER_INT;
  if (be->ocl != NULL) {
    flags |= NC_LOWER_FLOAT;
  }
  if (cli_backend_fuses_pooling(be)) {
    flags |= NC_LOWER_FUSE_POOL;
  }
  gstate_t *gs = calloc(1, sizeof *gs);
  cg->ns = calloc((size_t)g->nnodes + 1, sizeof *cg->ns);
  cg->stash = calloc((size_t)g->nnodes + 1, sizeof(nc_value_t));
  if (gs != NULL) {
    gs->names = calloc((size_t)g->nnodes + 1, sizeof *gs->names);
  }
  cg->low = gs;
  if (gs == NULL || gs->names == NULL || cg->ns == NULL || cg->stash == NULL) {
    fprintf(stderr, "neocog: out of memory\n");
    cli_graph_close(cg);
    return CLI_EXIT_FAIL;
  }
  st = nc_graph_lower(g, flags, &gs->low);
  if (st != NC_OK) {
    cli_report("model", st);
    cli_graph_close(cg);
    return CLI_EXIT_FAIL;
  }
  for (int k = 0; k < g->nnodes; k++) {
    safe_name_(g->nodes[k].name, gs->names[k].name, sizeof gs->names[k].name);
    const int into = gs->low.node[k].into;
    if (into >= 0) {
      safe_name_(g->nodes[into].name, gs->names[k].into,
                 sizeof gs->names[k].into);
    }
  }
  cg->be = be;
  cg->g = g;
  return 0;
}

void cli_graph_close(cli_graph_t *cg) {
  gstate_t *gs = cg->low;
  nc_value_t *stash = cg->stash;
  for (int k = 0; stash != NULL && cg->g != NULL && k < cg->g->nnodes; k++) {
    nc_value_free(&stash[k]);
  }
  if (gs != NULL) {
    nc_lowering_free(&gs->low);
    free(gs->names);
  }
  free(gs);
  free(stash);
  free(cg->ns);
  memset(cg, 0, sizeof *cg);
}

/* Whether a lowered node's layer takes this runtime input: a conv or
 * pooling a 4-D value, an fc a 2-D one, of the layer's number kind.
 * Otherwise the node runs on the host (the same on every backend). */
static int fits_(const nc_lowered_node_t *ln, const nc_value_t *x) {
  const int fl = x->elem == NC_ELEM_FLOAT32;
  const int pool = ln->layer.kind == NC_LAYER_MAXPOOL ||
                   ln->layer.kind == NC_LAYER_AVGPOOL;
  if (!pool && fl != (ln->weights.dtype == NC_DTYPE_FLOAT32)) {
    return 0;
  }
  if (!fl && x->elem != NC_ELEM_UINT8 && x->elem != NC_ELEM_INT8) {
    return 0;
  }
  return ln->layer.kind == NC_LAYER_FC ? x->ndim == 2 : x->ndim == 4;
}

/* MACs of a lowered layer on input x, for the table. */
static long long macs_(const nc_lowered_node_t *ln, const nc_tensor_t *x) {
  nc_geom_t geo;
  const int64_t blen =
      ln->bias.ndim ? (int64_t)nc_tensor_numel(&ln->bias) : -1;
  if (nc_layer_geometry(&ln->layer, x->shape, x->ndim,
                        ln->weights.ndim ? ln->weights.shape : NULL,
                        ln->weights.ndim, blen, &geo) != NC_OK) {
    return 0;
  }
  return (long long)geo.macs;
}

static nc_status_t dispatch_(void *ctx, int k, const nc_value_t *const *x,
                             nc_value_t *y) {
  cli_graph_t *cg = ctx;
  gstate_t *gs = cg->low;
  const nc_graph_node_t *n = &cg->g->nodes[k];
  nc_lowered_node_t *ln = &gs->low.node[k];
  nc_value_t *stash = cg->stash;
  cli_layer_stat_t *s = &cg->ns[k];
  memset(s, 0, sizeof *s);
  s->name = gs->names[k].name;
  s->op = n->op;
  const double t0 = cli_now();
  nc_status_t st = NC_OK;
  if (ln->where == NC_NODE_FUSED) {
    /* A pooling run in its conv's plan left its output here; a Relu
     * fused as the conv's activation passes the activated value on. */
    s->ran_on = "fused";
    s->fused_into = gs->names[k].into;
    if (stash[k].data != NULL) {
      y[0] = stash[k];
      memset(&stash[k], 0, sizeof stash[k]);
    } else {
      st = nc_value_alloc(&y[0], x[0]->elem, x[0]->ndim, x[0]->shape, "value");
      if (st == NC_OK && y[0].nbytes > 0) {
        memcpy(y[0].data, x[0]->data, y[0].nbytes);
      }
    }
  } else if (ln->where == NC_NODE_HOST || x[0] == NULL || !fits_(ln, x[0])) {
    s->ran_on = "host";
    st = nc_graph_node_eval(cg->g, k, x, y);
  } else {
    char what[160];
    snprintf(what, sizeof what, "node '%s' (%s)", s->name, n->op);
    nc_tensor_t xt = {0}, out = {0}, mid = {0};
    st = nc_value_to_nhwc(x[0], &xt);
    if (st != NC_OK) {
      return st;
    }
    const int pooled = ln->pool >= 0;
    double secs = 0;
    cg->be->progress_what = what;
    const int rc = cli_backend_run(
        cg->be, what, &ln->layer, &xt, ln->weights.ndim ? &ln->weights : NULL,
        ln->bias.ndim ? &ln->bias : NULL, pooled ? &ln->pool_layer : NULL,
        pooled ? &mid : NULL, &out, &secs, &s->ast);
    if (rc != 0) {
      nc_tensor_free(&xt);
      cg->reported = 1;
      return NC_ERR_MISMATCH;
    }
    s->ran_on = cg->be->name;
    s->accel = cli_backend_is_accel(cg->be);
    s->macs = macs_(ln, &xt);
    snprintf(s->algo, sizeof s->algo, "%s",
             cg->be->ocl != NULL ? cg->be->algo : "");
    st = nc_value_from_nhwc(pooled ? &mid : &out, &y[0]);
    if (st == NC_OK && pooled) {
      st = nc_value_from_nhwc(&out, &stash[ln->pool]);
    }
    nc_tensor_free(&xt);
    nc_tensor_free(&out);
    nc_tensor_free(&mid);
  }
  s->seconds = cli_now() - t0;
  if (st == NC_OK && n->nout > 0 && n->out[0] >= 0) {
    nc_value_shape_format(&y[0], s->shape, sizeof s->shape);
    s->dtype = nc_elem_name(y[0].elem);
  } else {
    snprintf(s->shape, sizeof s->shape, "[]");
    s->dtype = "none";
  }
  return st;
}

int cli_graph_forward(cli_graph_t *cg, const nc_value_t *in, nc_value_t *out,
                      int quiet) {
  const nc_graph_t *g = cg->g;
  nc_value_t *stash = cg->stash;
  for (int k = 0; k < g->nnodes; k++) {
    nc_value_free(&stash[k]);
  }
  cg->reported = 0;
  nc_status_t st = nc_graph_run_dispatched(g, in, out, dispatch_, cg);
  if (st != NC_OK) {
    if (!cg->reported) {
      cli_report("model", st);
    }
    return CLI_EXIT_FAIL;
  }
  if (quiet) {
    return 0;
  }
  const int accel = cli_backend_is_accel(cg->be);
  printf("%-20s %-14s %-8s %-20s %-7s %10s %10s%s\n", "node", "operator",
         "ran on", "output", "dtype", "ms", accel ? "cycles" : "MACs",
         accel ? "   util" : "");
  for (int k = 0; k < g->nnodes; k++) {
    const cli_layer_stat_t *s = &cg->ns[k];
    char extra[96] = "";
    if (s->fused_into != NULL) {
      snprintf(extra, sizeof extra, "  (fused into %s)", s->fused_into);
    }
    if (accel && s->accel) {
      printf("%-20s %-14s %-8s %-20s %-7s %10.2f %10llu %5.1f%%\n", s->name,
             s->op, s->ran_on, s->shape, s->dtype, s->seconds * 1e3,
             (unsigned long long)s->ast.cycles, 100.0 * s->ast.pe_utilization);
    } else if (s->macs > 0) {
      printf("%-20s %-14s %-8s %-20s %-7s %10.2f %10lld%s\n", s->name, s->op,
             s->ran_on, s->shape, s->dtype, s->seconds * 1e3, s->macs, extra);
    } else {
      printf("%-20s %-14s %-8s %-20s %-7s %10.2f %10s%s\n", s->name, s->op,
             s->ran_on, s->shape, s->dtype, s->seconds * 1e3, "-", extra);
    }
  }
  return 0;
}
