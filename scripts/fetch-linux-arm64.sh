#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetches Debian bookworm's arm64 kernel and static busybox for the aarch64
# Linux tests (tests/lib/linux.py), into $CACHE/linux-arm64/:
#   Image      linux-image-6.1.0-*-arm64's /boot/vmlinuz, which on arm64 is
#              the uncompressed Image that qemu-system-aarch64 -kernel boots
#   busybox    busybox-static:arm64's /bin/busybox
#   VERSION    which packages they came from
# The packages come through a private apt configuration of their own
# (APT::Architecture=arm64, an empty dpkg status), so the system's dpkg
# architectures stay as they are; nothing is installed. A second run finds
# the files and returns at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$CACHE/linux-arm64
ARM_APT=$APT_DIR/arm64
cached() { [ -s "$OUT/Image" ] && [ -x "$OUT/busybox" ] && [ -s "$OUT/VERSION" ]; }
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

mkdir -p "$ARM_APT/lists/partial" "$ARM_APT/cache/archives/partial" "$ARM_APT/sources.list.d"
cat > "$ARM_APT/sources.list" <<'LIST'
deb [arch=arm64] http://deb.debian.org/debian bookworm main
deb [arch=arm64] http://deb.debian.org/debian bookworm-updates main
deb [arch=arm64] http://deb.debian.org/debian-security bookworm-security main
LIST
: > "$ARM_APT/status"
apt_arm64() {
    "$@" -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
        -o Dir::Etc::sourcelist="$ARM_APT/sources.list" \
        -o Dir::Etc::sourceparts="$ARM_APT/sources.list.d" \
        -o Dir::State::Lists="$ARM_APT/lists" -o Dir::State::status="$ARM_APT/status" \
        -o Dir::Cache="$ARM_APT/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root
}
say "updating the arm64 package indexes (private apt configuration in $ARM_APT)"
apt_arm64 apt-get -qq update >&2 || die "apt-get update (arm64) failed"
meta=$(apt_arm64 apt-cache policy linux-image-arm64 | sed -n 's/^ *Candidate: *//p')
kernel_pkg=$(apt_arm64 apt-cache depends "linux-image-arm64=$meta" \
    | sed -n 's/^ *Depends: *\(linux-image-6\.1\.0-[0-9]*-arm64\)$/\1/p' | head -n 1)
[ -n "$kernel_pkg" ] || die "cannot tell which kernel linux-image-arm64 $meta depends on"

work=$OUT/download
rm -rf "$work"
mkdir -p "$work"
say "downloading $kernel_pkg and busybox-static (arm64; not installing them)"
(cd "$work" && apt_arm64 apt-get download -qq "$kernel_pkg" busybox-static >&2) \
    || die "apt-get download $kernel_pkg busybox-static (arm64) failed"
kernel_deb=$(ls "$work/$kernel_pkg"_*.deb)
busybox_deb=$(ls "$work"/busybox-static_*.deb)
dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' \
    || die "cannot extract /boot/vmlinuz-* from $kernel_deb"
dpkg-deb -x "$busybox_deb" "$work/busybox-root" || die "cannot unpack $busybox_deb"
image=$(ls "$work"/boot/vmlinuz-*)
# An arm64 Image has "ARMd" at offset 56; some builds ship it gzipped.
if [ "$(head -c 2 "$image" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
    zcat "$image" > "$work/Image"
else
    cp "$image" "$work/Image"
fi
[ "$(dd if="$work/Image" bs=1 skip=56 count=4 2>/dev/null)" = ARMd ] \
    || die "$kernel_deb holds no arm64 Image"
install -m 0644 "$work/Image" "$OUT/Image"
install -m 0755 "$work/busybox-root/bin/busybox" "$OUT/busybox"
printf 'kernel: %s %s (%s bytes)\nbusybox: busybox-static:arm64 %s\n' "$kernel_pkg" \
    "$(dpkg-deb -f "$kernel_deb" Version)" "$(stat -c %s "$OUT/Image")" \
    "$(dpkg-deb -f "$busybox_deb" Version)" > "$OUT/VERSION"
rm -rf "$work"
say "arm64 kernel and busybox are in $OUT"
cat "$OUT/VERSION"
