#!/usr/bin/env bash
# Installs what the build and the tests need from Debian, once: later runs
# find everything installed and return at once.
#   install-deps.sh build    compilers and libraries for the project
#   install-deps.sh qemu     what building QEMU from source needs
#   install-deps.sh system   firmware for system mode, i386 multilib
#   install-deps.sh compat   QEMU 10.0 (plugin API 4) from bookworm-backports
set -euo pipefail
. "$(dirname "$0")/lib.sh"

for group in "$@"; do
    case $group in
        build)
            apt_install gcc g++ make pkg-config libglib2.0-dev gcc-multilib
            ;;
        qemu)
            apt_install ninja-build libglib2.0-dev pkg-config python3-venv flex \
                bison libfdt-dev device-tree-compiler bzip2 xz-utils dpkg-dev \
                meson@bookworm-backports python3-pycotap@bookworm-backports
            ;;
        system)
            apt_install seabios qemu-system-data cpio
            ;;
        compat)
            apt_install qemu-system-x86@bookworm-backports
            ;;
        *)
            die "unknown group '$group' (build, qemu, system, compat)"
            ;;
    esac
done
