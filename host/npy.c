/*
 * NumPy .npy codec.
 *
 * Reads format versions 1.0, 2.0 and 3.0 and writes 1.0 (2.0 only for a
 * header that does not fit 16 bits). The header is a Python dict literal;
 * a small hand parser reads it so that neither Python nor a regex library is
 * needed, and every byte of it comes from an untrusted file, so each step
 * checks the bounds it relies on and reports what it found instead.
 *
 * Layout (numpy.lib.format): "\x93NUMPY", major, minor, header length
 * (uint16 LE for 1.0, uint32 LE for 2.0 and 3.0), the header text (spaces
 * and a '\n' pad the preamble to a multiple of 64 bytes), then the raw
 * C-order data. This host is little-endian, so data is copied as is.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/file.h"
#include "neocog/error.h"
#include "neocog/tensor.h"
#include "neocog/text.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
/* The data starts on this boundary, which numpy has used since 1.x. */
#define NPY_ALIGN 64
/* Most bytes of preamble and header a file may hold besides its data. */
#define NPY_MAX_FILE_HEADER (UINT64_C(1) << 20)
/* Largest header a 1.0 file can describe. */
#define NPY_V1_MAX_HEADER 0xffffu

/* The descr strings accepted on read; 8-bit types have no byte order. */
static const struct {
  const char *descr;
  nc_dtype_t dtype;
} npy_read_descrs_[] = {
    {"|i1", NC_DTYPE_INT8},  {"<i1", NC_DTYPE_INT8},    {"i1", NC_DTYPE_INT8},
    {"|u1", NC_DTYPE_UINT8}, {"<u1", NC_DTYPE_UINT8},   {"u1", NC_DTYPE_UINT8},
    {"<i4", NC_DTYPE_INT32}, {"<f4", NC_DTYPE_FLOAT32},
};

/* The descr written for each dtype, spelled as numpy spells dtype.str. */
static const char *const npy_write_descrs_[NC_DTYPE_COUNT] = {
    [NC_DTYPE_INT8] = "|i1",
    [NC_DTYPE_UINT8] = "|u1",
    [NC_DTYPE_INT32] = "<i4",
    [NC_DTYPE_FLOAT32] = "<f4",
};

/* What the header says about the array. */
typedef struct {
  nc_dtype_t dtype;           /* element type from 'descr' */
  int ndim;                   /* entries in 'shape' */
  int64_t shape[NC_MAX_DIMS]; /* extents, each within int64 */
  size_t nbytes;              /* data bytes the shape calls for */
} npy_header_t;

/* Reading position inside the header text. */
typedef struct {
  const char *p;    /* next unread byte */
  const char *end;  /* one past the last header byte */
  const char *base; /* first header byte, for offsets in messages */
} npy_cursor_t;

/* Writes a shape the way Python's repr() writes a tuple: "()", "(5,)",
 * "(2, 3)". */
static void npy_format_shape(int ndim, const int64_t *shape, char *buf,
                             size_t cap) {
  size_t used = (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < ndim && used < cap; i++) {
    used += (size_t)snprintf(buf + used, cap - used, "%s%lld",
                             i > 0 ? ", " : "", (long long)shape[i]);
  }
  if (used < cap) {
    snprintf(buf + used, cap - used, ndim == 1 ? ",)" : ")");
  }
}

/* --- header text parser ------------------------------------------------ */

static bool npy_is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

static bool npy_is_digit(char c) {
  return c >= '0' && c <= '9';
}

static void npy_skip_space(npy_cursor_t *c) {
  while (c->p < c->end && npy_is_space(*c->p)) {
    c->p++;
  }
}

