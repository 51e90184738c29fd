/*
 * The OpenCL backend: runs any layer of layer.h on an OpenCL device through
 * the ICD loader, with the same contract as nc_golden_run().
 *
 * Kernels are embedded in the library at build time (the .cl files under
 * kernels/), built per device on first use and cached as program binaries on
 * disk, keyed by device, driver version, source hash and build options, so
 * later runs skip the compile. The cache lives in $NEOCOG_CL_CACHE if set
 * (set but empty: no cache), else $XDG_CACHE_HOME/neocog, else
 * ~/.cache/neocog; a cache that cannot be read or written only costs a
 * compile, never a failure. Each cache file carries its own integrity
 * check (nc_ocl_cache_check()): a file that is cut short, corrupted,
 * foreign or not a regular file is rebuilt from source, never handed to
 * the driver. Files are written to a temporary name and renamed.
 *
 * Errors: an OpenCL error code `e` is returned as NC_CL_ERROR_BASE + e, and
 * nc_error_detail() names the call and the code, e.g.
 * "clEnqueueNDRangeKernel(nc_conv_tiled): CL_INVALID_WORK_GROUP_SIZE (-54)".
 * A failed program build returns NC_CL_ERROR_BASE + CL_BUILD_PROGRAM_FAILURE
 * and nc_ocl_build_log() holds the whole compiler log (the detail string
 * holds its beginning).
 */
#ifndef NEOCOG_OCL_H
#define NEOCOG_OCL_H

#include <stddef.h>
#include <stdint.h>

#include "neocog/check.h"
#include "neocog/layer.h"
#include "neocog/status.h"
#include "neocog/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open device: context, queue, built programs. One thread at a time. */
typedef struct nc_ocl nc_ocl_t;

/** What `neocog devices` prints about one device. */
typedef struct {
  int platform_index;         /**< position of its platform, from 0 */
  int device_index;           /**< position within its platform, from 0 */
  int global_index;           /**< position over all platforms, from 0 */
  char platform_name[128];    /**< CL_PLATFORM_NAME */
  char platform_version[128]; /**< CL_PLATFORM_VERSION */
  char name[128];             /**< CL_DEVICE_NAME */
  char vendor[128];           /**< CL_DEVICE_VENDOR */
  char type[32];              /**< "GPU", "CPU", "ACCELERATOR", "CUSTOM" */
  int is_gpu;                 /**< CL_DEVICE_TYPE_GPU bit set */
  unsigned compute_units;     /**< CL_DEVICE_MAX_COMPUTE_UNITS */
  unsigned clock_mhz;         /**< CL_DEVICE_MAX_CLOCK_FREQUENCY */
  uint64_t global_mem_bytes;  /**< CL_DEVICE_GLOBAL_MEM_SIZE */
  uint64_t max_alloc_bytes;   /**< CL_DEVICE_MAX_MEM_ALLOC_SIZE */
  uint64_t local_mem_bytes;   /**< CL_DEVICE_LOCAL_MEM_SIZE */
  uint64_t max_work_group;    /**< CL_DEVICE_MAX_WORK_GROUP_SIZE */
  char device_version[128];   /**< CL_DEVICE_VERSION */
  char driver_version[128];   /**< CL_DRIVER_VERSION */
  char opencl_c_version[128]; /**< CL_DEVICE_OPENCL_C_VERSION */
  int fp16;                   /**< cl_khr_fp16 */
  int fp64;                   /**< cl_khr_fp64 */
  int int64;                  /**< full profile, or cles_khr_int64 */
  int int_dot;                /**< cl_khr_integer_dot_product */
  int is_default;             /**< the device a run without selectors gets */
  int compiler;               /**< CL_DEVICE_COMPILER_AVAILABLE */
  char builtin_kernels[512];  /**< CL_DEVICE_BUILT_IN_KERNELS, ';'-separated */
} nc_ocl_device_info_t;

