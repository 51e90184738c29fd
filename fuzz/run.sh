#!/bin/sh
# One libFuzzer run of one target (make fuzz): fuzz/run.sh BUILD_FUZZ TARGET SECONDS
# The committed corpus seeds a scratch corpus under BUILD_FUZZ/TARGET/, so
# the repository only changes when someone copies an input in. Prints the
# fuzzer's last status line (executions, exec/s, coverage) and exits non-zero
# when the target crashed, leaked or timed out.
set -u
out=$1
t=$2
secs=$3
dir=$out/$t
mkdir -p "$dir/corpus" "$dir/crashes"
cp fuzz/corpus/"$t"/* "$dir/corpus/" 2>/dev/null
log=$dir/fuzz.log
# -timeout: one input may take at most 10 s; -rss_limit_mb: the targets hold
# tensors to small sizes, so more than 2 GiB is a leak or a runaway.
"$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/crashes/" \
  "$dir/corpus" >"$log" 2>&1
rc=$?
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
execs=$(grep 'stat::number_of_executed_units' "$log" | awk '{print $2}')
eps=$(grep 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
echo "fuzz $t: ${execs:-?} executions, ${eps:-?} exec/s in ${secs}s; $last"
if [ "$rc" -ne 0 ]; then
  echo "fuzz $t: FAILED (exit $rc), see $log and $dir/crashes/"
  exit 1
fi
