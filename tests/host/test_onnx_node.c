/*
 * Conformance: the ONNX project's own one-node test cases (a model.onnx and
 * its inputs and expected outputs as TensorProtos) through the ONNX loader
 * and the graph evaluator. Every case either passes or is listed, with its
 * reason, in the table of docs/onnx.md, so the table cannot go stale:
 *   - "unsupported": the case must still be refused with NC_ERR_UNSUPPORTED;
 *   - "expected output wraps": the case's expected data wraps an
 *     out-of-range result where the operator's specification saturates; the
 *     case must run and differ only where neocog's value is the saturation
 *     bound and the expected one is not.
 *
 * Integer outputs must be equal; float32 outputs within
 * |got - want| <= 1e-5 + 1e-4 * |want| (the ONNX backend tests' own bound
 * is rtol 1e-3, atol 1e-7).
 *
 * The cases are read from ../shared/data/onnx-node relative to the
 * repository (NEOCOG_DATA overrides the data folder); without them the test
 * says so and passes nothing.
 */
#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

#include "neocog/onnx.h"
#include "tests/common.h"

#define MAX_CASES 512

static const char *data_dir_(void) {
  const char *env = getenv("NEOCOG_DATA");
  return env != NULL && *env != '\0' ? env : "../shared/data";
}

static int cmp_str_(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The case folders, sorted; 0 when the data is absent. */
static int list_cases_(char **names, int cap) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/onnx-node", data_dir_());
  DIR *d = opendir(dir);
  if (d == NULL) {
    return 0;
  }
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < cap) {
    if (strncmp(e->d_name, "test_", 5) == 0) {
      names[n++] = strdup(e->d_name);
    }
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_str_);
  return n;
}

/* The case names of docs/onnx.md's table, rows "| `test_x` | kind | why |",
 * and whether each is of the kind "expected output wraps". */
static int list_unsupported_(char **names, int *wraps, int cap) {
  FILE *f = fopen("docs/onnx.md", "r");
  cr_assert_not_null(f,
                     "docs/onnx.md must be readable from the repository "
                     "root");
  char line[1024];
  int n = 0;
  while (fgets(line, sizeof line, f) != NULL && n < cap) {
    if (strncmp(line, "| `test_", 8) == 0) {
      char *end = strchr(line + 3, '`');
      if (end != NULL) {
        *end = '\0';
        wraps[n] = strstr(end + 1, "| expected output wraps |") != NULL;
        names[n++] = strdup(line + 3);
      }
    }
  }
  fclose(f);
  return n;
}

/* 0 when not listed, else 1 + the row's index. */
static int listed_(char **names, int n, const char *name) {
  for (int i = 0; i < n; i++) {
    if (strcmp(names[i], name) == 0) {
      return 1 + i;
    }
  }
  return 0;
}

static double at_(const nc_value_t *v, size_t i) {
  switch (v->elem) {
    case NC_ELEM_FLOAT32:
      return ((const float *)v->data)[i];
    case NC_ELEM_UINT8:
      return ((const uint8_t *)v->data)[i];
    case NC_ELEM_INT8:
      return ((const int8_t *)v->data)[i];
    case NC_ELEM_UINT16:
      return ((const uint16_t *)v->data)[i];
    case NC_ELEM_INT16:
      return ((const int16_t *)v->data)[i];
    case NC_ELEM_INT32:
      return ((const int32_t *)v->data)[i];
    case NC_ELEM_INT64:
      return (double)((const int64_t *)v->data)[i];
  }
  return NAN;
}

/* Whether x is the least or greatest value of an integer type. */
static int at_bound_(int elem, double x) {
  switch (elem) {
    case NC_ELEM_UINT8:
      return x == 0 || x == 255;
    case NC_ELEM_INT8:
      return x == -128 || x == 127;
    default:
      return 0;
  }
}

/* Compares one output; writes why it differs into why. With `sat`, an
 * element may differ where got is saturated and want is not (*nsat counts
 * them). */
static int same_(const nc_value_t *got, const nc_value_t *want, int sat,
                 int *nsat, char *why, size_t len) {
  char s1[96], s2[96];
  nc_value_shape_format(got, s1, sizeof s1);
  nc_value_shape_format(want, s2, sizeof s2);
  if (got->elem != want->elem || strcmp(s1, s2) != 0) {
    snprintf(why, len, "got %s %s, expected %s %s", s1, nc_elem_name(got->elem),
             s2, nc_elem_name(want->elem));
    return 0;
  }
  for (size_t i = 0; i < nc_value_numel(want); i++) {
    const double g = at_(got, i), w = at_(want, i);
    const int ok =
        want->elem == NC_ELEM_FLOAT32
            ? fabs(g - w) <= 1e-5 + 1e-4 * fabs(w) || (isnan(g) && isnan(w))
            : g == w;
    if (!ok && sat && at_bound_(got->elem, g) && !at_bound_(got->elem, w)) {
      (*nsat)++;
      continue;
    }
    if (!ok) {
      snprintf(why, len, "element %zu: got %.9g, expected %.9g", i, g, w);
      return 0;
    }
  }
  return 1;
}