/* Skips space, then consumes `ch` if it is next. */
static bool npy_eat(npy_cursor_t *c, char ch) {
  npy_skip_space(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

static nc_status_t npy_bad(const npy_cursor_t *c, const char *what) {
  return nc__fail(NC_ERR_FORMAT, "bad header: %s at header byte %zu", what,
                  (size_t)(c->p - c->base));
}

/* Reads a '...' or "..." string without escapes; *s points into the
 * header. */
static nc_status_t npy_string(npy_cursor_t *c, const char **s, size_t *n) {
  npy_skip_space(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) {
    return npy_bad(c, "expected a quoted string");
  }
  char quote = *c->p++;
  const char *start = c->p;
  while (c->p < c->end && *c->p != quote) {
    if (*c->p == '\\' || *c->p == '\n') {
      return npy_bad(c, "escape or line break inside a string");
    }
    c->p++;
  }
  if (c->p >= c->end) {
    return npy_bad(c, "unterminated string");
  }
  *s = start;
  *n = (size_t)(c->p - start);
  c->p++;
  return NC_OK;
}

/* True when [s, s+n) spells the NUL-terminated word. */
static bool npy_same(const char *s, size_t n, const char *word) {
  return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* Reads the Python literal True or False. */
static nc_status_t npy_bool(npy_cursor_t *c, bool *out) {
  npy_skip_space(c);
  size_t left = (size_t)(c->end - c->p);
  size_t n = 0;
  if (left >= 4 && memcmp(c->p, "True", 4) == 0) {
    n = 4;
    *out = true;
  } else if (left >= 5 && memcmp(c->p, "False", 5) == 0) {
    n = 5;
    *out = false;
  } else {
    return npy_bad(c, "expected True or False");
  }
  /* "Falsey" is a name, not the literal. */
  if (n < left) {
    char next = c->p[n];
    if (next == '_' || npy_is_digit(next) || (next >= 'a' && next <= 'z') ||
        (next >= 'A' && next <= 'Z')) {
      return npy_bad(c, "expected True or False");
    }
  }
  c->p += n;
  return NC_OK;
}

/* Reads one non-negative decimal extent that fits in int64. */
static nc_status_t npy_extent(npy_cursor_t *c, int dim, int64_t *out) {
  npy_skip_space(c);
  if (c->p < c->end && *c->p == '-') {
    return npy_bad(c, "negative dimension in shape");
  }
  if (c->p >= c->end || !npy_is_digit(*c->p)) {
    return npy_bad(c, "expected a dimension (digits) in shape");
  }
  uint64_t v = 0;
  while (c->p < c->end && npy_is_digit(*c->p)) {
    uint64_t d = (uint64_t)(*c->p - '0');
    if (v > ((uint64_t)INT64_MAX - d) / 10) {
      return nc__fail(NC_ERR_OVERFLOW,
                      "bad header: dimension %d of the shape does not fit "
                      "in int64",
                      dim);
    }
    v = v * 10 + d;
    c->p++;
  }
  *out = (int64_t)v;
  return NC_OK;
}

/* Reads a tuple of extents: (), (5,), (2, 3), (2, 3,). */
static nc_status_t npy_shape(npy_cursor_t *c, npy_header_t *h) {
  if (!npy_eat(c, '(')) {
    return npy_bad(c, "expected '(' to open the shape tuple");
  }
  h->ndim = 0;
  if (npy_eat(c, ')')) {
    return NC_OK;
  }
  for (;;) {
    if (h->ndim == NC_MAX_DIMS) {
      return nc__fail(NC_ERR_UNSUPPORTED, "shape has more than %d dimensions",
                      NC_MAX_DIMS);
    }
    nc_status_t st = npy_extent(c, h->ndim, &h->shape[h->ndim]);
    if (st != NC_OK) {
      return st;
    }
    h->ndim++;
    if (npy_eat(c, ',')) {
      if (npy_eat(c, ')')) {
        return NC_OK;
      }
      continue;
    }
    if (npy_eat(c, ')')) {
      /* In Python "(5)" is the number 5, not a tuple. */
      if (h->ndim == 1) {
        return npy_bad(c, "one-element shape needs a comma, as in (5,)");
      }
      return NC_OK;
    }
    return npy_bad(c, "expected ',' or ')' in shape");
  }
}

/* Parses the header dict and checks that it describes an array neocog
 * reads. */
static nc_status_t npy_header(const char *text, size_t len, npy_header_t *h) {
  npy_cursor_t c = {text, text + len, text};
  bool have_descr = false, have_order = false, have_shape = false;
  bool fortran = false;
  const char *descr = NULL;
  size_t descr_len = 0;
  nc_status_t st;

  memset(h, 0, sizeof *h);
  if (!npy_eat(&c, '{')) {
    return npy_bad(&c, "expected '{'");
  }
  while (!npy_eat(&c, '}')) {
    const char *key;
    size_t key_len;
    npy_skip_space(&c);
    const char *key_at = c.p;
    st = npy_string(&c, &key, &key_len);
    if (st != NC_OK) {
      return st;
    }
    if (!npy_eat(&c, ':')) {
      return npy_bad(&c, "expected ':' after a key");
    }
    if (npy_same(key, key_len, "descr") && !have_descr) {
      npy_skip_space(&c);
      if (c.p < c.end && *c.p == '[') {
        return nc__fail(NC_ERR_UNSUPPORTED,
                        "structured dtypes are not supported (neocog reads "
                        "int8, uint8, int32, float32)");
      }
      st = npy_string(&c, &descr, &descr_len);
      have_descr = true;
    } else if (npy_same(key, key_len, "fortran_order") && !have_order) {
      st = npy_bool(&c, &fortran);
      have_order = true;
    } else if (npy_same(key, key_len, "shape") && !have_shape) {
      st = npy_shape(&c, h);
      have_shape = true;
    } else {
      bool dup = npy_same(key, key_len, "descr") ||
                 npy_same(key, key_len, "fortran_order") ||
                 npy_same(key, key_len, "shape");
      char shown[40];
      nc__shown(key, key_len, shown, sizeof shown);
      return nc__fail(
          NC_ERR_FORMAT, "bad header: %s key '%s' at header byte %zu",
          dup ? "duplicate" : "unexpected", shown, (size_t)(key_at - text));
    }
    if (st != NC_OK) {
      return st;
    }
    if (npy_eat(&c, ',')) {
      continue;
    }
    if (npy_eat(&c, '}')) {
      break;
    }
    return npy_bad(&c, "expected ',' or '}' after a value");
  }
  npy_skip_space(&c);
  if (c.p != c.end) {
    return npy_bad(&c, "unexpected bytes after the closing '}'");
  }
  if (!have_descr || !have_order || !have_shape) {
    return nc__fail(NC_ERR_FORMAT, "bad header: missing key '%s'",
                    !have_descr   ? "descr"
                    : !have_order ? "fortran_order"
                                  : "shape");
  }
  if (fortran) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "fortran_order arrays are not supported; save with "
                    "np.ascontiguousarray");
  }

  bool known = false;
  for (size_t i = 0; i < sizeof npy_read_descrs_ / sizeof npy_read_descrs_[0];
       i++) {
    if (npy_same(descr, descr_len, npy_read_descrs_[i].descr)) {
      h->dtype = npy_read_descrs_[i].dtype;
      known = true;
      break;
    }
  }
  if (!known) {
    char shown[40];
    nc__shown(descr, descr_len, shown, sizeof shown);
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "unsupported dtype '%s'%s (neocog reads int8, uint8, "
                    "int32, float32)",
                    shown,
                    descr_len > 0 && descr[0] == '>' ? ", big-endian" : "");
  }

  size_t bytes = nc_dtype_size(h->dtype);
  for (int i = 0; i < h->ndim; i++) {
    if ((uint64_t)h->shape[i] > SIZE_MAX ||
        nc__mul_overflow(bytes, (size_t)h->shape[i], &bytes)) {
      char shape[256];
      npy_format_shape(h->ndim, h->shape, shape, sizeof shape);
      return nc__fail(NC_ERR_OVERFLOW, "byte size of shape %s overflows",
                      shape);
    }
  }
  if ((uint64_t)bytes > nc__tensor_max_bytes()) {
    char shape[256];
    npy_format_shape(h->ndim, h->shape, shape, sizeof shape);
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "array of shape %s holds %zu bytes, more than a tensor "
                    "may hold (%llu)",
                    shape, bytes, (unsigned long long)nc__tensor_max_bytes());
  }
  h->nbytes = bytes;
  return NC_OK;
}

