/*
 * Graphs of named tensors and their host reference evaluator.
 *
 * A graph is a DAG: each node names the tensors it reads and writes, so
 * residual additions and concatenations are ordinary nodes. Tensors are
 * graph inputs, constants (initializers, which become the weights) or the
 * output of exactly one node. Nodes are kept in an order where every node
 * comes after the nodes it reads from.
 *
 * The operators and their semantics are ONNX's (docs/onnx.md lists them
 * with their attributes), in ONNX's layout: activations NCHW, convolution
 * weights OIHW. The evaluator (nc_graph_run) is the reference every other
 * way of running a graph is checked against; like the layer golden
 * reference it is written to be obviously correct first: float32 sums are
 * accumulated in double and rounded once, integer sums are exact.
 */
#ifndef NEOCOG_GRAPH_H
#define NEOCOG_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Element types of graph tensors, numbered as ONNX's TensorProto numbers
 *  them. Graphs need more types than layers (int64 shapes, 16-bit
 *  quantized values), so these are separate from nc_dtype_t. */
typedef enum {
  NC_ELEM_FLOAT32 = 1, /**< IEEE binary32 */
  NC_ELEM_UINT8 = 2,   /**< unsigned 8-bit */
  NC_ELEM_INT8 = 3,    /**< signed 8-bit */
  NC_ELEM_UINT16 = 4,  /**< unsigned 16-bit */
  NC_ELEM_INT16 = 5,   /**< signed 16-bit */
  NC_ELEM_INT32 = 6,   /**< signed 32-bit */
  NC_ELEM_INT64 = 7,   /**< signed 64-bit (shapes, axes) */
} nc_elem_t;

/** A dense C-order value of a graph tensor that owns its data. */
typedef struct {
  nc_elem_t elem;             /**< element type */
  int ndim;                   /**< number of dimensions, 0 for a scalar */
  int64_t shape[NC_MAX_DIMS]; /**< extent of each dimension, all >= 0 */
  void *data;                 /**< nbytes of elements, NULL when empty */
  size_t nbytes;              /**< numel * element size */
} nc_value_t;

/** Bytes of one element, 0 for a type graphs do not hold. */
size_t nc_elem_size(int elem);

/** "float32", "uint8", ... or "type N" (static buffer) for another ONNX
 *  type number, so a message can name what it refuses. */
const char *nc_elem_name(int elem);

/** Number of elements (1 for a scalar). */
size_t nc_value_numel(const nc_value_t *v);

/**
 * Allocates a zero-filled value. Every extent must be >= 0 and the byte size
 * within the tensor limit (NC_TENSOR_MAX_BYTES): NC_ERR_INVALID_ARG for a
 * negative extent, too many dimensions or a bad type, NC_ERR_OVERFLOW or
 * NC_ERR_UNSUPPORTED for a size beyond it; the detail starts with `what`.
 * On failure *v is left empty.
 */
NC_MUST_CHECK nc_status_t nc_value_alloc(nc_value_t *v, int elem, int ndim,
                                         const int64_t *shape,
                                         const char *what);

/** Releases a value's data and empties it. NULL and empty are fine. */
void nc_value_free(nc_value_t *v);

/** Copies a tensor (int8, uint8, int32 or float32) into a new value. */
NC_MUST_CHECK nc_status_t nc_value_from_tensor(const nc_tensor_t *t,
                                               nc_value_t *v);

/** Copies a value into a new tensor; NC_ERR_UNSUPPORTED for an element type
 *  tensors do not hold (int16, uint16, int64). */
NC_MUST_CHECK nc_status_t nc_value_to_tensor(const nc_value_t *v,
                                             nc_tensor_t *t);

/** "[1, 1, 28, 28]", truncated to fit. */
void nc_value_shape_format(const nc_value_t *v, char *buf, size_t len);

/** Attribute types, numbered as ONNX's AttributeProto numbers them. */
typedef enum {
  NC_ATTR_FLOAT = 1,  /**< f */
  NC_ATTR_INT = 2,    /**< i */
  NC_ATTR_STRING = 3, /**< s */
  NC_ATTR_TENSOR = 4, /**< t */
  NC_ATTR_FLOATS = 6, /**< floats[n] */
  NC_ATTR_INTS = 7,   /**< ints[n] */
} nc_attr_type_t;

