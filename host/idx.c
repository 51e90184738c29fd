/* IDX files (the MNIST distribution's format), plain or gzip-compressed,
 * decompressed through zlib with the output bounded by the tensor limit. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "host/file.h"
#include "neocog/error.h"
#include "neocog/tensor.h"
#include "neocog/text.h"

/* The most a gzip'd file may expand to: a tensor and its header. */
static nc_status_t gunzip_(const unsigned char *in, size_t len,
                           const char *shown, unsigned char **out,
                           size_t *olen) {
  const uint64_t cap = nc__tensor_max_bytes() + 4 + 4 * 255;
  size_t size = len < cap / 4 ? len * 4 + 64 : (size_t)cap, used = 0;
  unsigned char *buf = malloc(size);
  z_stream z;
  memset(&z, 0, sizeof z);
  if (buf == NULL || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    free(buf);
    return nc__fail(NC_ERR_NOMEM, "%s: out of memory for gzip", shown);
  }
  z.next_in = (unsigned char *)in;
  int zr = Z_OK;
  size_t left = len;
  while (zr != Z_STREAM_END) {
    if (used == size) {
      if (size >= cap) {
        inflateEnd(&z);
        free(buf);
        return nc__fail(NC_ERR_UNSUPPORTED,
                        "%s: decompresses to more than the %llu-byte tensor "
                        "limit",
                        shown, (unsigned long long)nc__tensor_max_bytes());
      }
      size_t ns = size * 2 > cap ? (size_t)cap : size * 2;
      unsigned char *nb = realloc(buf, ns);
      if (nb == NULL) {
        inflateEnd(&z);
        free(buf);
        return nc__fail(NC_ERR_NOMEM, "%s: out of memory for gzip", shown);
      }
      buf = nb;
      size = ns;
    }
    const unsigned in_chunk = left > (1u << 30) ? (1u << 30) : (unsigned)left;
    const unsigned out_chunk =
        size - used > (1u << 30) ? (1u << 30) : (unsigned)(size - used);
    z.avail_in = in_chunk;
    z.next_out = buf + used;
    z.avail_out = out_chunk;
    zr = inflate(&z, Z_NO_FLUSH);
    left -= in_chunk - z.avail_in;
    used += out_chunk - z.avail_out;
    if (zr == Z_BUF_ERROR && left == 0) {
      zr = Z_DATA_ERROR; /* the stream ends before its end marker */
    }
    if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
      inflateEnd(&z);
      free(buf);
      return nc__fail(NC_ERR_FORMAT, "%s: corrupt or truncated gzip data (%s)",
                      shown, z.msg != NULL ? z.msg : "stream ends early");
    }
  }
  inflateEnd(&z);
  *out = buf;
  *olen = used;
  return NC_OK;
}

nc_status_t nc_tensor_parse_idx(const void *data, size_t len,
                                const char *origin, nc_tensor_t *t) {
  if (t != NULL) {
    memset(t, 0, sizeof *t);
  }
  if (t == NULL || (data == NULL && len > 0)) {
    return nc__fail(NC_ERR_INVALID_ARG, "idx: NULL argument");
  }
  char shown[512];
  nc__shown_str(origin != NULL ? origin : "idx", shown, sizeof shown);
  const unsigned char *p = data;
  unsigned char *plain = NULL;
  if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    nc_status_t st = gunzip_(p, len, shown, &plain, &len);
    if (st != NC_OK) {
      return st;
    }
    p = plain;
  }
  nc_status_t st = NC_OK;
  if (len < 4 || p[0] != 0 || p[1] != 0 || p[2] != 0x08 || p[3] < 1 ||
      p[3] > NC_MAX_DIMS) {
    st = nc__fail(NC_ERR_FORMAT,
                  "%s: not an IDX file of unsigned bytes (magic must be 00 "
                  "00 08 then 1..%d dimensions)",
                  shown, NC_MAX_DIMS);
  }
  const int ndim = st == NC_OK ? p[3] : 0;
  int64_t shape[NC_MAX_DIMS];
  if (st == NC_OK && len < 4 + 4 * (size_t)ndim) {
    st = nc__fail(NC_ERR_FORMAT, "%s: truncated header", shown);
  }
  for (int d = 0; st == NC_OK && d < ndim; d++) {
    const unsigned char *q = p + 4 + 4 * d;
    shape[d] = (int64_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
                         (uint32_t)q[2] << 8 | q[3]);
  }
  uint64_t bytes = 0;
  if (st == NC_OK) {
    st = nc_tensor_bytes(NC_DTYPE_UINT8, ndim, shape, shown, &bytes);
  }
  const size_t hdr = 4 + 4 * (size_t)ndim;
  if (st == NC_OK && len - hdr != bytes) {
    st = nc__fail(NC_ERR_FORMAT,
                  "%s: the header's count calls for %llu bytes of data, the "
                  "file holds %zu",
                  shown, (unsigned long long)bytes, len - hdr);
  }
  if (st == NC_OK) {
    st = nc_tensor_alloc(t, NC_DTYPE_UINT8, ndim, shape);
  }
  if (st == NC_OK && bytes > 0) {
    memcpy(t->data, p + hdr, (size_t)bytes);
  }
  free(plain);
  return st;
}

nc_status_t nc_tensor_load_idx(const char *path, nc_tensor_t *t) {
  if (t != NULL) {
    memset(t, 0, sizeof *t);
  }
  if (path == NULL || t == NULL) {
    return nc__fail(NC_ERR_INVALID_ARG, "idx: NULL argument");
  }
  unsigned char *buf = NULL;
  size_t len = 0;
  nc_status_t st = nc__read_file(path, nc__tensor_max_bytes() + 1024,
                                 "the tensor limit", &buf, &len);
  if (st != NC_OK) {
    return st;
  }
  st = nc_tensor_parse_idx(buf, len, path, t);
  free(buf);
  return st;
}