/* Checks magic and version and finds the header: it starts at *off and is
 * *hlen bytes, all inside the buffer. */
static nc_status_t npy_preamble(const unsigned char *b, size_t len, size_t *off,
                                size_t *hlen) {
  size_t have = len < NPY_MAGIC_LEN ? len : NPY_MAGIC_LEN;
  if (memcmp(b, NPY_MAGIC, have) != 0) {
    return nc__fail(NC_ERR_FORMAT, "not a .npy file (bad magic)");
  }
  if (len < NPY_MAGIC_LEN + 2) {
    return nc__fail(NC_ERR_FORMAT, "truncated header: %zu bytes", len);
  }
  unsigned major = b[NPY_MAGIC_LEN], minor = b[NPY_MAGIC_LEN + 1];
  if (major < 1 || major > 3 || minor != 0) {
    return nc__fail(NC_ERR_UNSUPPORTED,
                    "unsupported .npy format version %u.%u (neocog reads "
                    "1.0, 2.0 and 3.0)",
                    major, minor);
  }
  size_t field = major == 1 ? 2 : 4;
  size_t start = NPY_MAGIC_LEN + 2 + field;
  if (len < start) {
    return nc__fail(NC_ERR_FORMAT, "truncated header: %zu bytes", len);
  }
  const unsigned char *f = b + NPY_MAGIC_LEN + 2;
  size_t n = (size_t)f[0] | (size_t)f[1] << 8;
  if (field == 4) {
    n |= (size_t)f[2] << 16 | (size_t)f[3] << 24;
  }
  if (n > len - start) {
    return nc__fail(NC_ERR_FORMAT,
                    "truncated header: header length %zu but only %zu bytes "
                    "follow the preamble",
                    n, len - start);
  }
  *off = start;
  *hlen = n;
  return NC_OK;
}

