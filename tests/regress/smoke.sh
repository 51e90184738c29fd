#!/bin/sh
# The regression's smoke level (regress/tests.list), as one of make test's script tests:
# every job of the level, as many at a time as there are CPUs. Ends with the runner's
# "regress.smoke: N passed, N failed" (one count per job).
BUILD=${BUILD:-build}
exec "${NEOCOG_BIN:-$BUILD/bin/neocog}" regress smoke --out "$BUILD/regress/smoke"
