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
#include "neocog/error.h"
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
  /* Per tensor, for the run in progress: a view of its value (the run
   * keeps the data until it returns), whether there is one, and whether
   * the value is a placeholder (a fused node left its value to a layer). */
  nc_value_t *view;
  char *have, *ph;
  /* Per node: its layer ran this run; its fused Add ran with it (in the
   * store path, or on the host after the layer). */
  char *done, *add_done, *add_host;
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
  int flags = NC_LOWER_INT | NC_LOWER_FUSE_ADD;
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
    const size_t nt = (size_t)g->ntensors + 1, nn = (size_t)g->nnodes + 1;
    gs->names = calloc(nn, sizeof *gs->names);
    gs->view = calloc(nt, sizeof *gs->view);
    gs->have = calloc(nt, 1);
    gs->ph = calloc(nt, 1);
    gs->done = calloc(nn, 1);
    gs->add_done = calloc(nn, 1);
    gs->add_host = calloc(nn, 1);
  }
  cg->low = gs;
  if (gs == NULL || gs->names == NULL || gs->view == NULL ||
      gs->have == NULL || gs->ph == NULL || gs->done == NULL ||
      gs->add_done == NULL || gs->add_host == NULL || cg->ns == NULL ||
      cg->stash == NULL) {
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
    free(gs->view);
    free(gs->have);
    free(gs->ph);
    free(gs->done);
    free(gs->add_done);
    free(gs->add_host);
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

/* The value of tensor t during the run, or NULL when it has none yet. */
static const nc_value_t *value_of_(const cli_graph_t *cg, int t) {
  const gstate_t *gs = cg->low;
  if (t < 0) {
    return NULL;
  }
  if (cg->g->tensors[t].is_const) {
    return &cg->g->tensors[t].value;
  }
  return gs->have[t] ? &gs->view[t] : NULL;
}

/* Node k on the host evaluator. An input that is a placeholder (a fused
 * node left its value to a layer that then did not take it) is computed
 * first from its producer's inputs. `x` may be NULL: the inputs are then
 * looked up. */
static nc_status_t host_eval_(cli_graph_t *cg, int k,
                              const nc_value_t *const *x, nc_value_t *y,
                              int depth) {
  const gstate_t *gs = cg->low;
  const nc_graph_node_t *n = &cg->g->nodes[k];
  if (n->nin > 64 || n->nout > 8 || depth > 8) {
    return nc__fail(NC_ERR_UNSUPPORTED, "node '%s' (%s): too deep a chain "
                    "of fused nodes to run on the host", n->name, n->op);
  }
  const nc_value_t *xs[64] = {0};
  nc_value_t tmp[64];
  memset(tmp, 0, sizeof(nc_value_t) * (size_t)(n->nin > 0 ? n->nin : 1));
  nc_status_t st = NC_OK;
  for (int i = 0; i < n->nin && st == NC_OK; i++) {
    const int t = n->in[i];
    if (t < 0) {
      continue;
    }
    if (!gs->ph[t]) {
      xs[i] = x != NULL ? x[i] : value_of_(cg, t);
      if (xs[i] == NULL) {
        st = nc__fail(NC_ERR_FORMAT, "node '%s' (%s): input %d has no value",
                      n->name, n->op, i);
      }
      continue;
    }
    const int p = cg->g->tensors[t].producer;
    nc_value_t py[8];
    memset(py, 0, sizeof py);
    st = host_eval_(cg, p, NULL, py, depth + 1);
    for (int o = 0; o < cg->g->nodes[p].nout && o < 8; o++) {
      if (st == NC_OK && cg->g->nodes[p].out[o] == t) {
        tmp[i] = py[o];
      } else {
        nc_value_free(&py[o]);
      }
    }
    xs[i] = &tmp[i];
  }
  if (st == NC_OK) {
    st = nc_graph_node_eval(cg->g, k, xs, y);
  }
  for (int i = 0; i < n->nin; i++) {
    nc_value_free(&tmp[i]);
  }
  return st;
}

/* The residual of a fused Add as an NHWC tensor, when it is the layer's
 * output's shape and type (else the Add runs on the host, the same on
 * every backend). */
static int residual_(const cli_graph_t *cg, const nc_lowered_node_t *ln,
                     const nc_tensor_t *xt, nc_tensor_t *res) {
  const nc_value_t *r = value_of_(cg, ln->residual);
  nc_geom_t geo;
  const int64_t blen =
      ln->bias.ndim ? (int64_t)nc_tensor_numel(&ln->bias) : -1;
  if (r == NULL ||
      r->elem != (ln->layer.rq.out_dtype == NC_DTYPE_UINT8 ? NC_ELEM_UINT8
                                                           : NC_ELEM_INT8) ||
      nc_layer_geometry(&ln->layer, xt->shape, xt->ndim, ln->weights.shape,
                        ln->weights.ndim, blen, &geo) != NC_OK) {
    nc_error_clear();
    return 0;
  }
  const int fc = ln->layer.kind == NC_LAYER_FC;
  const int64_t want[4] = {geo.n, geo.oc, geo.oh, geo.ow};
  if (r->ndim != (fc ? 2 : 4) ||
      memcmp(r->shape, want, (size_t)r->ndim * sizeof want[0]) != 0) {
    return 0;
  }
  return nc_value_to_nhwc(r, res) == NC_OK;
}

/* Runs lowered node k's layer on the backend with what is fused into it:
 * `lay` receives the layer's output, `fin` that of a fused pooling or Add
 * (empty when there is none). Returns 0 or an exit status (reported). */
static int run_layer_(cli_graph_t *cg, int k, const nc_tensor_t *xt,
                      nc_tensor_t *lay, nc_tensor_t *fin, int *added,
                      int *on_host, cli_layer_stat_t *s) {
  gstate_t *gs = cg->low;
  const nc_lowered_node_t *ln = &gs->low.node[k];
  const nc_tensor_t *w = ln->weights.ndim ? &ln->weights : NULL;
  const nc_tensor_t *b = ln->bias.ndim ? &ln->bias : NULL;
  char what[160];
  snprintf(what, sizeof what, "node '%s' (%s)", s->name, s->op);
  cg->be->progress_what = what;
  double secs = 0;
  *added = 0;
  *on_host = 0;
  nc_tensor_t res = {0};
  if (ln->add_node < 0 || !residual_(cg, ln, xt, &res)) {
    const int pooled = ln->pool >= 0;
    const int rc = cli_backend_run(cg->be, what, &ln->layer, xt, w, b,
                                   pooled ? &ln->pool_layer : NULL,
                                   pooled ? lay : NULL, pooled ? fin : lay,
                                   &secs, &s->ast);
    return rc;
  }
  /* The Add: in the accelerator's store path when the planner fuses it,
   * else TFLite's arithmetic on the host after the layer (cpu, opencl). */
  nc_net_layer_t *nl = calloc(1, sizeof *nl);
  if (nl == NULL) {
    nc_tensor_free(&res);
    fprintf(stderr, "neocog: out of memory\n");
    return CLI_EXIT_FAIL;
  }
  nl->op = NC_NET_ADD;
  nl->nin = 2;
  nl->add = ln->add;
  int rc = -1;
  if (cli_backend_is_accel(cg->be)) {
    rc = cli_backend_run_add(cg->be, what, &ln->layer, xt, w, b, nl, 0, &res,
                             lay, fin, &secs, &s->ast);
  }
  *on_host = rc == -1;
  if (rc == -1) {
    rc = cli_backend_run(cg->be, what, &ln->layer, xt, w, b, NULL, NULL, lay,
                         &secs, &s->ast);
    if (rc == 0) {
      const nc_tensor_t *ins[2] = {lay, &res};
      const nc_status_t st = nc_net_host_op(nl, ins, fin);
      if (st != NC_OK) {
        cli_report(what, st);
        nc_tensor_free(lay);
        rc = CLI_EXIT_FAIL;
      }
    }
  }
  *added = rc == 0;
  free(nl);
  nc_tensor_free(&res);
  return rc;
}

static nc_status_t dispatch_(void *ctx, int k, const nc_value_t *const *x,
                             nc_value_t *y) {
  cli_graph_t *cg = ctx;
  gstate_t *gs = cg->low;
  const nc_graph_node_t *n = &cg->g->nodes[k];
  const nc_lowered_node_t *ln = &gs->low.node[k];
  nc_value_t *stash = cg->stash;
  cli_layer_stat_t *s = &cg->ns[k];
  memset(s, 0, sizeof *s);
  s->name = gs->names[k].name;
  s->op = n->op;
  s->ran_on = "host";
  const double t0 = cli_now();
  nc_status_t st = NC_OK;
  int placeholder = 0;
  const nc_value_t *xin = ln->src >= 0 ? value_of_(cg, ln->src) : x[0];
  if (ln->where == NC_NODE_FUSED) {
    /* What a layer computed for this node is in its stash; a node inside
     * the fused chain has no value of its own (a placeholder); when the
     * layer did not run (or its Add did not), the node runs on the host. */
    const int a = ln->into;
    int a_ran = 1;
    if (stash[k].data != NULL) {
      y[0] = stash[k];
      memset(&stash[k], 0, sizeof stash[k]);
    } else if (k < a || (ln->add_part ? gs->add_done[a] : gs->done[a])) {
      placeholder = 1;
    } else {
      st = host_eval_(cg, k, x, y, 0);
      a_ran = 0;
    }
    if (a_ran && !(ln->add_part && gs->add_host[a])) {
      s->ran_on = "fused";
      s->fused_into = gs->names[k].into;
    }
  } else if (ln->where == NC_NODE_HOST || xin == NULL || !fits_(ln, xin)) {
    st = host_eval_(cg, k, x, y, 0);
  } else {
    nc_tensor_t xt = {0}, lay = {0}, fin = {0};
    st = nc_value_to_nhwc(xin, &xt);
    if (st != NC_OK) {
      return st;
    }
    int added = 0, on_host = 0;
    if (run_layer_(cg, k, &xt, &lay, &fin, &added, &on_host, s) != 0) {
      nc_tensor_free(&xt);
      cg->reported = 1;
      return NC_ERR_MISMATCH;
    }
    s->ran_on = cg->be->name;
    s->accel = cli_backend_is_accel(cg->be);
    s->macs = macs_(ln, &xt);
    snprintf(s->algo, sizeof s->algo, "%s",
             cg->be->ocl != NULL ? cg->be->algo : "");
    st = nc_value_from_nhwc(&lay, &y[0]);
    if (st == NC_OK && ln->out_node >= 0) {
      st = nc_value_from_nhwc(&lay, &stash[ln->out_node]);
    }
    if (st == NC_OK && fin.data != NULL) {
      st = nc_value_from_nhwc(&fin, &stash[added ? ln->add_node : ln->pool]);
    }
    gs->done[k] = st == NC_OK;
    gs->add_done[k] = st == NC_OK && added;
    gs->add_host[k] = (char)on_host;
    nc_tensor_free(&xt);
    nc_tensor_free(&lay);
    nc_tensor_free(&fin);
  }
  s->seconds = cli_now() - t0;
  /* A placeholder's view holds only its shape: its input's, since the
   * nodes fused around a layer are element-wise. */
  nc_value_t shape_only = {0};
  const nc_value_t *in0 = n->nin > 0 ? value_of_(cg, n->in[0]) : NULL;
  if (placeholder && in0 != NULL) {
    shape_only.ndim = in0->ndim;
    memcpy(shape_only.shape, in0->shape, sizeof shape_only.shape);
  }
  for (int o = 0; st == NC_OK && o < n->nout && o < 8; o++) {
    if (n->out[o] >= 0) {
      gs->view[n->out[o]] = placeholder ? shape_only : y[o];
      gs->have[n->out[o]] = 1;
      gs->ph[n->out[o]] = (char)placeholder;
    }
  }
  if (placeholder) {
    nc_value_shape_format(&shape_only, s->shape, sizeof s->shape);
    s->dtype = "-";
  } else if (st == NC_OK && n->nout > 0 && n->out[0] >= 0) {
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
  gstate_t *gs = cg->low;
  memset(gs->have, 0, (size_t)g->ntensors);
  memset(gs->ph, 0, (size_t)g->ntensors);
  memset(gs->done, 0, (size_t)g->nnodes);
  memset(gs->add_done, 0, (size_t)g->nnodes);
  memset(gs->add_host, 0, (size_t)g->nnodes);
  for (int i = 0; i < g->ninputs; i++) {
    gs->view[g->inputs[i]] = in[i];
    gs->have[g->inputs[i]] = 1;
  }
  nc_status_t st = nc_graph_run_dispatched(g, in, out, dispatch_, cg);
  if (st != NC_OK) {
    if (!cg->reported) {
      cli_report("model", st);
    }
    return CLI_EXIT_FAIL;
  }
  /* A fused node that ran before its layer did not know whether the
   * layer (or its Add) would take it: where it did not, the node's work
   * was done on the host. */
  for (int k = 0; k < g->nnodes; k++) {
    const nc_lowered_node_t *ln = &gs->low.node[k];
    const int a = ln->into;
    if (ln->where == NC_NODE_FUSED &&
        (ln->add_part ? !gs->add_done[a] || gs->add_host[a] : !gs->done[a])) {
      cg->ns[k].ran_on = "host";
      cg->ns[k].fused_into = NULL;
    }
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