/**
 * Lists every device of every platform, platform by platform, into
 * out[0..cap) and the total count into *count (which may exceed cap: call
 * with cap 0 to size a buffer). No platform at all is NC_ERR_NOT_FOUND with
 * a detail that says so.
 */
NC_MUST_CHECK nc_status_t nc_ocl_list_devices(nc_ocl_device_info_t *out,
                                              int cap, int *count);

/**
 * Opens a device. A selector is an index ("0") or a case-insensitive
 * substring of the name ("pocl", "pthread"); NULL means the environment
 * variable (NEOCOG_CL_PLATFORM / NEOCOG_CL_DEVICE), and NULL or "" there
 * means no preference. With a platform selector the device index counts
 * within that platform; without one it is the global index
 * (nc_ocl_device_info_t.global_index) and names are searched on every
 * platform. With no device selector the first GPU is taken, else the first
 * CPU, else the first device. A selector that matches nothing is
 * NC_ERR_NOT_FOUND with a detail that lists what there is.
 */
NC_MUST_CHECK nc_status_t nc_ocl_open(nc_ocl_t **ctx, const char *platform_sel,
                                      const char *device_sel);

/** Releases everything of an open device. NULL is fine. */
void nc_ocl_close(nc_ocl_t *ctx);

/** The device an open context runs on. */
const nc_ocl_device_info_t *nc_ocl_device(const nc_ocl_t *ctx);

/**
 * Runs a layer on the device and allocates *out; same arguments, checks,
 * result dtype and shape as nc_golden_run(). Everything is validated before
 * anything is enqueued, including that no buffer exceeds the device's
 * CL_DEVICE_MAX_MEM_ALLOC_SIZE. Integer results are bit-exact with the
 * golden reference; float32 results differ from it by at most
 * NC_OCL_F32_RTOL * (|bias| + sum |x * w|) per element (for average pooling,
 * NC_OCL_F32_RTOL times the window's mean magnitude). On failure *out is
 * left empty.
 *
 * A device without a compiler that offers neocog's built-in kernels (the
 * neocog ICD's devices, docs/opencl-icd.md) runs int8 conv2d, fc, local
 * and pooling layers through them, bit-exact; other layers (float32,
 * uint8 input, a padding value other than the input zero point) are
 * NC_ERR_UNSUPPORTED there.
 */
NC_MUST_CHECK nc_status_t nc_ocl_run_layer(nc_ocl_t *ctx, const nc_layer_t *l,
                                           const nc_tensor_t *input,
                                           const nc_tensor_t *weights,
                                           const nc_tensor_t *bias,
                                           nc_tensor_t *out);

/** Does the device run a pooling layer fused after conv2d (neocog's
 *  built-in conv2d kernel does, in the accelerator's store path)? */
int nc_ocl_fuses_pooling(const nc_ocl_t *ctx);

/**
 * Runs int8 conv2d `l` with max or average pooling `pool` fused after it,
 * on a device where nc_ocl_fuses_pooling() holds, and allocates *out: the
 * golden pooling of the golden convolution, bit for bit. `l` must
 * requantize to int8 (pooling runs after requantization) and `pool` have
 * no padding. NC_ERR_UNSUPPORTED on any other device or layer; the layer
 * checks of nc_ocl_run_layer() otherwise. On failure *out is left empty.
 */
NC_MUST_CHECK nc_status_t nc_ocl_run_layer_pooled(
    nc_ocl_t *ctx, const nc_layer_t *l, const nc_layer_t *pool,
    const nc_tensor_t *input, const nc_tensor_t *weights,
    const nc_tensor_t *bias, nc_tensor_t *out);

/** The float32 tolerance nc_ocl_run_layer() promises (see there). */
#define NC_OCL_F32_RTOL 1e-4

/** Symbolic name of an OpenCL error code ("CL_INVALID_VALUE"), or
 *  "CL_UNKNOWN_ERROR". Never NULL. */
const char *nc_ocl_error_name(int clerr);

