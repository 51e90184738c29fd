/* Layer options (nc_spec_*) and the network text format (nc_net_*). */
#include "neocog/net.h"
#include "tests/common.h"

Test(spec, options_set_layer_fields) {
  nc_spec_t s;
  nc_spec_init(&s, NC_LAYER_CONV2D);
  cr_assert_eq(nc_spec_set(&s, "stride", "2x3"), NC_OK);
  cr_expect(s.layer.stride_h == 2 && s.layer.stride_w == 3);
  cr_assert_eq(nc_spec_set(&s, "pad", "1,2,3,4"), NC_OK);
  cr_expect(s.layer.pad_top == 1 && s.layer.pad_bottom == 2 &&
            s.layer.pad_left == 3 && s.layer.pad_right == 4);
  cr_assert_eq(nc_spec_set(&s, "pad", "2,5"), NC_OK);
  cr_expect(s.layer.pad_top == 2 && s.layer.pad_bottom == 2 &&
            s.layer.pad_left == 5 && s.layer.pad_right == 5);
  cr_assert_eq(nc_spec_set(&s, "pad", "same"), NC_OK);
  cr_expect_eq(s.layer.pad_mode, NC_PAD_SAME);
  cr_assert_eq(nc_spec_set(&s, "dilation", "2"), NC_OK);
  cr_expect(s.layer.dil_h == 2 && s.layer.dil_w == 2);
  cr_assert_eq(nc_spec_set(&s, "groups", "4"), NC_OK);
  cr_expect_eq(s.layer.groups, 4);
  cr_assert_eq(nc_spec_set(&s, "in_zp", "-7"), NC_OK);
  cr_expect(s.layer.in_zp == -7 && s.layer.pad_value == -7);
  cr_assert_eq(nc_spec_set(&s, "pad_value", "3"), NC_OK);
  cr_expect(s.layer.in_zp == -7 && s.layer.pad_value == 3);
}