/** One attribute of a node. */
typedef struct {
  char *name;          /**< attribute name */
  nc_attr_type_t type; /**< which of the fields below holds it */
  float f;             /**< NC_ATTR_FLOAT */
  int64_t i;           /**< NC_ATTR_INT */
  char *s;             /**< NC_ATTR_STRING, NUL-terminated */
  nc_value_t t;        /**< NC_ATTR_TENSOR */
  int n;               /**< entries of floats or ints */
  float *floats;       /**< NC_ATTR_FLOATS */
  int64_t *ints;       /**< NC_ATTR_INTS */
} nc_attr_t;

/** A tensor of a graph: what is known of it before a run. */
typedef struct {
  char *name;                 /**< unique within the graph */
  int elem;                   /**< element type, 0 when not declared */
  int ndim;                   /**< declared rank, -1 when not declared */
  int64_t shape[NC_MAX_DIMS]; /**< declared extents, -1 where symbolic */
  int is_const;               /**< an initializer: `value` holds it */
  nc_value_t value;           /**< the constant's value */
  int producer;               /**< index of the node writing it, or -1 */
} nc_graph_tensor_t;

/** A node: one operator applied to named tensors. */
typedef struct {
  char *name;      /**< node name (made up from its output when empty) */
  char *op;        /**< operator type, e.g. "Conv" */
  int nin;         /**< number of inputs */
  int *in;         /**< tensor indices; -1 for an omitted optional input */
  int nout;        /**< number of outputs */
  int *out;        /**< tensor indices; -1 for an omitted optional output */
  int nattr;       /**< number of attributes */
  nc_attr_t *attr; /**< attributes */
} nc_graph_node_t;

/** A graph: tensors, nodes in dependency order, inputs and outputs. */
typedef struct {
  char name[64];              /**< the graph's name */
  int64_t opset;              /**< version of the default operator set */
  int ntensors;               /**< number of tensors */
  nc_graph_tensor_t *tensors; /**< every tensor, by index */
  int nnodes;                 /**< number of nodes */
  nc_graph_node_t *nodes;     /**< in dependency order */
  int ninputs;                /**< inputs a run must be given */
  int *inputs;                /**< their tensor indices */
  int noutputs;               /**< outputs a run produces */
  int *outputs;               /**< their tensor indices */
} nc_graph_t;

/** Frees everything a graph owns and empties it. */
void nc_graph_free(nc_graph_t *g);

/** Index of the tensor called `name` (NULL: ""), or -1. */
int nc_graph_find(const nc_graph_t *g, const char *name);

/** The attribute of a node called `name`, or NULL. */
const nc_attr_t *nc_graph_attr(const nc_graph_node_t *n, const char *name);

/** An integer attribute's value, or `def` when the node has none. */
int64_t nc_graph_attr_int(const nc_graph_node_t *n, const char *name,
                          int64_t def);

/** A string attribute's value, or `def` when the node has none. */
const char *nc_graph_attr_str(const nc_graph_node_t *n, const char *name,
                              const char *def);

/**
 * Checks that every node's operator and attributes are ones the evaluator
 * implements (see docs/onnx.md), that every input a node names exists, that
 * each tensor has at most one producer and that the nodes form no cycle,
 * then puts the nodes in dependency order. The first problem is the error,
 * naming the node, its operator and what is missing: NC_ERR_UNSUPPORTED
 * for an operator or attribute the evaluator lacks, NC_ERR_FORMAT for a
 * dangling name, a second producer or a cycle.
 */
NC_MUST_CHECK nc_status_t nc_graph_check(nc_graph_t *g);

/**
 * Runs the graph on the host reference evaluator. `inputs` holds one value
 * per graph input (g->ninputs, in order), each of the declared type and of
 * the declared shape where the shape is not symbolic. `outputs` receives
 * g->noutputs newly allocated values; on failure they are left empty and
 * the detail names the node, its operator and the problem.
 */
NC_MUST_CHECK nc_status_t nc_graph_run(const nc_graph_t *g,
                                       const nc_value_t *inputs,
                                       nc_value_t *outputs);

/** Called with every tensor a node computes, while the run holds it. */
typedef void (*nc_graph_observer_t)(void *ctx, int tensor,
                                    const nc_value_t *value);

/** nc_graph_run() that also shows every computed tensor to `observe`
 *  (calibration reads activation ranges this way). */
NC_MUST_CHECK nc_status_t nc_graph_run_observed(const nc_graph_t *g,
                                                const nc_value_t *inputs,
                                                nc_value_t *outputs,
                                                nc_graph_observer_t observe,
                                                void *ctx);

