# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the set-up scripts: the cache, root access, and a private apt
# configuration that adds Debian suites (backports; sid, trixie and bookworm
# sources)
# without touching the system's own sources.
# shellcheck shell=bash

CACHE=${BACKDOOR_CACHE:-${CACHE:-$HOME/.cache/backdoor}}
APT_DIR=$CACHE/apt

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# The system's sources plus bookworm-backports (meson, pycotap and the QEMU
# 10.0 binary packages) and the source indexes QEMU is built from.
apt_private_setup() {
    mkdir -p "$APT_DIR/lists/partial"
    cat > "$APT_DIR/sources.list" <<'LIST'
deb http://deb.debian.org/debian bookworm-backports main
deb-src http://deb.debian.org/debian sid main
deb-src http://deb.debian.org/debian trixie main
deb-src http://deb.debian.org/debian bookworm main
LIST
}

apt_private() {
    apt-get -o Dir::Etc::sourcelist="$APT_DIR/sources.list" \
        -o Dir::State::Lists="$APT_DIR/lists" \
        -o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}

# Refreshes the private indexes when older than a day, missing, or made for
# another list.
apt_private_update() {
    apt_private_setup
    local stamp=$APT_DIR/updated
    # The stamp holds the list it was made for: a changed list updates now.
    if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ] \
        || ! cmp -s "$stamp" "$APT_DIR/sources.list"; then
        say "updating package indexes (private apt configuration in $APT_DIR)"
        as_root apt-get -o Dir::Etc::sourcelist="$APT_DIR/sources.list" \
            -o Dir::State::Lists="$APT_DIR/lists" -o APT::Sandbox::User=root -qq update >&2 \
            || die "apt-get update failed"
        cp "$APT_DIR/sources.list" "$stamp"
    fi
}

# Installs the named packages that are missing; PACKAGE@SUITE picks a suite.
apt_install() {
    local missing=() plain=() backports=() spec name
    for spec in "$@"; do
        name=${spec%@*}
        dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$spec")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    for spec in "${missing[@]}"; do
        case $spec in
            *@bookworm-backports) backports+=("${spec%@*}/bookworm-backports") ;;
            *) plain+=("$spec") ;;
        esac
    done
    apt_private_update
    say "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get \
        -o Dir::Etc::sourcelist="$APT_DIR/sources.list" \
        -o Dir::State::Lists="$APT_DIR/lists" \
        -y -qq --no-install-recommends install "${plain[@]}" "${backports[@]}" >&2 \
        || die "installing ${missing[*]} failed"
}
