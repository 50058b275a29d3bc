#!/usr/bin/env bash
# Fuzz the Intel DSA and the scalable-mode vIOMMU for SECONDS with QEMU's
# generic-fuzz (target generic-fuzz-intel-dsa, built by
# scripts/build-qemu-fuzz.sh), starting from the seeds of fuzz/corpus and
# what earlier runs on this machine found (build/fuzz/corpus).  Afterwards:
#   - fuzz/corpus becomes what libFuzzer's -merge=1 keeps of it and of what
#     the run found (only inputs reaching new edges), plus the seeds;
#   - a crash, hang or out-of-memory input becomes a qtest trace in
#     fuzz/reproducers (scripts/fuzz-reproduce.sh), which make check
#     replays on the ordinary build, and the run fails;
#   - the run's executions are added to fuzz/runs.tsv and the total written
#     into the README's "Fuzz executions" line.
# libFuzzer runs in fork mode: JOBS processes at a time (FUZZ_JOBS, 1 by
# default), each a fresh QEMU fuzzing for a while, and a crash, hang or
# memory blow-up in one of them is saved and the run goes on.  (A single
# long-lived process ran 75 inputs a second here and slowed as it went;
# fork mode 147 with one job, 221 with two.)  To end a run early, send
# SIGTERM to the fuzzer (the process with -fork=), not to this script.
# Usage: fuzz-run.sh FUZZER SECONDS
set -euo pipefail
[ $# = 2 ] || { echo "usage: fuzz-run.sh FUZZER SECONDS" >&2; exit 2; }
fuzzer=$1 secs=$2 jobs=${FUZZ_JOBS:-1}
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz-run: SECONDS must be a positive integer, not '$secs'" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz-run: FUZZ_JOBS must be a positive integer, not '$jobs'" >&2; exit 2; }
[ -x "$fuzzer" ] || { echo "fuzz-run: no fuzzer $fuzzer" >&2; exit 2; }
fuzzer=$(realpath "$fuzzer")
top=$(cd "$(dirname "$0")/.." && pwd)
target=generic-fuzz-intel-dsa
work=$top/build/fuzz seeds=$top/fuzz/corpus repro=$top/fuzz/reproducers
mkdir -p "$work/corpus" "$work/artifacts" "$seeds" "$repro"
rm -f "$work"/artifacts/* "$work"/fuzz-*.log
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log=$work/run-${stamp//:/}.log
# Leaks are not crashes here (QEMU keeps what it allocates at start); a
# guest making QEMU grow is, through -rss_limit_mb.  UBSan stops at its
# first report, so each one is a crash with an input.  libFuzzer's own
# -detect_leaks is off too: with it, every input after which QEMU holds
# more allocations than before ran a second time for a leak check that
# LeakSanitizer, off, never makes (a third of the time; 1.45 times the
# executions without it, measured side by side for 150 s).
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=0:print_stacktrace=1
echo "fuzz-run: $target for $secs s, $jobs job(s) at a time, log $log"
rc=0
(cd "$work" && "$fuzzer" --fuzz-target=$target -fork="$jobs" -ignore_crashes=1 \
	-ignore_timeouts=1 -ignore_ooms=1 -detect_leaks=0 -max_total_time="$secs" \
	-timeout=30 -rss_limit_mb=3072 -max_len=4096 -use_value_profile=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds") >"$log" 2>&1 || rc=$?
# Fork mode's status lines: "#EXECUTIONS: cov: ... time: SECONDSs ..."
last=$(grep -a -E '^#[0-9]+: cov: ' "$log" | tail -n 1)
execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
secs_run=$(sed -n -E 's/.* time: ([0-9]+)s.*/\1/p' <<<"$last")
[ -n "$execs" ] || { tail -n 30 "$log" >&2; echo "fuzz-run: no statistics: the fuzzer did not start ($log)" >&2; exit 1; }
# Slow inputs (over libFuzzer's 10 s report threshold, below the 30 s
# timeout) are not crashes: they are kept in build/fuzz/slow and counted.
mkdir -p "$work/slow"
slow=0
for a in "$work"/artifacts/slow-unit-*; do
	[ -e "$a" ] || continue
	slow=$((slow + 1))
	mv "$a" "$work/slow/"
done
crashes=0
for a in "$work"/artifacts/*; do
	[ -e "$a" ] || continue
	crashes=$((crashes + 1))
	"$top/scripts/fuzz-reproduce.sh" "$fuzzer" "$target" "$top/build/qemu" "$a" \
		"$repro/$(basename "$a").qtest"
done
# Keep fuzz/corpus small: merge it and this machine's corpus into an empty
# directory, where libFuzzer keeps, smallest first, only the inputs that
# reach edges those kept before them did not, so inputs that later ones made
# redundant go.  Edges, not their hit counts (-use_counters=0): on 2026-12-07
# that kept 566 of 3,163 inputs, reaching 1 line of intel_dsa.c and 2-4 of
# intel_iommu.c fewer (two coverage runs of the 3,163 differed by 2 lines of
# intel_iommu.c).  build/fuzz/corpus keeps every find for the next run
# here.  The seeds of fuzz-seeds.py stay, whatever they add: they are the
# documented starting points.  No merge after a crash; a failed one leaves
# fuzz/corpus as it was.
before=$(find "$seeds" -type f | wc -l)
if [ $crashes = 0 ]; then
	rm -rf "$work/merged"
	mkdir "$work/merged"
	if "$fuzzer" --fuzz-target=$target -merge=1 -use_counters=0 -detect_leaks=0 \
		-timeout=30 -rss_limit_mb=3072 "$work/merged" "$seeds" "$work/corpus" \
		>>"$log" 2>&1 &&
		[ -n "$(ls -A "$work/merged")" ]; then
		for f in "$seeds"/seed-*; do
			rm -f "$work/merged/$(sha1sum <"$f" | cut -c1-40)"
			cp "$f" "$work/merged/"
		done
		find "$seeds" -maxdepth 1 -type f -delete
		cp "$work/merged"/* "$seeds/"
	else
		echo "fuzz-run: the merge failed; fuzz/corpus left as it was ($log)" >&2
	fi
fi
after=$(find "$seeds" -type f | wc -l)
printf '%s\t%s\t%s\t%s\t%s\n' "$stamp" "$target" "${secs_run:-$secs}" "$execs" "$crashes" >>"$top/fuzz/runs.tsv"
total=$(awk -F'\t' '$1 !~ /^#/ { n += $4 } END { print n }' "$top/fuzz/runs.tsv")
sed -i "s/^Fuzz executions so far: .*/Fuzz executions so far: **$total** (fuzz\/runs.tsv)/" "$top/README.md"
cov=$(grep -a -o 'cov: [0-9]*' <<<"$last")
echo "fuzz-run: $execs executions in ${secs_run:-$secs} s ($cov edges), $crashes crash(es), $slow slow input(s) (build/fuzz/slow); corpus $before -> $after inputs; total $total executions"
# 72: libFuzzer was interrupted (SIGTERM to the fuzzer process, not to this
# script, ends a run early): the run is recorded as far as it got.
if [ $crashes = 0 ] && [ $rc = 72 ]; then
	echo "fuzz-run: the fuzzer was interrupted after $execs executions; recorded"
	rc=0
fi
if [ $crashes != 0 ] || [ $rc != 0 ]; then
	grep -a -m3 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|Assertion|ALARM|out-of-memory' "$log" >&2 || true
	echo "fuzz-run: $crashes input(s) crashed, hung or blew up QEMU (fuzzer status $rc): see fuzz/reproducers, $log and $work/fuzz-*.log" >&2
	exit 1
fi
