/* Fuzz target: the ONNX importer (nc_onnx_parse, nc_onnx_parse_tensor). An
 * accepted model is a graph whose nodes come in dependency order and whose
 * every index is in range; an accepted tensor holds exactly its shape's
 * bytes; a refused input leaves nothing allocated and says why in one
 * printable line. Tensors are held to 256 KiB so each input stays cheap. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "neocog/onnx.h"

static void check_detail_(void) {
  for (const char *p = nc_error_detail(); *p != '\0'; p++) {
    if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
      abort();
    }
  }
}

static void check_graph_(const nc_graph_t *g) {
  for (int k = 0; k < g->nnodes; k++) {
    const nc_graph_node_t *n = &g->nodes[k];
    for (int i = 0; i < n->nin; i++) {
      const int t = n->in[i];
      if (t < -1 || t >= g->ntensors ||
          (t >= 0 && g->tensors[t].producer >= k)) {
        abort(); /* an input out of range or not yet computed */
      }
    }
    for (int o = 0; o < n->nout; o++) {
      if (n->out[o] < -1 || n->out[o] >= g->ntensors ||
          (n->out[o] >= 0 && g->tensors[n->out[o]].producer != k)) {
        abort();
      }
    }
  }
  for (int i = 0; i < g->noutputs; i++) {
    if (g->outputs[i] < 0 || g->outputs[i] >= g->ntensors) {
      abort();
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nc__tensor_set_max_bytes(UINT64_C(1) << 18);
  nc_graph_t g;
  if (nc_onnx_parse(data, size, "fuzz.onnx", &g) == NC_OK) {
    check_graph_(&g);
    nc_graph_free(&g);
  } else {
    check_detail_();
    if (g.tensors != NULL || g.nodes != NULL || g.nnodes != 0) {
      abort(); /* a refused model leaves the graph empty */
    }
  }
  nc_value_t v;
  if (nc_onnx_parse_tensor(data, size, "fuzz.pb", &v) == NC_OK) {
    if (v.nbytes != nc_value_numel(&v) * nc_elem_size(v.elem)) {
      abort();
    }
    nc_value_free(&v);
  } else {
    check_detail_();
    if (v.data != NULL || v.nbytes != 0) {
      abort();
    }
  }
  nc__tensor_set_max_bytes(0);
  return 0;
}
