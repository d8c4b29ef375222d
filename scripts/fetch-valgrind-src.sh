#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetches Debian's source package of the installed Valgrind into
# $CACHE/src/valgrind-VERSION and prints that directory: Callgrind's own
# regression programs (callgrind/tests/) are the peer suite's guests
# (tests/test_callgrind_peers.py), and VEX's CPUID tables are where the
# plugin's cpu-identity=valgrind comes from (docs/valgrind.md). Never
# committed; a second run finds the directory and returns at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

version=$(dpkg-query -W -f='${Version}' valgrind 2>/dev/null) \
    || die "valgrind is not installed (scripts/install-deps.sh build)"
up=${version#*:}
up=${up%-*}
out=$CACHE/src/valgrind-$up
if [ ! -f "$out/callgrind/tests/clreq.c" ]; then
    mkdir -p "$CACHE/src"
    exec 9>"$CACHE/src/.valgrind.lock"
    flock 9
    if [ ! -f "$out/callgrind/tests/clreq.c" ]; then
        apt_private_update
        say "fetching Debian source package valgrind=$version"
        tmp=$(mktemp -d "$CACHE/src/valgrind.XXXXXX")
        ( cd "$tmp" && apt_private source --download-only -qq "valgrind=$version" >&2 ) \
            || { rm -rf "$tmp"; die "valgrind=$version is not available from the source indexes"; }
        mkdir -p "$tmp/tree"
        tar -xf "$(ls "$tmp"/valgrind_"$up"*.orig.tar.* | head -n 1)" -C "$tmp/tree" \
            --strip-components=1
        rm -rf "$out" && mv "$tmp/tree" "$out" && rm -rf "$tmp"
    fi
fi
echo "$out"
