/* Private: the evaluator's operator table, shared by the graph checks
 * (graph.c) and the operators themselves (graph_ops.c). */
#ifndef NEOCOG_HOST_GRAPH_INTERNAL_H
#define NEOCOG_HOST_GRAPH_INTERNAL_H

#include "neocog/graph.h"

/** What one node sees while it runs. */
typedef struct {
  const nc_graph_t *g;        /**< the graph (opset) */
  const nc_graph_node_t *n;   /**< the node */
  const nc_value_t *const *x; /**< its inputs, NULL where omitted */
  nc_value_t *y;              /**< its outputs, to allocate */
  char what[192];             /**< "node 'conv1' (Conv)", for details */
} nc__op_ctx_t;

/** One operator the evaluator implements. */
typedef struct {
  const char *op;          /**< ONNX operator type */
  int min_in, max_in;      /**< inputs it takes (optional ones at the end) */
  int max_out;             /**< outputs it can produce */
  const char *const *attr; /**< attributes it knows, NULL-terminated */
  nc_status_t (*run)(nc__op_ctx_t *c); /**< computes c->y from c->x */
} nc__op_t;

/** Element i of a value as a double (0 for a type graphs do not hold). */
double nc__value_at(const nc_value_t *v, size_t i);

/** The operator called `op`, or NULL. */
const nc__op_t *nc__graph_op(const char *op);

/** Comma-separated names of every operator, for messages. */
const char *nc__graph_op_names(void);

/** Checks attribute values the evaluator does not implement (e.g. a
 *  storage order, a training mode) before any run; returns NC_OK or an
 *  NC_ERR_UNSUPPORTED detail naming `what`. */
nc_status_t nc__graph_op_check(const nc_graph_t *g, const nc_graph_node_t *n,
                               const char *what);

#endif /* NEOCOG_HOST_GRAPH_INTERNAL_H */
