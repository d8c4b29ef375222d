#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo `make demo` runs: guest programs under QEMU user mode with the
# backdoor plugin, showing what arrives on the host side, and a shell script
# under Linux in system mode. With only a system QEMU (QEMU_PREFIX=/usr and
# Debian's packages) the user-mode steps say why they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
qemu=${QEMU_PREFIX:-$build/qemu}/bin
# DEMO_OUT: where its files go (the tests give each run its own).
out=${DEMO_OUT:-$build/demo}
mkdir -p "$out"

# Bold headings on a terminal only: no escape codes in a redirected output.
if [ -t 1 ]; then
    step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
else
    step() { printf '\n## %s\n' "$*"; }
fi
user_mode() {
    # A static qemu-x86_64 (Debian's qemu-user) cannot load plugins.
    [ -x "$qemu/qemu-x86_64" ] && ldd "$qemu/qemu-x86_64" > /dev/null 2>&1 && return 0
    echo "(skipped: no qemu-x86_64 in $qemu; Debian's qemu-user is static and loads no plugins, 'make qemu' builds one)"
    return 1
}

step "1. The seed's example: a guest sends numbers, a seed-era handler prints them"
echo "\$ qemu-x86_64 -plugin libbackdoor.so,handler=libprint-handler.so,summary=none print-guest"
user_mode && "$qemu/qemu-x86_64" \
    -plugin "$build/libbackdoor.so,handler=$build/examples/libprint-handler.so,summary=none" \
    "$build/examples/print-guest"

step "2. Regions of interest, no host code: a workload marks two phases"
echo "\$ qemu-x86_64 -plugin libbackdoor.so,trace=regions-trace.json,events=regions-events.jsonl regions-workload"
user_mode && "$qemu/qemu-x86_64" \
    -plugin "$build/libbackdoor.so,trace=$out/regions-trace.json,events=$out/regions-events.jsonl" \
    "$build/examples/regions-workload"

step "3. The same from a shell script, under a real Linux kernel (system mode)"
scripts/fetch-linux.sh >/dev/null 2>&1 || true
python3 scripts/demo_linux.py

step "4. Two-way: the guest reads a host file through a handler (like gem5's m5 readfile)"
echo "\$ qemu-x86_64 -plugin libbackdoor.so,handler=libreadfile-handler.so,handler-arg=file=README.md readfile-guest > copy.md"
if user_mode; then
    "$qemu/qemu-x86_64" \
        -plugin "$build/libbackdoor.so,handler=$build/examples/libreadfile-handler.so,handler-arg=file=README.md,summary=none" \
        "$build/examples/readfile-guest" > "$out/readfile-copy.md"
    head -n 3 "$out/readfile-copy.md"
    cmp -s README.md "$out/readfile-copy.md" && echo "... the guest's copy is identical to the host's README.md"
fi

for f in regions-trace.json linux-trace.json; do
    [ -f "$out/$f" ] && printf '\nTimeline: %s (open it in https://ui.perfetto.dev)' "$(realpath "$out/$f")"
done
[ -f "$out/regions-events.jsonl" ] && printf '\nEvents:   %s' "$(realpath "$out/regions-events.jsonl")"
echo
