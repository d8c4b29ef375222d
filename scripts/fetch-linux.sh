#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetches a real Linux kernel and a static busybox for the system-mode tests
# (tests/lib/linux.py), into $CACHE/linux/:
#   vmlinuz    Debian bookworm's current amd64 kernel (linux-image-6.1.0-*-amd64)
#   vmlinux    the same kernel uncompressed (an ELF with a PVH entry point):
#              QEMU boots it directly, which saves the 5-7 seconds that
#              decompressing vmlinuz takes under TCG
#   busybox    the static busybox of busybox-static
#   headers/   the same kernel's linux-headers, linux-headers-*-common and
#              linux-kbuild packages unpacked, for building a test module:
#              make -C "$(cat headers/KDIR)" M=DIR modules
#   VERSION    which packages they came from
# The packages are downloaded and unpacked, never installed. A second run
# finds the files and returns at once; --refresh fetches again (e.g. after a
# kernel update in bookworm).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$CACHE/linux
refresh=0
retry=0
case ${1:-} in
    --refresh) refresh=1 ;;
    --refresh-retry) refresh=1 retry=1 ;;
    "") ;;
    *) die "usage: $0 [--refresh]" ;;
esac

cached() {
    [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/vmlinux" ] && [ -x "$OUT/busybox" ] && [ -s "$OUT/VERSION" ] &&
        [ -s "$OUT/headers/KDIR" ]
}
if [ $refresh -eq 0 ] && cached; then
    cat "$OUT/VERSION"
    exit 0
fi

# One fetch at a time (test runs in parallel may all find the cache empty);
# whoever waited finds the files the first one fetched.
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
if command -v flock >/dev/null; then
    flock 9
    if [ $refresh -eq 0 ] && cached; then
        cat "$OUT/VERSION"
        exit 0
    fi
fi

command -v dpkg-deb >/dev/null || die "dpkg-deb not found (this script needs a Debian system)"
command -v apt-get >/dev/null || die "apt-get not found (this script needs a Debian system)"
command -v python3 >/dev/null || die "python3 not found (needed to unpack the kernel)"

# apt-cache with the same private configuration as apt_private.
apt_cache_private() {
    apt-cache -o Dir::Etc::sourcelist="$APT_DIR/sources.list" \
        -o Dir::State::Lists="$APT_DIR/lists" "$@"
}

apt_private_update

# The kernel the metapackage points at, e.g. linux-image-6.1.0-31-amd64. The
# candidate comes from bookworm (or bookworm-security/-updates): backports are
# pinned lower, so this is bookworm's kernel, not a backported one.
meta_version=$(apt_cache_private policy linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Candidate: *//p')
if [ -z "$meta_version" ] || [ "$meta_version" = "(none)" ]; then
    die "no candidate for linux-image-amd64 in the package indexes ($APT_DIR/lists)"
fi
kernel_pkg=$(apt_cache_private depends "linux-image-amd64=$meta_version" 2>/dev/null \
    | sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
[ -n "$kernel_pkg" ] \
    || die "cannot tell which kernel linux-image-amd64 $meta_version depends on"
case $kernel_pkg in
    linux-image-6.1.0-*-amd64) ;;
    *) die "linux-image-amd64 $meta_version depends on $kernel_pkg, not a bookworm 6.1 kernel" ;;
esac

work=$OUT/download
rm -rf "$work"
mkdir -p "$work"
say "downloading $kernel_pkg and busybox-static (not installing them)"
if [ $retry -eq 1 ]; then
    (cd "$work" && apt_private download -qq "$kernel_pkg" busybox-static >&2) \
        || die "apt-get download $kernel_pkg busybox-static failed"
elif ! (cd "$work" && apt_private download -qq "$kernel_pkg" busybox-static >&2); then
    # Indexes up to a day old may name a kernel the mirror has since dropped.
    say "download failed; refreshing the package indexes and trying once more"
    rm -f "$APT_DIR/updated"
    exec bash "$0" --refresh-retry
fi

shopt -s nullglob
debs=("$work"/"$kernel_pkg"_*.deb)
kernel_deb=${debs[0]:-}
debs=("$work"/busybox-static_*.deb)
busybox_deb=${debs[0]:-}
[ -n "$kernel_deb" ] || die "the download left no $kernel_pkg .deb in $work"
[ -n "$busybox_deb" ] || die "the download left no busybox-static .deb in $work"

# Only /boot/vmlinuz-* is needed from the kernel package (its modules are
# hundreds of megabytes unpacked): extract that member alone.
say "extracting vmlinuz and busybox"
dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' \
    || die "cannot extract /boot/vmlinuz-* from $kernel_deb"
dpkg-deb -x "$busybox_deb" "$work/busybox-root" || die "cannot unpack $busybox_deb"
images=("$work"/boot/vmlinuz-*)
vmlinuz=${images[0]:-}
[ -s "${vmlinuz:-/nonexistent}" ] || die "$kernel_deb holds no /boot/vmlinuz-*"
busybox=$work/busybox-root/bin/busybox
[ -x "$busybox" ] || die "$busybox_deb holds no /bin/busybox"

# The uncompressed kernel: the bzImage's payload (its offset and length are
# in the boot protocol header) is an xz stream of the ELF vmlinux. Python
# cuts it out and unpacks it, or leaves it to xz if it lacks its lzma module.
python3 - "$vmlinuz" "$work/vmlinux" <<'PY' && status=0 || status=$?
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[0x202:0x206] != b"HdrS":
    sys.exit("not a bzImage (no HdrS header)")
setup = ((data[0x1f1] or 4) + 1) * 512
offset, length = struct.unpack_from("<II", data, 0x248)
payload = data[setup + offset:setup + offset + length]
if not payload.startswith(b"\xfd7zXZ\x00"):
    sys.exit("the payload is not xz-compressed (starts with %s)" % payload[:6].hex())
try:
    import lzma
except ImportError:
    open(sys.argv[2] + ".xz", "wb").write(payload)
    sys.exit(3)
open(sys.argv[2], "wb").write(lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload))
PY
if [ "$status" -eq 3 ]; then
    command -v xz >/dev/null || apt_install xz-utils
    xz -dc --single-stream "$work/vmlinux.xz" > "$work/vmlinux" \
        || die "xz cannot unpack the kernel image in $vmlinuz"
