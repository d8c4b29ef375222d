#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's own QEMU 11.x system emulators, for the tests that run the plugin
# in the QEMU distributions ship. Its binaries need trixie's C library, newer
# than Debian 12's, so they live in a minimal trixie root in the cache, made
# once with debootstrap, and run inside it.
#   debian-qemu.sh setup            make the root (a few minutes, once)
#   debian-qemu.sh root             print the root's path if it is ready
#   debian-qemu.sh run BIN ARGS...  run BIN (a name in the root's /usr/bin)
#                                   inside the root
# `run` gives QEMU the host's /tmp (and $TMPDIR), /dev, the cache and the project at the
# same paths, so plugin, kernels and output files need no translation; the
# mounts live in a private mount namespace and vanish with the process.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=trixie
PACKAGES=(qemu-system-x86 qemu-system-arm qemu-system-riscv)
# What the plugin links besides what QEMU itself needs: elfutils (profile=
# names functions with it); trixie's names after the 64-bit time_t change.
PLUGIN_LIBS=(libdw1t64 libelf1t64)
root=$CACHE/debian-$SUITE-qemu
project=$(cd "$(dirname "$0")/.." && pwd)

ready() { [ -f "$root/.complete" ]; }

has_plugin_libs() { [ -e "$root/usr/lib/x86_64-linux-gnu/libdw.so.1" ]; }

# A root made before the plugin linked elfutils gets it added, once.
add_plugin_libs() {
    has_plugin_libs && return 0
    say "installing ${PLUGIN_LIBS[*]} into $root"
    { as_root chroot "$root" apt-get -qq update &&
      as_root chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
          --no-install-recommends install -t "$SUITE-backports" "${PLUGIN_LIBS[@]}"; } \
        > "$CACHE/debian-qemu-install.log" 2>&1 \
        || { tail -n 20 "$CACHE/debian-qemu-install.log" >&2; die "installing ${PLUGIN_LIBS[*]} failed (log: $CACHE/debian-qemu-install.log)"; }
}

setup() {
    if ready; then
        add_plugin_libs
        return 0
    fi
    apt_install debootstrap
    local tmp=$root.tmp
    rm -rf "$tmp"
    say "making a Debian $SUITE root for Debian's QEMU 11.x in $root (once; a few minutes)"
    as_root debootstrap --variant=minbase "$SUITE" "$tmp" http://deb.debian.org/debian \
        > "$CACHE/debootstrap.log" 2>&1 \
        || { tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap $SUITE failed (log: $CACHE/debootstrap.log)"; }
    echo "deb http://deb.debian.org/debian $SUITE-backports main" \
        | as_root tee "$tmp/etc/apt/sources.list.d/backports.list" > /dev/null
    say "installing ${PACKAGES[*]} from $SUITE-backports into it"
    { as_root chroot "$tmp" apt-get -qq update &&
      as_root chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
          --no-install-recommends install -t "$SUITE-backports" "${PACKAGES[@]}" &&
      as_root chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
          --no-install-recommends install -t "$SUITE-backports" "${PLUGIN_LIBS[@]}"; } \
        > "$CACHE/debian-qemu-install.log" 2>&1 \
        || { tail -n 20 "$CACHE/debian-qemu-install.log" >&2; die "installing Debian's QEMU failed (log: $CACHE/debian-qemu-install.log)"; }
    as_root chroot "$tmp" dpkg-query -W -f='${Version}\n' qemu-system-x86 \
        | as_root tee "$tmp/.complete" > /dev/null
    rm -rf "$root"
    mv "$tmp" "$root"
    say "Debian QEMU $(cat "$root/.complete") ready in $root"
}

run() {
    ready || die "no Debian QEMU root at $root: run '$0 setup'"
    local bin=${1:?usage: debian-qemu.sh run BIN ARGS...}
    shift
    # The cache too: the Linux kernel the tests boot lives there.
    local binds=(/dev /tmp "$project" "$CACHE")
    [ -n "${TMPDIR:-}" ] && binds+=("$TMPDIR")
    # Root maps to itself; anyone else gets a user namespace in which they
    # may mount and chroot.
    local ns=(--mount)
    [ "$(id -u)" -eq 0 ] || ns+=(--map-root-user)
    exec unshare "${ns[@]}" -- /bin/sh -c '
        root=$1; n=$2; shift 2
        while [ "$n" -gt 0 ]; do
            mkdir -p "$root$1" && mount --rbind "$1" "$root$1" || exit 125
            shift; n=$((n - 1))
        done
        mount -t proc proc "$root/proc" || exit 125
        exec chroot "$root" "$@"' sh "$root" "${#binds[@]}" "${binds[@]}" "/usr/bin/$bin" "$@"
}

case ${1:-} in
    setup) setup ;;
    root) ready && echo "$root" ;;
    run) shift; run "$@" ;;
    *) die "usage: debian-qemu.sh setup | root | run BIN ARGS..." ;;
esac