/** Full log of the last failed program build of this context ("" if none). */
const char *nc_ocl_build_log(const nc_ocl_t *ctx);

/** Which kernels nc_ocl_run_layer() may pick. */
typedef enum {
  NC_OCL_PATH_AUTO = 0, /**< by shape: fast paths where they pay off */
  NC_OCL_PATH_GENERAL,  /**< always the general kernel of the operation */
  NC_OCL_PATH_FAST,     /**< a fast path wherever one handles the shape */
  NC_OCL_PATH_LOCAL,    /**< the local-memory tiled kernel for conv2d and
                             fc (what AUTO picks on a GPU); the fast paths
                             for the other layers */
} nc_ocl_path_t;

/**
 * The convolution algorithm of float32 conv2d layers (integer layers and
 * other kinds always run directly). Winograd F(2x2,3x3) / F(4x4,3x3) takes
 * square kernels from 2x2 on (the stride folded in, a kernel above 3x3
 * split into 3x3 blocks); FFT takes square kernels of any size. Both need groups 1, dilation 1 and equal strides; a layer an
 * explicitly named algorithm cannot take runs directly (the profile says
 * what ran). See docs/opencl.md for their error bounds.
 */
typedef enum {
  NC_OCL_ALGO_DIRECT = 0, /**< direct convolution (the kernels above) */
  NC_OCL_ALGO_AUTO,       /**< the fastest by the device's cost model */
  NC_OCL_ALGO_WINOGRAD,   /**< Winograd minimal filtering */
  NC_OCL_ALGO_FFT,        /**< tiled FFT, overlap-save */
  NC_OCL_ALGO_COUNT
} nc_ocl_algo_t;

/** "direct", "auto", "winograd", "fft"; NULL for a bad value. */
const char *nc_ocl_algo_name(nc_ocl_algo_t a);

/** Parses an algorithm name (case-insensitive); -1 if unknown. */
int nc_ocl_algo_parse(const char *name);

/**
 * How the tiled conv2d path sums integer layers. All are bit-exact; see
 * docs/opencl.md ("int8 and VNNI") for the instructions each compiles to.
 */
typedef enum {
  NC_OCL_INT8_AUTO = 0, /**< vnni where it can run, else pairs on a CPU
                             device and float elsewhere */
  NC_OCL_INT8_PAIRS,    /**< 16-bit pairs of channels with integer
                             multiply-adds (nc_conv_pairs; its OpenCL C
                             needs a clang-based compiler) */
  NC_OCL_INT8_FLOAT,    /**< exact float products summed in chunks
                             (nc_conv_tiled) */
  NC_OCL_INT8_VNNI,     /**< quads of channels in AVX512-VNNI vpdpbusd,
                             issued by inline asm (nc_conv_vnni): only on a
                             CPU device of POCL whose host CPU has
                             AVX512-VNNI and whose compiler targets AVX512F;
                             elsewhere a run asking for it fails with
                             NC_ERR_UNSUPPORTED */
  NC_OCL_INT8_COUNT
} nc_ocl_int8_t;

/**
 * Tunables of the fast paths; 0 means "choose by shape". They become the
 * kernels' -D build options (NC_TILE_W, NC_TILE_OV, NC_FC_NB, NC_LT_*).
 * nc_ocl_open() sets `path` from NEOCOG_CL_KERNEL (auto, general, fast or
 * local) when that is set.
 */
