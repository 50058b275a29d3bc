#!/usr/bin/env bash
# Turn a crashing input of the fuzzer into a qtest trace that an ordinary
# qemu-system-x86_64 replays (scripts/fuzz-replay.sh, in make check): the
# fuzzer runs the input once more with every qtest command logged, QEMU's
# scripts/oss-fuzz/reorder_fuzzer_qtest_trace.py puts the DMA fills before
# the commands that read them, and the trace is written to OUT with its
# QEMU arguments on a first "# args:" line.
# Usage: fuzz-reproduce.sh FUZZER TARGET QEMU_TREE INPUT OUT
set -euo pipefail
[ $# = 5 ] || { echo "usage: fuzz-reproduce.sh FUZZER TARGET QEMU_TREE INPUT OUT" >&2; exit 2; }
fuzzer=$1 target=$2 tree=$3 input=$4 out=$5
[ -x "$fuzzer" ] || { echo "fuzz-reproduce: no fuzzer $fuzzer" >&2; exit 2; }
[ -f "$input" ] || { echo "fuzz-reproduce: no input $input" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The crash ends the run: its status says nothing here.
QTEST_LOG=1 FUZZ_SERIALIZE_QTEST=1 ASAN_OPTIONS=detect_leaks=0 \
	timeout 300 "$fuzzer" --fuzz-target="$target" "$input" \
	>"$tmp/stdout" 2>"$tmp/stderr" || true
args=$(sed -n 's/^Starting [^ ]* with Arguments: //p' "$tmp/stdout" | head -n 1)
[ -n "$args" ] || { echo "fuzz-reproduce: the fuzzer did not say its arguments" >&2; exit 1; }
# The fuzzer talks qtest over /dev/null; the replay uses stdio.
args=$(sed -e 's/ -qtest \/dev\/null//' -e 's/ -qtest-log none//' -e 's/  */ /g' <<<"$args")
"$tree/scripts/oss-fuzz/reorder_fuzzer_qtest_trace.py" "$tmp/stderr" >"$tmp/trace"
[ -s "$tmp/trace" ] || { echo "fuzz-reproduce: empty trace from $input" >&2; exit 1; }
# generic-fuzz backs every address outside RAM with its sparse memory
# (hw/mem/sparse-mem.c, fuzz builds only), and the DMA data it gave from
# there becomes "write" commands that an ordinary build drops: the device
# reads nothing there in the replay.  Count those bytes, for the trace's
# header and for whoever checks that the trace fails without the fix.
sparse=$(python3 - "$args" "$tmp/trace" <<'EOF'
import re, sys
# QEMU takes the last -m; without one, 128 MiB
ms = re.findall(r'(?:^| )-m (\S+)', sys.argv[1])
m = re.fullmatch(r'(?:size=)?(\d+)([kKmMgGtT]?)(?:,.*)?', ms[-1]) if ms else None
if ms and not m:
    sys.exit(f'fuzz-reproduce: cannot read the RAM size in -m {ms[-1]}')
ram = int(m.group(1)) << {'': 20, 'K': 10, 'M': 20, 'G': 30, 'T': 40}[m.group(2).upper()] if m else 128 << 20
low = min(ram, 0x80000000 if ram >= 0xb0000000 else 0xb0000000)
rams = ((0, low), (1 << 32, (1 << 32) + ram - low))  # q35's split at 4 GiB
n = 0
for line in open(sys.argv[2]):
    w = line.split()
    if len(w) == 4 and w[0] == 'write':
        a = int(w[1], 16)
        e = a + int(w[2], 16)
        n += e - a - sum(max(0, min(e, r1) - max(a, r0)) for r0, r1 in rams)
print(n)
EOF
)
{
	echo "# args: $args"
	echo "# input: $(basename "$input") ($(sha1sum <"$input" | cut -c1-12))"
	[ "$sparse" = 0 ] ||
		echo "# sparse: $sparse bytes of DMA data outside RAM, which an ordinary build does not keep"
	grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*Assertion)' "$tmp/stderr" |
		sed 's/^/# crash: /' || true
	cat "$tmp/trace"
} >"$out"
echo "fuzz-reproduce: $out ($(grep -vc '^#' "$out") commands)"
[ "$sparse" = 0 ] || echo "fuzz-reproduce: $out: the fuzzer's DMA read $sparse bytes outside RAM," \
	"which the replay on an ordinary build does not have: check that it fails there without the fix" >&2
