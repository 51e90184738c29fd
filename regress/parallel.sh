#!/bin/sh
# Runs a regression level as N shards with GNU parallel on this machine, then merges them:
# the same job list as one `neocog regress LEVEL` (the shards take every Nth job of it) and
# the same report, from N processes. What regress/slurm.sh does on a cluster.
#
# usage: regress/parallel.sh [-b NEOCOG] [-o OUT] [-s SEED] LEVEL|TEST... SHARDS [-- RUNNER-ARGS]
#   -b  the neocog to run (default build/bin/neocog)
#   -o  output: OUT/shard-K per shard, OUT/merged the report (default build/regress/parallel)
#   -s  base seed, the same for every shard (default 1)
# Exits with the merge's status: 0 every job passed, 1 a job failed, 2 bad input.
set -u
BIN=build/bin/neocog
OUT=build/regress/parallel
SEED=1
while getopts b:o:s: opt; do
  case $opt in
  b) BIN=$OPTARG ;;
  o) OUT=$OPTARG ;;
  s) SEED=$OPTARG ;;
  *) echo "usage: regress/parallel.sh [-b NEOCOG] [-o OUT] [-s SEED] LEVEL|TEST... SHARDS [-- ARGS]" >&2
     exit 2 ;;
  esac
done
shift $((OPTIND - 1))
sel=""
n=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  [ -n "$n" ] && sel="$sel $n"
  n=$1
  shift
done
[ "${1:-}" = "--" ] && shift
case "$n" in
'' | *[!0-9]*)
  echo "regress/parallel.sh: want the number of shards last (got '$n')" >&2
  exit 2 ;;
esac
if [ -z "$sel" ] || [ "$n" -lt 1 ]; then
  echo "regress/parallel.sh: want LEVEL|TEST... and a number of shards >= 1" >&2
  exit 2
fi
rm -rf "$OUT" && mkdir -p "$OUT"
# One job at a time per shard: parallel spreads the shards over the CPUs.
# shellcheck disable=SC2086
seq 1 "$n" | parallel --halt never -j "$(nproc)" \
  "$BIN" regress $sel --shard {}/"$n" --seed "$SEED" -j 1 --out "$OUT/shard-{}" "$@" \
  ">$OUT/shard-{}.out" "2>&1"
dirs=""
for k in $(seq 1 "$n"); do
  dirs="$dirs $OUT/shard-$k"
done
# shellcheck disable=SC2086
exec "$BIN" regress --merge $dirs --out "$OUT/merged"
