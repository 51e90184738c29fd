#!/bin/sh
# Runs a regression level on a Slurm cluster: a job array of N shards (regress/slurm.sbatch),
# then a merge job that runs when every shard has ended, however it ended; waits for the
# merge and prints its report. The output directory must be on a file system every node
# sees (the shards write their logs and job records there).
#
# usage: regress/slurm.sh [-b NEOCOG] [-o OUT] [-s SEED] [-p PARTITION] LEVEL|TEST... SHARDS
#                         [-- RUNNER-ARGS]
#   -b  the neocog to run (default build/bin/neocog, made absolute)
#   -o  output: OUT/shard-K, OUT/merged, OUT/slurm-*.out (default build/regress/slurm)
#   -s  base seed, the same for every shard (default 1)
#   -p  the partition (default: the cluster's default)
# Exits with the merge's status: 0 every job passed, 1 a job failed, 2 bad input.
set -u
BIN=build/bin/neocog
OUT=build/regress/slurm
SEED=1
PART=""
while getopts b:o:s:p: opt; do
  case $opt in
  b) BIN=$OPTARG ;;
  o) OUT=$OPTARG ;;
  s) SEED=$OPTARG ;;
  p) PART="--partition=$OPTARG" ;;
  *) echo "usage: regress/slurm.sh [-b NEOCOG] [-o OUT] [-s SEED] [-p PART] LEVEL|TEST... SHARDS [-- ARGS]" >&2
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
  echo "regress/slurm.sh: want the number of shards last (got '$n')" >&2
  exit 2 ;;
esac
if [ -z "$sel" ] || [ "$n" -lt 1 ]; then
  echo "regress/slurm.sh: want LEVEL|TEST... and a number of shards >= 1" >&2
  exit 2
fi
case "$BIN" in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
case "$OUT" in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck disable=SC2086
array=$(sbatch --parsable $PART --array="1-$n" --output="$OUT/slurm-%A_%a.out" \
  regress/slurm.sbatch "$BIN" "$OUT" "$SEED" $sel -- "$@") || exit 2
echo "regress/slurm.sh: job array $array, $n shards, output in $OUT"
dirs=""
for k in $(seq 1 "$n"); do
  dirs="$dirs $OUT/shard-$k"
done
# The merge waits for every task (afterany: failing shards are merged too).
sbatch --parsable --wait $PART --job-name=neocog-regress-merge \
  --dependency="afterany:$array" --output="$OUT/slurm-merge.out" \
  --wrap="'$BIN' regress --merge $dirs --out '$OUT/merged'" >/dev/null
rc=$?
cat "$OUT/slurm-merge.out"
exit $rc
