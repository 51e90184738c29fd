/*
 * The version of neocog: of the library, the CLI and the installed headers
 * together (the shared library's soname carries the major number). The
 * accelerator's own register map and ISA have a version of their own,
 * NC_HW_VERSION_MAJOR/MINOR in neocog/nc_hw.h, which the device reports.
 */
#ifndef NEOCOG_VERSION_H
#define NEOCOG_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define NC_VERSION_MAJOR 0 /**< incompatible API changes */
#define NC_VERSION_MINOR 9 /**< backward-compatible additions */
#define NC_VERSION_PATCH 0 /**< fixes */
/** "MAJOR.MINOR.PATCH" of this header. */
#define NC_VERSION_STRING "0.9.0"

/** The version of the library linked in, "MAJOR.MINOR.PATCH": compare with
 *  NC_VERSION_STRING to catch a header and library that do not match. */
const char *nc_version(void);

#ifdef __cplusplus
}
#endif

#endif /* NEOCOG_VERSION_H */
