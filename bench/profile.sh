#!/bin/sh
# SPDX-License-Identifier: MIT
# Where the time goes in the benchmarks that miss their targets
# (bench/README.md, "Why targets are missed"). Needs perf (linux-perf; a
# software clock is enough, no hardware counters) and the builds of
# 'make bench'. Writes bench/results/profiles.txt; takes about a minute.
#
#   sh bench/profile.sh [BUILD]
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
QEMU=${QEMU_PREFIX:-$BUILD/qemu}
Q="$QEMU/bin/qemu-x86_64"
P="$BUILD/libbackdoor.so"
OUT=bench/results/profiles.txt
# Outputs go to tmpfs where there is one, as in row 6 of bench/run.py.
TMP=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$TMP"' EXIT
command -v perf >/dev/null || { echo "profile.sh: perf is not installed" >&2; exit 1; }

profile() { # title, then the command
    title=$1; shift
    perf record -q -e cpu-clock -F 4000 -o "$TMP/perf.data" "$@" >/dev/null 2>&1
    {
        echo "== $title"
        echo "   $*" | sed "s|$TMP|\$TMP|g"
        perf report -i "$TMP/perf.data" --no-children --stdio --sort dso,sym 2>/dev/null |
            grep -E '^ +[0-9]' | head -16
        echo
    } >>"$OUT"
}

: >"$OUT"
echo "perf record -e cpu-clock; self time by function; $("$Q" --version | head -1)" >>"$OUT"
echo >>"$OUT"
profile "row 3: BACKDOOR_i8_v32(5, 7), decoded at translation, no register" \
    "$Q" -plugin "$P,summary=none" "$BUILD/bench/calls" i8_v32_const 20000000
profile "row 2: backdoor_present(), constant, result written" \
    "$Q" -plugin "$P,summary=none" "$BUILD/bench/calls" present 20000000
profile "row 2: backdoor_sum(a,b,c,d), four run-time arguments" \
    "$Q" -plugin "$P,summary=none" "$BUILD/bench/calls" call4 10000000
profile "row 6: backdoor_mark(1, i) with events=" \
    "$Q" -plugin "$P,summary=none,events=$TMP/events.jsonl" "$BUILD/bench/calls" mark 0 3
rm -f "$TMP/events.jsonl"
profile "row 6: backdoor_mark(1, i) with trace=" \
    "$Q" -plugin "$P,summary=none,trace=$TMP/trace.json" "$BUILD/bench/calls" mark 0 3
rm -f "$TMP/trace.json"

# Row 1: the host code QEMU generates for the same guest blocks without a
# plugin and with QEMU's own empty plugin.
"$Q" -d out_asm -D "$TMP/none.asm" "$BUILD/bench/workload" 1 >/dev/null
"$Q" -d out_asm -D "$TMP/empty.asm" -plugin "$(ls "$QEMU"/lib*/qemu-plugins/libempty.so \
    "$QEMU"/lib/*/qemu-plugins/libempty.so 2>/dev/null | head -1)" "$BUILD/bench/workload" 1 >/dev/null
size() { grep -o 'OUT: \[size=[0-9]*' "$1" | grep -o '[0-9]*$' | awk '{s += $1} END {print NR, s}'; }
{
    echo "== row 1: host code for 'workload 1' (blocks, bytes), -d out_asm"
    echo "   no plugin:  $(size "$TMP/none.asm")"
    echo "   libempty.so: $(size "$TMP/empty.asm")"
} >>"$OUT"
echo "wrote $OUT"