typedef struct {
  nc_ocl_path_t path; /**< kernel choice */
  int tile_w;         /**< conv: output columns per work-item, 1..32 */
  int tile_ov;        /**< conv: 16-channel vectors per work-item, 1..4 */
  int fc_rows;        /**< fc: batch rows per work-item, 1..8 */
  int local_size[3];  /**< conv tiled work-group (rows, column blocks,
                           channel blocks), all 0 = runtime picks */
  int ltile_m;        /**< local path: output pixels per work-group, 4..128,
                           a power of two */
  int ltile_n;        /**< local path: output channels per work-group,
                           4..128, a power of two */
  int ltile_k;        /**< local path: taps per local-memory slice, 1..64 */
  nc_ocl_algo_t algo; /**< float32 conv2d algorithm (NEOCOG_CL_ALGO) */
  int wino_m;         /**< Winograd output tile: 0 (by cost), 2 or 4 */
  int fft_n;          /**< FFT size: 0 (by cost) or 8, 16, 32, 64 */
  nc_ocl_int8_t int8; /**< integer conv2d formulation on the tiled path */
} nc_ocl_tuning_t;

/** Sets the tunables of later runs; checks their ranges. */
NC_MUST_CHECK nc_status_t nc_ocl_set_tuning(nc_ocl_t *ctx,
                                            const nc_ocl_tuning_t *t);

/** Sets only the tuning's algorithm (what `--algo` does). */
NC_MUST_CHECK nc_status_t nc_ocl_set_algo(nc_ocl_t *ctx, nc_ocl_algo_t algo);

/** Device features a run can need, for nc_ocl_mask_features(). */
enum {
  NC_OCL_FEAT_INT64 = 1, /**< 64-bit integers (integer layers need them) */
  NC_OCL_FEAT_VNNI = 2,  /**< vpdpbusd in kernels (NC_OCL_INT8_VNNI) */
};

/**
 * Makes the context behave as if the device lacked these features, to test
 * that a run which needs one fails cleanly (NC_ERR_UNSUPPORTED) and that a
 * choice which prefers one falls back (NC_OCL_INT8_AUTO without VNNI).
 */
void nc_ocl_mask_features(nc_ocl_t *ctx, unsigned features);

/**
 * Lowers the memory limits later runs check against: a buffer may hold at
 * most max_alloc_bytes (CL_DEVICE_MAX_MEM_ALLOC_SIZE) and all the buffers of
 * a run together global_mem_bytes (CL_DEVICE_GLOBAL_MEM_SIZE). A value of 0,
 * or one above what the device reports, leaves that limit as it is. For
 * fitting a run to a smaller device, and for testing the limit checks on a
 * device of any size; nc_ocl_device() shows the limits in force.
 */
void nc_ocl_limit_memory(nc_ocl_t *ctx, uint64_t max_alloc_bytes,
                         uint64_t global_mem_bytes);

/** Timing and bookkeeping of the last successful nc_ocl_run_layer(). */
typedef struct {
  uint64_t kernel_ns;   /**< all kernels of the run (event profiling) */
  uint64_t main_ns;     /**< the layer's compute kernel alone */
  const char *kernel;   /**< name of the compute kernel, e.g. "nc_conv_tiled" */
  int programs_built;   /**< programs compiled from source so far */
  int programs_cached;  /**< programs loaded from the binary cache so far */
  int programs_refused; /**< cache files refused by their integrity check
                             (and rebuilt) so far */
  nc_ocl_algo_t algo;   /**< the algorithm that ran (never AUTO) */
  int algo_tile;        /**< Winograd: output tile side M (2 or 4);
                             FFT: transform size N; direct: 0 */
  int weights_cached;   /**< transformed weights came from the cache */
} nc_ocl_profile_t;

/** Fills *p with the profile of the last run. */
void nc_ocl_last_profile(const nc_ocl_t *ctx, nc_ocl_profile_t *p);

/** "direct", "winograd F(4x4,3x3)", "fft 32x32": what a profile ran. */
void nc_ocl_algo_describe(nc_ocl_algo_t algo, int tile, char *buf,
                          size_t len);