Test(spec, bad_values_are_rejected_with_detail) {
  static const char *bad[][3] = {
      {"stride", "0", "stride"},      {"stride", "-2", "stride"},
      {"stride", "two", "integer"},   {"pad", "-1", "pad"},
      {"pad", "1,2,3", "pad"},        {"dilation", "0", "dilation"},
      {"groups", "0", "groups"},      {"size", "3x", "size"},
      {"scale", "0", "scale"},        {"scale", "nan", "scale"},
      {"shift", "31", "shift"},       {"mult", "-1", "mult"},
      {"act", "gelu", "gelu"},        {"clamp", "5,1", "clamp"},
      {"out_dtype", "int32", "int8"}, {"bogus", "1", "bogus"},
      {"in_zp", "300", "in_zp"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    nc_spec_t s;
    nc_spec_init(&s, NC_LAYER_CONV2D);
    cr_expect_eq(nc_spec_set(&s, bad[i][0], bad[i][1]), NC_ERR_INVALID_ARG,
                 "%s=%s accepted", bad[i][0], bad[i][1]);
    cr_expect(strstr(nc_error_detail(), bad[i][2]) != NULL,
              "%s=%s: detail '%s' lacks '%s'", bad[i][0], bad[i][1],
              nc_error_detail(), bad[i][2]);
  }
}

Test(spec, finish_builds_requantization) {
  nc_spec_t s;
  nc_spec_init(&s, NC_LAYER_CONV2D);
  cr_assert_eq(nc_spec_set(&s, "scale", "0.25"), NC_OK);
  cr_assert_eq(nc_spec_set(&s, "out_zp", "10"), NC_OK);
  cr_assert_eq(nc_spec_set(&s, "act", "relu6"), NC_OK);
  cr_assert_eq(nc_spec_set(&s, "out_scale", "0.1"), NC_OK);
  cr_assert_eq(nc_spec_finish(&s, 8, 1), NC_OK);
  const nc_requant_t *rq = &s.layer.rq;
  cr_expect(rq->enabled && rq->channels == 1);
  cr_expect(rq->mult[0] == (1 << 30) && rq->shift[0] == -1);
  cr_expect_eq(rq->act_min, 10);
  cr_expect_eq(rq->act_max, 70); /* 10 + 6 / 0.1 */
  /* Float layers refuse requantization but take activations. */
  nc_spec_init(&s, NC_LAYER_CONV2D);
  cr_assert_eq(nc_spec_set(&s, "scale", "0.25"), NC_OK);
  cr_expect_eq(nc_spec_finish(&s, 8, 0), NC_ERR_INVALID_ARG);
  nc_spec_init(&s, NC_LAYER_CONV2D);
  cr_assert_eq(nc_spec_set(&s, "act", "relu"), NC_OK);
  cr_assert_eq(nc_spec_finish(&s, 8, 0), NC_OK);
  cr_expect_eq(s.layer.act, NC_ACT_RELU);
  /* An activation on a raw int32 output has nothing to clamp. */
  cr_expect_eq(nc_spec_finish(&s, 8, 1), NC_ERR_INVALID_ARG);
  /* mult and shift go together. */
  nc_spec_init(&s, NC_LAYER_CONV2D);
  cr_assert_eq(nc_spec_set(&s, "mult", "1073741824"), NC_OK);
  cr_expect_eq(nc_spec_finish(&s, 8, 1), NC_ERR_INVALID_ARG);
}

static const char convnet_[] =
    "# the lecture's ConvNet\n"
    "network name=lecture seed=3\n"
    "input shape=83x83x3 dtype=int8 zp=0\n"
    "conv2d filters=64 kernel=9 scale=0.0005 act=relu   # conv1\n"
    "maxpool size=10 stride=5\n"
    "\n"
    "conv2d name=last filters=256 kernel=9\n";

Test(net, parse_lecture_convnet) {
  nc_net_t net;
  cr_assert_eq(nc_net_parse(convnet_, "mem", NULL, &net), NC_OK, "%s",
               nc_error_detail());
  cr_expect_str_eq(net.name, "lecture");
  cr_expect_eq(net.nlayers, 3);
  cr_expect_str_eq(net.layers[0].spec.name, "conv2d1");
  cr_expect_str_eq(net.layers[2].spec.name, "last");
  nc_geom_t g[3];
  cr_assert_eq(nc_net_geometry(&net, 1, g), NC_OK);
  cr_expect(g[0].oh == 75 && g[0].ow == 75 && g[0].oc == 64);
  cr_expect(g[1].oh == 14 && g[1].ow == 14 && g[1].oc == 64);
  cr_expect(g[2].oh == 6 && g[2].ow == 6 && g[2].oc == 256);
  /* Weights were made to fit: OHWI with the input's channels. */
  cr_expect(net.layers[0].weights.shape[0] == 64 &&
            net.layers[0].weights.shape[3] == 3);
  cr_expect(net.layers[2].weights.shape[3] == 64);
  cr_expect_eq(nc_net_layer_out_dtype(&net, 0), NC_DTYPE_INT8);
  cr_expect_eq(nc_net_layer_out_dtype(&net, 2), NC_DTYPE_INT32);
  nc_net_free(&net);
}

Test(net, seed_makes_weights_reproducible) {
  nc_net_t a, b;
  cr_assert_eq(nc_net_parse(convnet_, "a", NULL, &a), NC_OK);
  cr_assert_eq(nc_net_parse(convnet_, "b", NULL, &b), NC_OK);
  cr_expect(memcmp(a.layers[2].weights.data, b.layers[2].weights.data,
                   a.layers[2].weights.nbytes) == 0);
  nc_net_free(&b);
  char other[sizeof convnet_];
  strcpy(other, convnet_);
  char *s = strstr(other, "seed=3");
  s[5] = '4';
  cr_assert_eq(nc_net_parse(other, "c", NULL, &b), NC_OK);
  cr_expect(memcmp(a.layers[2].weights.data, b.layers[2].weights.data,
                   a.layers[2].weights.nbytes) != 0);
  nc_net_free(&a);
  nc_net_free(&b);
}

Test(net, fc_after_conv_flattens) {
  static const char text[] =
      "input shape=8x8x2 dtype=float32\n"
      "conv2d filters=4 kernel=3 pad=same act=relu\n"
      "avgpool size=2 stride=2\n"
      "fc units=10\n";
  nc_net_t net;
  cr_assert_eq(nc_net_parse(text, "mem", NULL, &net), NC_OK, "%s",
               nc_error_detail());
  cr_expect(net.layers[2].weights.shape[0] == 10 &&
            net.layers[2].weights.shape[1] == 4 * 4 * 4);
  nc_net_free(&net);
}

typedef struct {
  const char *text;
  int line;
  const char *word;
} bad_net_t;

Test(net, errors_name_line_and_problem) {
  static const bad_net_t cases[] = {
      {"conv2d filters=2 kernel=3\n", 1, "input"},
      {"input shape=8x8\n", 1, "HxWxC"},
      {"input shape=8x8x1\nconv2d filters=2 kernel=3 stride=0\n", 2, "stride"},
      {"input shape=8x8x1\nconv2d filters=2\n", 2, "kernel"},
      {"input shape=8x8x1\nconv2d kernel=3\n", 2, "filters"},
      {"input shape=8x8x1\nconv2d filters=2 kernel=9\n", 2, "no output"},
      {"input shape=8x8x1\nconvolve filters=2\n", 2, "unknown statement"},
      {"input shape=8x8x1\nmaxpool size=2 filters=3\n", 2, "filters"},
      {"input shape=8x8x1 dtype=int8\nconv2d filters=2 kernel=3\n"
       "conv2d filters=2 kernel=3\n",
       3, "int32"},
      {"input shape=8x8x1\nconv2d filters=2 kernel=3 weights=nope.npy\n", 2,
       "nope.npy"},
      {"input shape=8x8x1\nconv2d filters=2 kernel=3 in_zp=3\n", 2, "derived"},
      {"input shape=8x8x1\nconv2d filters=2 kernel=3 scale=0.1\n", 2,
       "integer"},
      {"input shape=8x8x1\nconv2d filters=2 kernel=3 groups=2\n", 2, "groups"},
      {"input shape=8x8x1\nconv2d filters=2 kernel=3 stride\n", 2, "key=value"},
      {"network name=x\n", 0, "at least one layer"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    nc_net_t net;
    int st = nc_net_parse(cases[i].text, "t.net", NULL, &net);
    cr_expect_neq(st, NC_OK, "case %zu parsed", i);
    cr_expect_eq(net.layers, NULL, "case %zu: net not emptied", i);
    const char *d = nc_error_detail();
    cr_expect(strstr(d, cases[i].word) != NULL, "case %zu: '%s' lacks '%s'", i,
              d, cases[i].word);
    if (cases[i].line > 0) {
      char where[32];
      snprintf(where, sizeof where, "t.net:%d:", cases[i].line);
      cr_expect(strstr(d, where) != NULL, "case %zu: '%s' lacks '%s'", i, d,
                where);
    }
  }
}

Test(net, weights_from_files_relative_to_network) {
  char dir[] = "/tmp/neocog_net_XXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  int64_t ws[4] = {2, 3, 3, 1}, bs[1] = {2};
  nc_tensor_t w, b;
  nc_test_alloc(&w, NC_DTYPE_FLOAT32, 4, ws);
  nc_test_alloc(&b, NC_DTYPE_FLOAT32, 1, bs);
  ((float *)w.data)[4] = 1.0f; /* filter 0 is the identity tap */
  ((float *)b.data)[1] = 0.5f;
  char p[128];
  snprintf(p, sizeof p, "%s/w.npy", dir);
  cr_assert_eq(nc_tensor_save_npy(p, &w), NC_OK);
  snprintf(p, sizeof p, "%s/b.npy", dir);
  cr_assert_eq(nc_tensor_save_npy(p, &b), NC_OK);
  snprintf(p, sizeof p, "%s/n.net", dir);
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f);
  fputs("input shape=4x4x1\nconv2d weights=w.npy bias=b.npy pad=1\n", f);
  fclose(f);
  nc_net_t net;
  cr_assert_eq(nc_net_load(p, &net), NC_OK, "%s", nc_error_detail());
  cr_expect_str_eq(net.name, "n");
  cr_expect(memcmp(net.layers[0].weights.data, w.data, w.nbytes) == 0);
  cr_expect_eq(((float *)net.layers[0].bias.data)[1], 0.5f);
  nc_net_free(&net);
  nc_tensor_free(&w);
  nc_tensor_free(&b);
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

/* Statements name their inputs: a residual add and a concatenation; an
 * old list-form file keeps meaning "the previous layer". */
Test(net, dag_names_inputs) {
  static const char text[] =
      "input shape=6x6x2 dtype=uint8\n"
      "conv2d name=c1 filters=4 kernel=3 pad=same scale=0.01 "
      "out_dtype=uint8\n"
      "conv2d name=c2 filters=4 kernel=3 pad=same scale=0.01 "
      "out_dtype=uint8 out_zp=4\n"
      "conv2d name=side input=c1 filters=4 kernel=1 scale=0.02 "
      "out_dtype=uint8\n"
      "add name=sum inputs=c2,side in_scales=0.1,0.2 out_scale=0.25 "
      "out_zp=1\n"
      "concat name=cat inputs=input,input\n"
      "maxpool size=2 stride=2 input=sum\n";
  nc_net_t net;
  cr_assert_eq(nc_net_parse(text, "t.net", NULL, &net), NC_OK, "%s",
               nc_error_detail());
  cr_assert_eq(net.nlayers, 6);
  cr_expect_eq(net.layers[0].in[0], -1);
  cr_expect_eq(net.layers[1].in[0], 0);
  cr_expect_eq(net.layers[2].in[0], 0);
  cr_expect_eq(net.layers[3].op, NC_NET_ADD);
  cr_expect(net.layers[3].in[0] == 1 && net.layers[3].in[1] == 2);
  cr_expect_eq(net.layers[3].add.in_zp[0], 4);
  cr_expect_eq(net.layers[3].add.in_zp[1], 0);
  cr_expect_eq(net.layers[3].out_zp, 1);
  cr_expect_eq(net.layers[4].op, NC_NET_CONCAT);
  cr_expect_eq(net.layers[4].out_shape[3], 4);
  cr_expect_eq(net.layers[5].in[0], 3);
  cr_expect_str_eq(nc_net_layer_kind(&net, 3), "add");
  /* The pooling reads the add, whose zero point its padding would use. */
  cr_expect_eq(net.layers[5].out_zp, 1);
  nc_geom_t g[6];
  cr_assert_eq(nc_net_geometry(&net, 3, g), NC_OK);
  cr_expect(g[5].n == 3 && g[5].oh == 3 && g[5].oc == 4);
  /* The host ops: concat joins channels pixel by pixel. */
  int64_t s[4] = {1, 1, 2, 1};
  nc_tensor_t a, b, y;
  nc_test_alloc(&a, NC_DTYPE_UINT8, 4, s);
  nc_test_alloc(&b, NC_DTYPE_UINT8, 4, s);
  ((uint8_t *)a.data)[0] = 1, ((uint8_t *)a.data)[1] = 2;
  ((uint8_t *)b.data)[0] = 3, ((uint8_t *)b.data)[1] = 4;
  const nc_tensor_t *in[2] = {&a, &b};
  cr_assert_eq(nc_net_host_op(&net.layers[4], in, &y), NC_OK);
  cr_expect(((uint8_t *)y.data)[0] == 1 && ((uint8_t *)y.data)[1] == 3 &&
            ((uint8_t *)y.data)[2] == 2 && ((uint8_t *)y.data)[3] == 4);
  nc_tensor_free(&y);
  s[3] = 2;
  nc_tensor_t c;
  nc_test_alloc(&c, NC_DTYPE_UINT8, 4, s);
  in[1] = &c;
  cr_expect_eq(nc_net_host_op(&net.layers[3], in, &y), NC_ERR_SHAPE);
  nc_tensor_free(&a);
  nc_tensor_free(&b);
  nc_tensor_free(&c);
  nc_net_free(&net);
}

Test(net, dag_errors_name_the_line) {
  static const struct {
    const char *text;
    const char *word;
  } cases[] = {
      {"input shape=4x4x1\nconv2d filters=2 kernel=1 input=later\n"
       "conv2d name=later filters=2 kernel=1\n",
       "names no earlier layer"},
      {"input shape=4x4x1\nconv2d filters=2 kernel=1 inputs=input,input\n",
       "one input"},
      {"input shape=4x4x1\nadd inputs=input\n", "two inputs"},
      {"input shape=4x4x1 dtype=uint8\nadd inputs=input,input\n",
       "in_scales"},
      {"input shape=4x4x1\nadd inputs=input,input out_zp=3\n", "float32 add"},
      {"input shape=4x4x1\nconv2d name=x filters=2 kernel=3\n"
       "add inputs=x,input\n",
       "shapes differ"},
      {"input shape=4x4x1 dtype=uint8\nconv2d name=x filters=1 kernel=1 "
       "scale=0.1 out_dtype=uint8 out_zp=9\nconcat inputs=x,input\n",
       "zero points"},
      {"input shape=4x4x1\nconcat inputs=input\n", "two or more"},
      {"input shape=4x4x1\nadd inputs=input,input frobs=1\n", "no option"},
      {"input shape=4x4x1\nconv2d name=x filters=1 kernel=1\n"
       "conv2d name=x filters=1 kernel=1\nadd inputs=x,x\n",
       "names two layers"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    nc_net_t net;
    cr_expect_neq(nc_net_parse(cases[i].text, "t.net", NULL, &net), NC_OK,
                  "case %zu parsed", i);
    cr_expect_null(net.layers, "case %zu: not emptied", i);
    const char *d = nc_error_detail();
    cr_expect(strstr(d, cases[i].word) != NULL && strstr(d, "t.net:") != NULL,
              "case %zu: '%s' lacks '%s'", i, d, cases[i].word);
  }
}
