#!/usr/bin/env bash
# Replay every qtest trace of DIR (fuzz/reproducers: inputs that once
# crashed or hung QEMU's fuzzer, from scripts/fuzz-reproduce.sh) on an
# ordinary qemu-system-x86_64, and print TAP: a trace passes when QEMU ran
# it to its end and still answers a qtest command after it (within 120 s,
# FUZZ_REPLAY_TIMEOUT seconds if set).
# Usage: fuzz-replay.sh QEMU DIR
set -uo pipefail
[ $# = 2 ] || { echo "usage: fuzz-replay.sh QEMU DIR" >&2; exit 2; }
qemu=$1 dir=$2 limit=${FUZZ_REPLAY_TIMEOUT:-120}
traces=("$dir"/*.qtest)
[ -e "${traces[0]}" ] || traces=()
echo "1..${#traces[@]}"
i=0 rc=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "${traces[@]}"; do
	i=$((i + 1))
	name=$(basename "$t" .qtest)
	args=$(sed -n '1s/^# args: //p' "$t")
	if [ -z "$args" ]; then
		echo "not ok $i $name # no '# args:' line"
		rc=1
		continue
	fi
	# "endianness" last, a second after the trace (qtest runs the commands
	# of one read before the bottom halves they schedule): QEMU must still
	# be there to answer it.  QEMU does not leave when the trace ends: once
	# it answered, it is stopped, and must die of that, not before.
	# shellcheck disable=SC2086
	{ grep -v '^#' "$t"; sleep 1; echo endianness; } | "$qemu" $args -qtest stdio >"$out" 2>&1 &
	pid=$!
	for _ in $(seq $((limit * 10))); do
		grep -q '^OK little$' "$out" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	answered=0 alive=0
	grep -q '^OK little$' "$out" && answered=1
	sleep 0.5
	kill -0 $pid 2>/dev/null && alive=1
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	st=$?
	# QEMU quits on SIGTERM (status 0), or dies of it (143)
	if [ $answered = 1 ] && [ $alive = 1 ] && { [ $st = 0 ] || [ $st = 143 ]; }; then
		echo "ok $i $name"
	else
		tail -n 5 "$out" | sed 's/^/# /'
		echo "not ok $i $name # QEMU $([ $alive = 0 ] && echo "died (status $st)" || echo "did not answer after the trace (status $st)")"
		rc=1
	fi
done
exit $rc
