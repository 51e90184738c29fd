/*
 * A whole network on the accelerator, layer after layer, each checked
 * against the golden CPU reference.
 *
 *   network NET.net [model|rtl|lockstep]
 *
 * The network file (docs/network-format.md) gives the input shape and the
 * layers; weights come from .npy files next to it or from its seed. Each
 * layer's output is the next one's input.
 */
#include <neocog/accel.h>
#include <neocog/check.h>
#include <neocog/net.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: network NET.net [model|rtl|lockstep]\n");
    return 2;
  }
  const char *backend = argc > 2 ? argv[2] : "model";
  nc_net_t net;
  nc_status_t st = nc_net_load(argv[1], &net);
  if (st != NC_OK) {
    fprintf(stderr, "network: %s\n", nc_error_detail());
    return 1;
  }
  nc_accel_options_t opt;
  nc_accel_options_default(&opt);
  nc_accel_t *acc = NULL;
  nc_tensor_t in = {0}, out = {0};
  st = nc_accel_open(backend, &opt, &acc);
  if (st == NC_OK) {
    st = nc_net_random_input(&net, net.seed, &in);
  }
  uint64_t cycles = 0;
  for (int i = 0; st == NC_OK && i < net.nlayers; i++) {
    const nc_net_layer_t *L = &net.layers[i];
    const nc_plan_req_t req = {
        .layer = &L->spec.layer,
        .input = &in,
        .weights = L->weights.data != NULL ? &L->weights : NULL,
        .bias = L->bias.data != NULL ? &L->bias : NULL};
    nc_accel_stats_t s;
    st = nc_accel_run(acc, &req, &out, &s);
    if (st == NC_OK) {
      st = nc_check_layer(req.layer, req.input, req.weights, req.bias, &out, 0,
                          NULL);
    }
    if (st == NC_OK) {
      printf("%-8s %-8s %10llu cycles  %5.1f%% of the array  golden\n",
             L->spec.name, nc_layer_kind_name(L->spec.layer.kind),
             (unsigned long long)s.cycles, 100.0 * s.pe_utilization);
      cycles += s.cycles;
      nc_tensor_free(&in);
      in = out; /* the next layer's input */
      out = (nc_tensor_t){0};
    }
  }
  if (st != NC_OK) {
    fprintf(stderr, "network: %s: %s\n", nc_strerror(st), nc_error_detail());
  } else {
    printf("%s on %s: %llu cycles, every layer matches golden\n", net.name,
           backend, (unsigned long long)cycles);
  }
  nc_tensor_free(&in);
  nc_tensor_free(&out);
  nc_accel_close(acc);
  nc_net_free(&net);
  return st != NC_OK;
}