/* Runs one case: 1 passed, 0 failed (why says how), -1 refused as
 * unsupported (why holds the detail), 2 passed with *nsat elements where
 * `sat` let a saturated value stand for a wrapped one. */
static int run_case_(const char *name, int sat, int *nsat, char *why,
                     size_t len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/onnx-node/%s/model.onnx", data_dir_(), name);
  nc_graph_t g;
  int st = nc_onnx_load(path, &g);
  if (st != NC_OK) {
    snprintf(why, len, "%s", nc_error_detail());
    return st == NC_ERR_UNSUPPORTED ? -1 : 0;
  }
  nc_value_t in[16], want[8], got[8];
  memset(in, 0, sizeof in);
  memset(want, 0, sizeof want);
  memset(got, 0, sizeof got);
  int result = 1;
  if (g.ninputs > 16 || g.noutputs > 8) {
    snprintf(why, len, "too many inputs or outputs for the test");
    result = 0;
  }
  for (int i = 0; result == 1 && i < g.ninputs; i++) {
    snprintf(path, sizeof path, "%s/onnx-node/%s/test_data_set_0/input_%d.pb",
             data_dir_(), name, i);
    st = nc_onnx_load_tensor(path, &in[i]);
    if (st != NC_OK) {
      snprintf(why, len, "%s", nc_error_detail());
      result = st == NC_ERR_UNSUPPORTED ? -1 : 0;
    }
  }
  for (int o = 0; result == 1 && o < g.noutputs; o++) {
    snprintf(path, sizeof path, "%s/onnx-node/%s/test_data_set_0/output_%d.pb",
             data_dir_(), name, o);
    st = nc_onnx_load_tensor(path, &want[o]);
    if (st != NC_OK) {
      snprintf(why, len, "%s", nc_error_detail());
      result = st == NC_ERR_UNSUPPORTED ? -1 : 0;
    }
  }
  if (result == 1) {
    st = nc_graph_run(&g, in, got);
    if (st != NC_OK) {
      snprintf(why, len, "%s", nc_error_detail());
      result = st == NC_ERR_UNSUPPORTED ? -1 : 0;
    }
  }
  for (int o = 0; result == 1 && o < g.noutputs; o++) {
    if (!same_(&got[o], &want[o], sat, nsat, why, len)) {
      result = 0;
    }
  }
  if (result == 1 && *nsat > 0) {
    result = 2;
  }
  for (int i = 0; i < 16; i++) {
    nc_value_free(&in[i]);
  }
  for (int o = 0; o < 8; o++) {
    nc_value_free(&want[o]);
    nc_value_free(&got[o]);
  }
  nc_graph_free(&g);
  return result;
}

Test(onnx_node, every_case_passes_or_is_listed_unsupported) {
  char *cases[MAX_CASES], *listed[MAX_CASES];
  int wraps[MAX_CASES];
  const int n = list_cases_(cases, MAX_CASES);
  if (n == 0) {
    fprintf(stderr,
            "onnx_node: skipped: no cases in %s/onnx-node (the real "
            "data is not here)\n",
            data_dir_());
    return;
  }
  const int nl = list_unsupported_(listed, wraps, MAX_CASES);
  int pass = 0, unsup = 0, wrapped = 0, bad = 0;
  for (int i = 0; i < n; i++) {
    char why[512] = "";
    const int row = listed_(listed, nl, cases[i]);
    const int is_listed = row > 0, sat = row > 0 && wraps[row - 1];
    int nsat = 0;
    const int r = run_case_(cases[i], sat, &nsat, why, sizeof why);
    if (r == 1 && !is_listed) {
      pass++;
    } else if (r == -1 && is_listed && !sat) {
      unsup++;
    } else if (r == 2 && sat) {
      wrapped++;
      fprintf(stderr,
              "onnx_node: %s: %d element(s) saturated where the "
              "expected data wraps\n",
              cases[i], nsat);
    } else {
      bad++;
      fprintf(stderr, "onnx_node: %s: %s%s\n", cases[i],
              r == 1 ? "passes but docs/onnx.md lists it"
                     : (r == -1 ? "refused, and docs/onnx.md does not list "
                                  "it as unsupported: "
                                : "FAILED: "),
              r == 1 ? "" : why);
    }
  }
  for (int i = 0; i < nl; i++) {
    int found = 0;
    for (int j = 0; j < n; j++) {
      found |= strcmp(listed[i], cases[j]) == 0;
    }
    if (!found) {
      bad++;
      fprintf(stderr,
              "onnx_node: docs/onnx.md lists %s, which is not a "
              "case\n",
              listed[i]);
    }
    free(listed[i]);
  }
  for (int i = 0; i < n; i++) {
    free(cases[i]);
  }
  fprintf(stderr,
          "onnx_node: %d cases: %d pass, %d unsupported (listed), "
          "%d with wrapping expected data (listed), %d wrong\n",
          n, pass, unsup, wrapped, bad);
  cr_assert_eq(bad, 0, "%d conformance cases are wrong (see above)", bad);
}
