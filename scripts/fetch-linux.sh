#!/usr/bin/env bash
# Fetches a real Linux kernel and a static busybox for the system-mode tests
# (tests/lib/linux.py), into $CACHE/linux/:
#   vmlinuz    Debian bookworm's current amd64 kernel (linux-image-6.1.0-*-amd64)
#   busybox    the static busybox of busybox-static
#   VERSION    which packages they came from
# The packages are downloaded and unpacked, never installed. A second run
# finds both files and returns at once; --refresh fetches again (e.g. after a
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

if [ $refresh -eq 0 ] && [ -s "$OUT/vmlinuz" ] && [ -x "$OUT/busybox" ] && [ -s "$OUT/VERSION" ]; then
    cat "$OUT/VERSION"
    exit 0
fi

command -v dpkg-deb >/dev/null || die "dpkg-deb not found (this script needs a Debian system)"
command -v apt-get >/dev/null || die "apt-get not found (this script needs a Debian system)"

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
[ -n "$meta_version" ] && [ "$meta_version" != "(none)" ] \
    || die "no candidate for linux-image-amd64 in the package indexes ($APT_DIR/lists)"
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

kernel_deb=$(ls "$work"/"$kernel_pkg"_*.deb 2>/dev/null | head -n 1 || true)
busybox_deb=$(ls "$work"/busybox-static_*.deb 2>/dev/null | head -n 1 || true)
[ -n "$kernel_deb" ] || die "the download left no $kernel_pkg .deb in $work"
[ -n "$busybox_deb" ] || die "the download left no busybox-static .deb in $work"

# Only /boot/vmlinuz-* is needed from the kernel package (its modules are
# hundreds of megabytes unpacked): extract that member alone.
say "extracting vmlinuz and busybox"
dpkg-deb --fsys-tarfile "$kernel_deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' \
    || die "cannot extract /boot/vmlinuz-* from $kernel_deb"
dpkg-deb -x "$busybox_deb" "$work/busybox-root" || die "cannot unpack $busybox_deb"
vmlinuz=$(ls "$work"/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
[ -s "$vmlinuz" ] || die "$kernel_deb holds no /boot/vmlinuz-*"
busybox=$work/busybox-root/bin/busybox
[ -x "$busybox" ] || die "$busybox_deb holds no /bin/busybox"

kernel_version=$(dpkg-deb -f "$kernel_deb" Version)
busybox_version=$(dpkg-deb -f "$busybox_deb" Version)
install -m 0644 "$vmlinuz" "$OUT/vmlinuz.new"
install -m 0755 "$busybox" "$OUT/busybox.new"
mv -f "$OUT/vmlinuz.new" "$OUT/vmlinuz"
mv -f "$OUT/busybox.new" "$OUT/busybox"
printf 'kernel: %s %s (%s, %s bytes)\nbusybox: busybox-static %s (%s bytes)\n' \
    "$kernel_pkg" "$kernel_version" "$(basename "$vmlinuz")" "$(stat -c %s "$OUT/vmlinuz")" \
    "$busybox_version" "$(stat -c %s "$OUT/busybox")" > "$OUT/VERSION"
rm -rf "$work"
say "kernel and busybox are in $OUT"
cat "$OUT/VERSION"
