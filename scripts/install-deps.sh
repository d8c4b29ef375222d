#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what the build and the tests need from Debian, once: later runs
# find everything installed and return at once.
#   install-deps.sh build    compilers and libraries for the project, and a
#                            cross compiler per guest architecture
#   install-deps.sh qemu     what building QEMU from source needs
#   install-deps.sh system   firmware for system mode, i386 multilib
#   install-deps.sh compat   QEMU 10.0 (plugin API 4) from bookworm-backports,
#                            and Debian 12's own QEMU 7.2 (too old for
#                            plugins) unpacked into the cache
#   install-deps.sh debian-qemu  Debian's QEMU 11.x (plugin API 7) in a trixie
#                            root in the cache (scripts/debian-qemu.sh)
#   install-deps.sh bench    valgrind, for the benchmarks' instruction counts,
#                            and zlib1g-dev (libz.a) for their real workload
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# QEMU 10.0.2 (plugin API 4) for the compatibility tests. An older
# qemu-system-x86 (Debian 12's own 7.2) counts as missing.
compat_qemu() {
    local version
    version=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
    case $version in
        1:10.*) return 0 ;;
    esac
    apt_private_update
    say "installing QEMU 10.0 from bookworm-backports (plugin API 4 compatibility tests)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get \
        -o Dir::Etc::sourcelist="$APT_DIR/sources.list" -o Dir::State::Lists="$APT_DIR/lists" \
        -y -qq --no-install-recommends install qemu-system-x86/bookworm-backports \
        qemu-system-common/bookworm-backports qemu-system-data/bookworm-backports >&2 \
        || die "installing qemu-system-x86 from bookworm-backports failed"
}

# Debian 12's own QEMU 7.2, which the plugin must refuse with a clear line.
# Unpacked, not installed: /usr/bin holds the 10.0 above.
OLD_QEMU=$CACHE/debian-qemu-7.2
old_qemu() {
    [ -x "$OLD_QEMU/usr/bin/qemu-system-x86_64" ] && return 0
    # The libraries it links that QEMU 10.0 does not bring.
    apt_install libcapstone4 libpmem1 librdmacm1 libibverbs1 libslirp0 libvdeplug2 \
        liburing2 libfuse3-3 libaio1
    say "unpacking Debian 12's QEMU 7.2 into $OLD_QEMU (the too-old case)"
    local tmp
    tmp=$(mktemp -d)
    apt_private_update
    ( cd "$tmp" && apt_private download -qq qemu-system-x86/bookworm >&2 ) \
        || die "downloading qemu-system-x86/bookworm failed"
    rm -rf "$OLD_QEMU.tmp"
    dpkg-deb -x "$tmp"/qemu-system-x86_*.deb "$OLD_QEMU.tmp"
    rm -rf "$tmp" "$OLD_QEMU"
    mv "$OLD_QEMU.tmp" "$OLD_QEMU"
}

for group in "$@"; do
    case $group in
        build)
            # i386 guests use the i686 cross compiler, not gcc-multilib:
            # Debian 12's gcc-multilib conflicts with every gcc-12 cross
            # compiler, and the aarch64 and riscv64 guests need two. The g++
            # cross compilers check that guest.h compiles as C++ on every
            # guest architecture (tests/test_headers.py). clang and its
            # runtime libraries (libFuzzer, the sanitizers: only recommended
            # by clang, so named) for tests/fuzz.
            # elfutils' libdw and libelf: profile= names every mapped ELF's
            # functions and source lines (plugin/qemu/symbols.c). python3-dev:
            # the CPython that Python handlers run in (python/rules.mk).
            apt_install gcc g++ make pkg-config libglib2.0-dev libelf-dev libdw-dev python3 binutils \
                python3-dev \
                clang libclang-rt-14-dev \
                gcc-i686-linux-gnu g++-i686-linux-gnu libc6-dev-i386-cross \
                gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross \
                gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross
            # valgrind.h and callgrind.h for the valgrind=on guests, and
            # Callgrind itself, whose counts the tests compare with ours;
            # zlib's static library for the benchmarks' real workload
            # (bench/guest/zlib_region.c), which make all builds and a test
            # runs.
            apt_install valgrind zlib1g-dev
            # Real programs' libraries, static and shared, for the peer
            # suite against Callgrind (tests/peers/, make bench row 8e).
            apt_install libbz2-dev liblzma-dev libsqlite3-dev
            # jq reads the event log as users' scripts do (numbers as
            # doubles: tests/test_outputs.py checks none is rounded).
            apt_install jq
            ;;
        qemu)
            apt_install ninja-build libglib2.0-dev pkg-config python3-venv flex \
                bison libfdt-dev device-tree-compiler bzip2 xz-utils dpkg-dev \
                meson@bookworm-backports python3-pycotap@bookworm-backports
            ;;
        system)
            # Firmware from the same suite as the compat QEMU, so the two
            # never ask for different versions of qemu-system-data.
            apt_install seabios@bookworm-backports qemu-system-data@bookworm-backports cpio
            ;;
        compat)
            compat_qemu
            old_qemu
            ;;
        debian-qemu)
            "$(dirname "$0")/debian-qemu.sh" setup
            ;;
        bench)
            # Instruction counts (callgrind) next to times: they do not vary
            # from run to run on a busy machine; zlib's static library for
            # row 8's real workload, profiled by Callgrind and by the plugin.
            apt_install valgrind zlib1g-dev
            # Real programs' libraries, static and shared, for the peer
            # suite against Callgrind (tests/peers/, make bench row 8e).
            apt_install libbz2-dev liblzma-dev libsqlite3-dev
            ;;
        *)
            die "unknown group '$group' (build, qemu, system, compat, debian-qemu, bench)"
            ;;
    esac
done
