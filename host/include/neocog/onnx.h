/*
 * ONNX models and tensors.
 *
 * The protobuf parser is generated at build time by protoc-c from the
 * onnx.proto the system's ONNX development package ships; this module turns
 * a parsed ModelProto into a graph (neocog/graph.h). Everything in the file
 * is checked before it is used: a truncated or corrupt file, a tensor whose
 * data does not match its shape, a huge dimension, a dangling name or a
 * cycle is one error with a detail, and an operator or attribute the
 * evaluator lacks is an error naming the node, the operator and what is
 * missing.
 */
#ifndef NEOCOG_ONNX_H
#define NEOCOG_ONNX_H

#include <stddef.h>

#include "neocog/graph.h"
#include "neocog/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest ONNX file neocog reads: 1 GiB. */
#define NC_ONNX_MAX_FILE_BYTES (UINT64_C(1) << 30)

/**
 * Parses an in-memory ONNX model into *g (initializers become constant
 * tensors) and checks it with nc_graph_check(). Only the default operator
 * set ("" or "ai.onnx") is accepted. `origin` names the source in details.
 * On failure *g is left empty.
 */
NC_MUST_CHECK nc_status_t nc_onnx_parse(const void *buf, size_t len,
                                        const char *origin, nc_graph_t *g);

/** Reads an ONNX model file; see nc_onnx_parse(). */
NC_MUST_CHECK nc_status_t nc_onnx_load(const char *path, nc_graph_t *g);

/**
 * Parses a serialized TensorProto (as ONNX's test data stores inputs and
 * expected outputs) into a new value. Raw and typed data fields are read;
 * external data and element types graphs do not hold are NC_ERR_UNSUPPORTED.
 */
NC_MUST_CHECK nc_status_t nc_onnx_parse_tensor(const void *buf, size_t len,
                                               const char *origin,
                                               nc_value_t *v);

/** Reads a serialized TensorProto file; see nc_onnx_parse_tensor(). */
NC_MUST_CHECK nc_status_t nc_onnx_load_tensor(const char *path, nc_value_t *v);

/**
 * Writes a graph as an ONNX model (IR version 8, the graph's opset of the
 * default domain): constants become initializers (raw little-endian data),
 * inputs and outputs are declared with their element type and shape
 * (symbolic extents as the parameter "N"), nodes keep their attributes
 * (int, ints, float, string). The file is written to a temporary next to
 * `path` and renamed into place. nc_onnx_load() reads it back to the same
 * graph.
 */
NC_MUST_CHECK nc_status_t nc_onnx_save(const nc_graph_t *g, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_ONNX_H */
