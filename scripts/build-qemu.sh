#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds QEMU with TCG plugin support from Debian's source package into the
# cache (one install prefix per version), then links LINK to it.
#   build-qemu.sh LINK
# Versions are tried newest first; a version the mirror no longer serves is
# skipped. Nothing of QEMU ever enters the repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

link=${1:?usage: build-qemu.sh LINK}
# Debian source versions, newest first: sid's 10.2, then trixie's 10.0.
versions=(${QEMU_VERSIONS:-1:10.2.2+ds-1 1:10.0.13+ds-0+deb13u1 1:10.0.6+ds-0+deb13u2})
targets=x86_64-linux-user,i386-linux-user,x86_64-softmmu,aarch64-linux-user,riscv64-linux-user,aarch64-softmmu,riscv64-softmmu
binaries=(qemu-x86_64 qemu-i386 qemu-system-x86_64 qemu-aarch64 qemu-riscv64
          qemu-system-aarch64 qemu-system-riscv64)
# QEMU's own test plugins: insn counts instructions (the accuracy peer),
# empty is the floor for overhead measurements.
plugins=(tests/tcg/plugins/libinsn.so tests/tcg/plugins/libempty.so)

upstream() { local v=${1#*:}; echo "${v%%+*}"; }

installed_ok() {
    local prefix=$1
    [ -f "$prefix/.complete" ] && [ "$(cat "$prefix/.complete")" = "$targets" ]
}

plugin_api() {
    sed -n 's/^#define QEMU_PLUGIN_VERSION \([0-9]*\).*/\1/p' "$1/include/qemu-plugin.h"
}

publish() {
    local prefix=$1
    mkdir -p "$(dirname "$link")"
    ln -sfn "$prefix" "$link"
    say "QEMU $(upstream "$2") with plugin API $(plugin_api "$prefix") ready: $prefix"
}

# Two set-ups at once (make check in two clones) would run two ninjas in
# one build folder; the second waits here for the first, then finds QEMU built.
mkdir -p "$CACHE"
exec 9> "$CACHE/.build-qemu.lock"
if ! flock -n 9; then
    say "another QEMU build is under way; waiting for it"
    flock 9
fi

# Already built?
for version in "${versions[@]}"; do
    prefix=$CACHE/qemu-$(upstream "$version")
    if installed_ok "$prefix"; then
        publish "$prefix" "$version"
        exit 0
    fi
done

"$(dirname "$0")/install-deps.sh" qemu

mkdir -p "$CACHE/src"
apt_private_update
for version in "${versions[@]}"; do
    up=$(upstream "$version")
    src=$CACHE/src/qemu-$up
    if [ ! -f "$src/configure" ]; then
        say "fetching Debian source package qemu=$version"
        ( cd "$CACHE/src" && apt_private source --download-only -qq "qemu=$version" >&2 ) \
            || { say "qemu=$version is not available here; trying the next version"; continue; }
        orig=$(ls "$CACHE/src"/qemu_"$up"*.orig.tar.* | head -n 1)
        say "unpacking $(basename "$orig")"
        mkdir -p "$src.tmp"
        tar -xf "$orig" -C "$src.tmp" --strip-components=1
        rm -rf "$src" && mv "$src.tmp" "$src"
    fi
    break
done
[ -f "${src:-}/configure" ] || die "none of the QEMU versions ${versions[*]} could be fetched"

# The +ds source drops the EDK2 firmware images; configure still wants
# their compressed files when bzip2 exists. Empty ones satisfy it, and no
# test boots EDK2.
for fd in aarch64-code arm-code arm-vars riscv-code riscv-vars i386-code \
          i386-secure-code i386-vars x86_64-code x86_64-secure-code \
          loongarch64-code loongarch64-vars; do
    [ -e "$src/pc-bios/edk2-$fd.fd.bz2" ] || bzip2 -c </dev/null > "$src/pc-bios/edk2-$fd.fd.bz2"
done

build=$CACHE/build-$up
prefix=$CACHE/qemu-$up
mkdir -p "$build"
if [ ! -f "$build/build.ninja" ] || [ "$(cat "$build/.targets" 2>/dev/null)" != "$targets" ]; then
    say "configuring QEMU $up for $targets"
    ( cd "$build" && "$src/configure" --prefix="$prefix" --target-list="$targets" \
        --enable-plugins --disable-docs --disable-tools --disable-install-blobs \
        --without-default-features --enable-fdt=system \
        --python=/usr/bin/python3 > configure.log 2>&1 ) \
        || { tail -n 30 "$build/configure.log" >&2; die "configure failed (log: $build/configure.log)"; }
    echo "$targets" > "$build/.targets"
fi

say "building QEMU $up (several minutes; progress is [done/total])"
start=$(date +%s)
# Every 50th step and each finished binary: enough to see it move.
ninja -C "$build" "${binaries[@]}" "${plugins[@]}" > "$build/build.log" 2>&1 &
ninja_pid=$!
tail -n +1 -f "$build/build.log" --pid=$ninja_pid 2>/dev/null \
    | awk '/^\[[0-9]+\/[0-9]+\]/ { n++; if (n % 50 == 1 || /Linking target qemu/) { print "    " $0; fflush() } }' >&2 &
wait $ninja_pid || { tail -n 40 "$build/build.log" >&2; die "QEMU build failed (log: $build/build.log)"; }
wait
say "QEMU built in $(( $(date +%s) - start )) s"

rm -rf "$prefix"
mkdir -p "$prefix/bin" "$prefix/include" "$prefix/lib/qemu-plugins"
for b in "${binaries[@]}"; do cp "$build/$b" "$prefix/bin/"; done
for p in "${plugins[@]}"; do cp "$build/$p" "$prefix/lib/qemu-plugins/"; done
cp "$src/include/qemu/qemu-plugin.h" "$prefix/include/"
echo "$targets" > "$prefix/.complete"
publish "$prefix" "$version"