nc_status_t nc_tensor_parse_npy(const void *buf, size_t len, nc_tensor_t *t) {
  if (t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "npy: NULL tensor");
  }
  memset(t, 0, sizeof *t);
  if (buf == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "npy: NULL buffer");
  }
  const unsigned char *b = buf;
  size_t off = 0, hlen = 0;
  nc_status_t st = npy_preamble(b, len, &off, &hlen);
  if (st != NC_OK) {
    return st;
  }
  npy_header_t h;
  st = npy_header((const char *)b + off, hlen, &h);
  if (st != NC_OK) {
    return st;
  }
  size_t data_off = off + hlen; /* <= len, npy_preamble checked */
  size_t avail = len - data_off;
  if (avail < h.nbytes) {
    return nc__fail(NC_ERR_FORMAT,
                    "truncated data: expected %zu bytes, got %zu", h.nbytes,
                    avail);
  }
  if (avail > h.nbytes) {
    return nc__fail(NC_ERR_FORMAT,
                    "trailing bytes after data: expected %zu bytes, got %zu",
                    h.nbytes, avail);
  }
  st = nc_tensor_alloc(t, h.dtype, h.ndim, h.shape);
  if (st != NC_OK) {
    return st;
  }
  if (h.nbytes > 0) {
    memcpy(t->data, b + data_off, h.nbytes);
  }
  return NC_OK;
}

/* --- files ------------------------------------------------------------- */

/* Re-records the current detail with "path: " in front. */
static nc_status_t npy_prefix_path(nc_status_t st, const char *path) {
  char inner[512], shown[512];
  snprintf(inner, sizeof inner, "%s", nc_error_detail());
  return nc__fail(st, "%s: %s", nc__shown_str(path, shown, sizeof shown),
                  inner);
}

nc_status_t nc_tensor_load_npy(const char *path, nc_tensor_t *t) {
  if (t != NULL) {
    memset(t, 0, sizeof *t);
  }
  if (path == NULL || t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "npy: NULL %s",
                    path == NULL ? "path" : "tensor");
  }
  /* The largest file a tensor can come from: the data and a header far
   * larger than numpy writes. */
  unsigned char *buf = NULL;
  size_t len = 0;
  nc_status_t st =
      nc__read_file(path, nc__tensor_max_bytes() + NPY_MAX_FILE_HEADER,
                    "a tensor's data and a 1 MiB header", &buf, &len);
  if (st != NC_OK) {
    return st;
  }
  st = nc_tensor_parse_npy(buf, len, t);
  free(buf);
  if (st != NC_OK) {
    return npy_prefix_path(st, path);
  }
  return NC_OK;
}

/* Checks that a tensor is self-consistent before it is written. */
static nc_status_t npy_check_tensor(const nc_tensor_t *t) {
  size_t bytes = nc_dtype_size(t->dtype);
  if (bytes == 0) {
    return nc__fail(NC_ERR_INVALID_ARG, "invalid dtype %d", (int)t->dtype);
  }
  if (t->ndim < 0 || t->ndim > NC_MAX_DIMS) {
    return nc__fail(NC_ERR_INVALID_ARG, "%d dimensions (at most %d allowed)",
                    t->ndim, NC_MAX_DIMS);
  }
  for (int i = 0; i < t->ndim; i++) {
    if (t->shape[i] < 0) {
      return nc__fail(NC_ERR_INVALID_ARG, "negative extent %lld",
                      (long long)t->shape[i]);
    }
    if ((uint64_t)t->shape[i] > SIZE_MAX ||
        nc__mul_overflow(bytes, (size_t)t->shape[i], &bytes)) {
      return nc__fail(NC_ERR_OVERFLOW, "byte size of the shape overflows");
    }
  }
  if (bytes != t->nbytes || (bytes > 0 && t->data == NULL)) {
    return nc__fail(NC_ERR_INVALID_ARG,
                    "tensor holds %zu bytes at %p but its shape needs %zu",
                    t->nbytes, t->data, bytes);
  }
  return NC_OK;
}

