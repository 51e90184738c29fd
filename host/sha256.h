/* Private: SHA-256 (FIPS 180-4), for the OpenCL program cache's integrity
 * check (ocl_cache.c). */
#ifndef NEOCOG_HOST_SHA256_H
#define NEOCOG_HOST_SHA256_H

#include <stddef.h>
#include <stdint.h>

/** Bytes of a SHA-256 digest. */
#define NC__SHA256_BYTES 32

/** A running hash: nc__sha256_init, _update as often as needed, _final. */
typedef struct {
  uint32_t h[8];   /* chaining state */
  uint64_t bytes;  /* message length so far */
  uint8_t buf[64]; /* partial block */
  size_t nbuf;     /* bytes in buf */
} nc__sha256_t;

void nc__sha256_init(nc__sha256_t *c);
void nc__sha256_update(nc__sha256_t *c, const void *data, size_t n);
void nc__sha256_final(nc__sha256_t *c, uint8_t out[NC__SHA256_BYTES]);

/** The digest of `n` bytes at `data` in one call. */
void nc__sha256(const void *data, size_t n, uint8_t out[NC__SHA256_BYTES]);

#endif /* NEOCOG_HOST_SHA256_H */