/**
 * Runs node `node` of the graph on the evaluator: `x` holds its inputs
 * (n->nin entries, NULL where omitted), `y` receives its n->nout outputs
 * (allocated; NULL-valued where the node leaves one out). On failure the
 * outputs are left empty and the detail names the node.
 */
NC_MUST_CHECK nc_status_t nc_graph_node_eval(const nc_graph_t *g, int node,
                                             const nc_value_t *const *x,
                                             nc_value_t *y);

/** Computes one node instead of the evaluator: the arguments are
 *  nc_graph_node_eval()'s, which a dispatcher may call for nodes it does
 *  not run itself. */
typedef nc_status_t (*nc_graph_dispatch_t)(void *ctx, int node,
                                           const nc_value_t *const *x,
                                           nc_value_t *y);

/** nc_graph_run() where `dispatch` computes every node (so that a caller
 *  can run some of them elsewhere, e.g. on the accelerator, and time
 *  each). A dispatcher's failure ends the run with its status. The values
 *  a dispatcher is given and the data of those it returns stay where they
 *  are until the run returns, so it may keep views of them. */
NC_MUST_CHECK nc_status_t nc_graph_run_dispatched(const nc_graph_t *g,
                                                  const nc_value_t *inputs,
                                                  nc_value_t *outputs,
                                                  nc_graph_dispatch_t dispatch,
                                                  void *ctx);

/**
 * Simplifies a checked graph without changing what it computes:
 * - `fold_bn`: a float32 BatchNormalization (inference form) whose input
 *   is the output of a float32 Conv with constant weights, read by nothing
 *   else, is folded into the Conv's weights and bias (w' = w * s,
 *   b' = (b - mean) * s + beta with s = scale / sqrt(var + epsilon),
 *   computed in double); the BatchNormalization node goes.
 * - `fold_const`: every node whose inputs are all constants is evaluated
 *   once and its outputs become constants (e.g. a weight reshaped by a
 *   Reshape node), so that later passes see constant weights; except
 *   DequantizeLinear, which stays so that lowering sees integer weights
 *   and their scales (QDQ form).
 * Graph outputs are kept. *nfolded (may be NULL) receives how many nodes
 * went. Fails only for lack of memory or when a constant node fails to
 * evaluate (the detail names it); the graph is then unusable and must be
 * freed.
 */
NC_MUST_CHECK nc_status_t nc_graph_simplify(nc_graph_t *g, int fold_bn,
                                            int fold_const, int *nfolded);

/**
 * Building a graph in code (the quantizer writes its models this way, tests
 * build small ones). Start from a zeroed nc_graph_t with its name and
 * opset set; add tensors and nodes; then nc_graph_check() it.
 *
 * nc_graph_add_tensor() adds a tensor called `name` (unique): a constant
 * when `value` is not NULL (taken over, emptied), else a declared tensor of
 * `elem` and `shape` (ndim -1: undeclared; extents -1: symbolic). With
 * `is_input` it becomes the next graph input. *index (may be NULL)
 * receives its index. On failure `value` is freed.
 */
NC_MUST_CHECK nc_status_t nc_graph_add_tensor(nc_graph_t *g, const char *name,
                                              int elem, int ndim,
                                              const int64_t *shape,
                                              nc_value_t *value, int is_input,
                                              int *index);

/** Marks tensor t as the next graph output. */
NC_MUST_CHECK nc_status_t nc_graph_add_output(nc_graph_t *g, int t);

/**
 * Adds node `name` applying `op` to tensors `in` (nin; -1 for an omitted
 * input) writing `out` (nout). *index (may be NULL) receives its index.
 */
NC_MUST_CHECK nc_status_t nc_graph_add_node(nc_graph_t *g, const char *name,
                                            const char *op, int nin,
                                            const int *in, int nout,
                                            const int *out, int *index);

/**
 * Adds an attribute to node `node`: NC_ATTR_INT takes ints[0],
 * NC_ATTR_INTS the n values of ints, NC_ATTR_FLOAT takes f, NC_ATTR_STRING
 * takes s.
 */
NC_MUST_CHECK nc_status_t nc_graph_add_attr(nc_graph_t *g, int node,
                                            const char *name,
                                            nc_attr_type_t type, int n,
                                            const int64_t *ints, float f,
                                            const char *s);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_GRAPH_H */