/* Builds magic, version, length and padded header into pre (cap bytes);
 * returns the preamble length, or 0 if it does not fit. */
static size_t npy_build_preamble(const nc_tensor_t *t, unsigned char *pre,
                                 size_t cap) {
  char shape[256];
  char dict[512];
  npy_format_shape(t->ndim, t->shape, shape, sizeof shape);
  int n = snprintf(dict, sizeof dict,
                   "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                   npy_write_descrs_[t->dtype], shape);
  if (n < 0 || (size_t)n >= sizeof dict) {
    return 0;
  }
  size_t text = (size_t)n + 1; /* the dict and its '\n' */
  unsigned major = 1;
  size_t start = NPY_MAGIC_LEN + 2 + 2;
  size_t total = (start + text + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
  if (total - start > NPY_V1_MAX_HEADER) {
    major = 2;
    start = NPY_MAGIC_LEN + 2 + 4;
    total = (start + text + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
  }
  if (total > cap) {
    return 0;
  }
  size_t hlen = total - start;
  memcpy(pre, NPY_MAGIC, NPY_MAGIC_LEN);
  pre[NPY_MAGIC_LEN] = (unsigned char)major;
  pre[NPY_MAGIC_LEN + 1] = 0;
  for (size_t i = 0; i < start - (NPY_MAGIC_LEN + 2); i++) {
    pre[NPY_MAGIC_LEN + 2 + i] = (unsigned char)(hlen >> (8 * i));
  }
  memcpy(pre + start, dict, (size_t)n);
  memset(pre + start + n, ' ', total - 1 - (start + (size_t)n));
  pre[total - 1] = '\n';
  return total;
}

nc_status_t nc_tensor_save_npy(const char *path, const nc_tensor_t *t) {
  if (path == NULL || t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "npy: NULL %s",
                    path == NULL ? "path" : "tensor");
  }
  nc_status_t st = npy_check_tensor(t);
  if (st != NC_OK) {
    return npy_prefix_path(st, path);
  }
  unsigned char pre[1024];
  size_t pre_len = npy_build_preamble(t, pre, sizeof pre);
  if (pre_len == 0) {
    return nc__fail(NC_ERR_INTERNAL, "%s: .npy header does not fit", path);
  }

  /* The temporary sits next to path so that rename() stays on one file
   * system. fopen's "x" (C11) creates it exclusively with the usual
   * 0666 & ~umask mode, where mkstemp would leave it 0600. */
  static atomic_uint counter;
  size_t tmp_cap = strlen(path) + 48;
  char *tmp = malloc(tmp_cap);
  if (tmp == NULL) {
    return nc__fail(NC_ERR_NOMEM, "%s: cannot allocate a file name", path);
  }
  FILE *f = NULL;
  int e = 0;
  for (int tries = 0; tries < 100 && f == NULL; tries++) {
    snprintf(tmp, tmp_cap, "%s.tmp%ld.%u", path, (long)getpid(),
             atomic_fetch_add(&counter, 1u));
    f = fopen(tmp, "wbx");
    e = errno;
    if (f == NULL && e != EEXIST) {
      break;
    }
  }
  if (f == NULL) {
    st = nc__fail(NC_ERR_IO, "%s: cannot create a temporary file: %s", path,
                  strerror(e));
    free(tmp);
    return st;
  }

  const char *what = NULL;
  if (fwrite(pre, 1, pre_len, f) != pre_len ||
      (t->nbytes > 0 && fwrite(t->data, 1, t->nbytes, f) != t->nbytes)) {
    what = "write";
    e = errno;
  } else if (fflush(f) != 0) {
    what = "flush";
    e = errno;
  } else if (fsync(fileno(f)) != 0) {
    what = "sync";
    e = errno;
  }
  if (fclose(f) != 0 && what == NULL) {
    what = "close";
    e = errno;
  }
  if (what == NULL && rename(tmp, path) != 0) {
    what = "rename";
    e = errno;
  }
  if (what != NULL) {
    unlink(tmp);
    st = nc__fail(NC_ERR_IO, "%s: %s failed: %s", path, what,
                  strerror(e != 0 ? e : EIO));
  }
  free(tmp);
  return st;
}
