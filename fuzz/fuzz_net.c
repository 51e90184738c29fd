/* Fuzz target: the network parser (nc_net_parse), with the shapes,
 * random weights and geometry it derives. Weight files are looked for in a
 * directory that does not exist, so a run reads no file; tensors are held
 * to 256 KiB so that a line like `fc units=16777216` costs a refusal, not
 * seconds of random numbers. Messages must be one printable line. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "neocog/net.h"
#include "neocog/status.h"

static void check_detail_(void) {
  const char *d = nc_error_detail();
  for (const char *p = d; *p != '\0'; p++) {
    if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
      abort();
    }
  }
  if (strlen(d) > 600) {
    abort(); /* messages quote file text in bounded pieces */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nc__tensor_set_max_bytes(UINT64_C(1) << 18);
  char *text = malloc(size + 1);
  if (text == NULL) {
    return 0;
  }
  memcpy(text, data, size);
  text[size] = '\0';
  nc_net_t net;
  nc_status_t st =
      nc_net_parse(text, "fuzz.net", "/nonexistent-neocog-fuzz", &net);
  free(text);
  if (st != NC_OK) {
    check_detail_();
    if (net.layers != NULL || net.nlayers != 0) {
      abort(); /* a refused file leaves nothing allocated */
    }
    return 0;
  }
  nc_geom_t *g = calloc((size_t)net.nlayers, sizeof *g);
  if (g != NULL) {
    if (nc_net_geometry(&net, 1, g) != NC_OK) {
      abort(); /* parsing checked every layer's geometry already */
    }
    for (int i = 0; i < net.nlayers; i++) {
      (void)nc_net_layer_out_dtype(&net, i);
    }
    free(g);
  }
  nc_tensor_t x;
  if (nc_net_random_input(&net, 1, &x) == NC_OK) {
    nc_tensor_free(&x);
  }
  nc_net_free(&net);
  return 0;
}