/**
 * Checks the result `got` of the context's last nc_ocl_run_layer() of this
 * layer against a float64 reference, with the tolerance of the algorithm
 * that ran (docs/opencl.md, "Error bounds"): bit-exact for integer layers;
 * for float32, |got - ref| <= NC_OCL_F32_RTOL * m per element, with m the
 * algorithm's magnitude: |bias| + sum |x * w| for direct convolution, and
 * for Winograd and FFT the terms of their error bounds carried through
 * the transforms, with a factor of 2 n u (n: the rounding steps, u =
 * 2^-24) in place of NC_OCL_F32_RTOL (nc_ocl_algo_rtol()).
 * NC_ERR_MISMATCH (rep says where) if an element is outside. When
 * worst is not NULL, *worst is the largest |got - ref| / m.
 */
NC_MUST_CHECK nc_status_t nc_ocl_check_last(
    const nc_ocl_t *ctx, const nc_layer_t *l, const nc_tensor_t *input,
    const nc_tensor_t *weights, const nc_tensor_t *bias,
    const nc_tensor_t *got, nc_check_report_t *rep, double *worst);

/** The factor nc_ocl_check_last() applies to the magnitude for the last
 *  run's algorithm on this layer (NC_OCL_F32_RTOL for direct). */
double nc_ocl_algo_rtol(const nc_ocl_t *ctx, const nc_layer_t *l,
                        const nc_tensor_t *input, const nc_tensor_t *weights);

/**
 * The device's cost model of the algorithms: nanoseconds per MAC of the
 * direct kernel and of the transforms' GEMM, per transformed point and
 * channel of the transforms. Measured on first use of NC_OCL_ALGO_AUTO
 * and kept next to the compiled programs (or measured again per context
 * when there is no cache).
 */
typedef struct {
  double direct_ns_mac; /**< nc_conv_tiled */
  double gemm_ns_mac;   /**< nc_bgemm */
  double wino_ns_pt;    /**< Winograd transforms, per point and channel */
  double fft_ns_pt;     /**< FFT transforms, per point and stage of each
                             N-point complex FFT they do, per channel */
  int from_cache;       /**< 1: read from the cache file */
} nc_ocl_cost_t;

/** Calibrates (or loads) the cost model and copies it to *out. */
NC_MUST_CHECK nc_status_t nc_ocl_cost_model(nc_ocl_t *ctx,
                                            nc_ocl_cost_t *out);

/** Bytes of a program-cache file's header: magic, format version, header
 *  size, payload size, the key and the payload's SHA-256. */
#define NC_OCL_CACHE_HEADER_BYTES 88
/** Bytes of a cache key: the SHA-256 of everything a program binary depends
 *  on (platform, device, driver version, kernel source, build options). */
#define NC_OCL_CACHE_KEY_BYTES 32
/** Largest program binary the cache holds (256 MiB). */
#define NC_OCL_CACHE_MAX_PAYLOAD (UINT64_C(256) << 20)

/**
 * Checks a program-cache file image of `len` bytes: its magic, format
 * version and sizes, that it was written for `key` (NULL: any key), and the
 * SHA-256 of its payload. On NC_OK the program binary is the `*payload_len`
 * bytes after the header. Otherwise (*payload_len 0) the detail says what
 * is wrong: NC_ERR_FORMAT for a file cut short, grown or corrupted,
 * NC_ERR_UNSUPPORTED for another format version, NC_ERR_MISMATCH for a
 * file written for another key. The backend rebuilds from source on any
 * of them; exposed for tools and the cache's fuzz target.
 */
NC_MUST_CHECK nc_status_t nc_ocl_cache_check(
    const void *file, size_t len, const uint8_t key[NC_OCL_CACHE_KEY_BYTES],
    size_t *payload_len);

/** Writes the header a cache file of this payload and key starts with.
 *  NC_ERR_UNSUPPORTED for a payload above NC_OCL_CACHE_MAX_PAYLOAD. */
NC_MUST_CHECK nc_status_t nc_ocl_cache_header(
    const void *payload, size_t len, const uint8_t key[NC_OCL_CACHE_KEY_BYTES],
    uint8_t header[NC_OCL_CACHE_HEADER_BYTES]);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_OCL_H */
