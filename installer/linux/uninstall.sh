#!/bin/sh
# Remove Packdesk installed by install.sh. Plain POSIX sh. Data is never deleted.
#
#   sudo ./uninstall.sh        the system-wide install (/opt/packdesk, the udev rule, ...)
#   ./uninstall.sh --user      this user's install (~/.local/opt/packdesk, ...)
#
# Each user's data (profiles, databases, labels, logs) stays in ~/.local/share/Packdesk and the
# EasyPost keys stay in the keyring ("packdesk-easypost"); delete them yourself if you mean to.
# DESTDIR works as for install.sh.
set -eu

mode=system
for arg in "$@"; do
    case "$arg" in
        --user) mode=user ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "uninstall.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "uninstall.sh: $*" >&2; exit 1; }

destdir=${DESTDIR:-}
if [ "$mode" = system ]; then
    if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
        die "removing the system-wide install needs root: sudo $0 (or $0 --user)"
    fi
    prefix=${PREFIX:-/opt/packdesk}
    bin=$destdir/usr/local/bin
    share=$destdir/usr/local/share
    rules=$destdir/etc/udev/rules.d/60-packdesk-label-printers.rules
    target_root=$destdir$prefix
else
    [ -n "${HOME:-}" ] || die "HOME is not set"
    prefix=${PREFIX:-$HOME/.local/opt/packdesk}
    bin=$HOME/.local/bin
    share=${XDG_DATA_HOME:-$HOME/.local/share}
    rules=
    target_root=$prefix
fi

removed=0
remove() {
    if [ -e "$1" ] || [ -L "$1" ]; then
        rm -rf "$1"
        echo "removed $1"
        removed=$((removed + 1))
    fi
}

# Only our own symlink: a `packdesk` that points elsewhere belongs to something else.
case "$(readlink "$bin/packdesk" 2>/dev/null || true)" in
    "$prefix"/*) remove "$bin/packdesk" ;;
esac
if grep -q "Packdesk headless (installed by install.sh)" "$bin/packdesk-cli" 2>/dev/null; then
    remove "$bin/packdesk-cli"
fi
remove "$share/applications/packdesk.desktop"
remove "$share/icons/hicolor/256x256/apps/packdesk.png"
remove "$share/icons/hicolor/scalable/apps/packdesk.svg"
if [ -n "$rules" ]; then
    remove "$rules"
    if [ -z "$destdir" ] && command -v udevadm >/dev/null 2>&1; then
        udevadm control --reload-rules || true
    fi
fi
remove "$target_root"
if [ -z "$destdir" ]; then
    command -v update-desktop-database >/dev/null 2>&1 \
        && update-desktop-database -q "$share/applications" 2>/dev/null || true
fi

if [ "$removed" -eq 0 ]; then
    echo "Nothing to remove: no Packdesk installed for $mode (try $([ "$mode" = user ] && echo 'sudo ./uninstall.sh' || echo './uninstall.sh --user'))."
else
    echo "Packdesk is removed. Data is kept: each user's ~/.local/share/Packdesk (profiles,"
    echo "databases, labels, logs) and the keyring entries \"packdesk-easypost\"."
fi
