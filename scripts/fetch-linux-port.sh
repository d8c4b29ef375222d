#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetches a Debian kernel and static busybox of another architecture for the
# Linux tests (tests/lib/linux.py), into $CACHE/linux-ARCH/:
#   fetch-linux-port.sh arm64     bookworm's linux-image-6.1.0-*-arm64
#   fetch-linux-port.sh riscv64   trixie's linux-image-6.12.*-riscv64 (bookworm
#                                 has no riscv64 port) and OpenSBI's
#                                 fw_dynamic.bin, which QEMU built from
#                                 Debian's source (no firmware blobs) lacks
# Each gives:
#   Image      the kernel as qemu-system-ARCH -kernel boots it (uncompressed)
#   busybox    busybox-static's binary
#   VERSION    which packages they came from
# The packages come through a private apt configuration per architecture
# (APT::Architecture=ARCH, an empty dpkg status), so the system's dpkg
# architectures stay as they are; nothing is installed. A second run finds
# the files and returns at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-}
case $arch in
    arm64)
        suites="bookworm bookworm-updates"
        security=bookworm-security
        kernel_re='linux-image-6\.1\.0-[0-9]*-arm64'
        magic_at=56 magic=ARMd
        extra=
        ;;
    riscv64)
        # Only trixie main: the mirror's riscv64 indexes of trixie-updates
        # and -security lag behind (apt-get update then fails).
        suites=trixie
        security=
        kernel_re='linux-image-6\.[0-9.]*+deb[0-9]*-riscv64'
        magic_at=56 magic=RSC
        extra=opensbi
        ;;
    *) die "usage: $0 arm64|riscv64" ;;
esac

OUT=$CACHE/linux-$arch
PORT_APT=$APT_DIR/$arch
cached() {
    [ -s "$OUT/Image" ] && [ -x "$OUT/busybox" ] && [ -s "$OUT/VERSION" ] &&
        { [ -z "$extra" ] || [ -s "$OUT/fw_dynamic.bin" ]; }
}
if cached; then
    cat "$OUT/VERSION"
    exit 0
fi
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9
if cached; then
    cat "$OUT/VERSION"
    exit 0
fi

mkdir -p "$PORT_APT/lists/partial" "$PORT_APT/cache/archives/partial" \
    "$PORT_APT/sources.list.d"
{
    for suite in $suites; do
        echo "deb [arch=$arch] http://deb.debian.org/debian $suite main"
    done
    [ -z "$security" ] || echo "deb [arch=$arch] http://deb.debian.org/debian-security $security main"
} > "$PORT_APT/sources.list"
: > "$PORT_APT/status"
apt_port() {
    "$@" -o APT::Architecture="$arch" -o APT::Architectures="$arch" \
        -o Dir::Etc::sourcelist="$PORT_APT/sources.list" \
        -o Dir::Etc::sourceparts="$PORT_APT/sources.list.d" \
        -o Dir::State::Lists="$PORT_APT/lists" -o Dir::State::status="$PORT_APT/status" \
        -o Dir::Cache="$PORT_APT/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root
}
say "updating the $arch package indexes (private apt configuration in $PORT_APT)"
apt_port apt-get -qq update >&2 || die "apt-get update ($arch) failed"
meta=$(apt_port apt-cache policy "linux-image-$arch" | sed -n 's/^ *Candidate: *//p')
kernel_pkg=$(apt_port apt-cache depends "linux-image-$arch=$meta" \
    | sed -n "s/^ *Depends: *\\($kernel_re\\)\$/\\1/p" | head -n 1)
[ -n "$kernel_pkg" ] || die "cannot tell which kernel linux-image-$arch $meta depends on"

work=$OUT/download
rm -rf "$work"
mkdir -p "$work"
say "downloading $kernel_pkg busybox-static $extra ($arch; not installing them)"
# shellcheck disable=SC2086 # $extra is empty or one package name
(cd "$work" && apt_port apt-get download -qq "$kernel_pkg" busybox-static $extra >&2) \
    || die "apt-get download $kernel_pkg busybox-static $extra ($arch) failed"
kernel_deb=$(ls "$work/$kernel_pkg"_*.deb)
busybox_deb=$(ls "$work"/busybox-static_*.deb)
# arm64 ships /boot/vmlinuz-*, riscv64 /boot/vmlinux-*: both uncompressed.
dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$work" --wildcards './boot/vmlinu*' \
    || die "cannot extract the kernel image from $kernel_deb"
dpkg-deb -x "$busybox_deb" "$work/busybox-root" || die "cannot unpack $busybox_deb"
image=$(ls "$work"/boot/vmlinu*)
if [ "$(head -c 2 "$image" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
    zcat "$image" > "$work/Image"
else
    cp "$image" "$work/Image"
fi
[ "$(dd if="$work/Image" bs=1 skip=$magic_at count=${#magic} 2>/dev/null)" = "$magic" ] \
    || die "$kernel_deb holds no $arch Image"
busybox=$work/busybox-root/usr/bin/busybox # trixie: merged /usr
[ -x "$busybox" ] || busybox=$work/busybox-root/bin/busybox
versions=("kernel: $kernel_pkg $(dpkg-deb -f "$kernel_deb" Version) ($(stat -c %s "$work/Image") bytes)"
          "busybox: busybox-static:$arch $(dpkg-deb -f "$busybox_deb" Version)")
if [ -n "$extra" ]; then
    sbi_deb=$(ls "$work"/opensbi_*.deb)
    dpkg-deb -x "$sbi_deb" "$work/sbi" || die "cannot unpack $sbi_deb"
    install -m 0644 "$work/sbi/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin" \
        "$OUT/fw_dynamic.bin"
    versions+=("firmware: opensbi $(dpkg-deb -f "$sbi_deb" Version) (fw_dynamic.bin)")
fi
install -m 0644 "$work/Image" "$OUT/Image"
install -m 0755 "$busybox" "$OUT/busybox"
printf '%s\n' "${versions[@]}" > "$OUT/VERSION"
rm -rf "$work"
say "$arch kernel and busybox are in $OUT"
cat "$OUT/VERSION"