elif [ "$status" -ne 0 ]; then
    die "cannot unpack the kernel image $vmlinuz"
fi
[ "$(head -c 4 "$work/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] \
    || die "the kernel image in $vmlinuz does not hold an ELF vmlinux"

kernel_version=$(dpkg-deb -f "$kernel_deb" Version)
busybox_version=$(dpkg-deb -f "$busybox_deb" Version)

# The headers of exactly this kernel, from the same index: a module built
# against them loads into it (same vermagic, same gcc-12).
release=${kernel_pkg#linux-image-}   # 6.1.0-57-amd64
abi=${release%-amd64}                # 6.1.0-57
header_pkgs=("linux-headers-$release=$kernel_version" "linux-headers-$abi-common=$kernel_version"
             "linux-kbuild-$(echo "$abi" | cut -d. -f1,2)=$kernel_version")
say "downloading ${header_pkgs[*]} (not installing them)"
(cd "$work" && apt_private download -qq "${header_pkgs[@]}" >&2) \
    || die "apt-get download ${header_pkgs[*]} failed"
mkdir -p "$work/headers"
for deb in "$work"/linux-headers-*.deb "$work"/linux-kbuild-*.deb; do
    dpkg-deb -x "$deb" "$work/headers" || die "cannot unpack $deb"
done
kdir=$work/headers/usr/src/linux-headers-$release
[ -s "$kdir/Makefile" ] || die "the headers packages hold no $kdir/Makefile"
# Debian's Makefile includes the common part by its installed path.
sed -i "s|/usr/src/|$OUT/headers/usr/src/|" "$kdir/Makefile"
printf '%s\n' "$OUT/headers/usr/src/linux-headers-$release" > "$work/headers/KDIR"
install -m 0644 "$vmlinuz" "$OUT/vmlinuz.new"
install -m 0644 "$work/vmlinux" "$OUT/vmlinux.new"
install -m 0755 "$busybox" "$OUT/busybox.new"
mv -f "$OUT/vmlinuz.new" "$OUT/vmlinuz"
mv -f "$OUT/vmlinux.new" "$OUT/vmlinux"
mv -f "$OUT/busybox.new" "$OUT/busybox"
rm -rf "$OUT/headers"
mv "$work/headers" "$OUT/headers"
printf 'kernel: %s %s (%s, %s bytes; vmlinux %s bytes)\nbusybox: busybox-static %s (%s bytes)\nheaders: %s\n' \
    "$kernel_pkg" "$kernel_version" "$(basename "$vmlinuz")" "$(stat -c %s "$OUT/vmlinuz")" "$(stat -c %s "$OUT/vmlinux")" \
    "$busybox_version" "$(stat -c %s "$OUT/busybox")" "${header_pkgs[*]}" > "$OUT/VERSION"
rm -rf "$work"
say "kernel and busybox are in $OUT"
cat "$OUT/VERSION"
