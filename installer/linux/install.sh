#!/bin/sh
# Install Packdesk on Linux from the unpacked bundle folder this script sits in. Plain POSIX sh:
# the PC needs no Python. See installer/README.md.
#
#   sudo ./install.sh          every user of this PC: /opt/packdesk, /usr/local/bin/packdesk,
#                              the desktop entry and icon, the udev rule for USB printers
#   ./install.sh --user        this user only: ~/.local/opt/packdesk, ~/.local/bin/packdesk
#                              (the udev rule still needs root once; the script says how)
#
# Options: --no-udev (leave /etc/udev alone), --no-self-test (skip the check at the end).
# DESTDIR=/some/root puts every system path under that folder (packaging, tests) and skips
# udevadm. Installing another version keeps the one before (roll back by moving `current`);
# the data (profiles, database, labels) lives per user and is never touched.
set -eu

mode=system
udev=yes
self_test=yes
for arg in "$@"; do
    case "$arg" in
        --user) mode=user ;;
        --no-udev) udev=no ;;
        --no-self-test) self_test=no ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "install.sh: $*" >&2; exit 1; }

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)
[ -x "$here/packdesk" ] && [ -d "$here/_internal" ] \
    || die "run me from the unpacked Packdesk folder (no packdesk executable beside me in $here)"
version=$(cat "$here/VERSION" 2>/dev/null || basename "$here" | sed 's/^packdesk-//')
case "$version" in ''|*/*|.*) die "cannot tell this bundle's version (VERSION file missing)" ;; esac

destdir=${DESTDIR:-}
if [ "$mode" = system ]; then
    if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
        die "a system-wide install needs root: sudo $0 (or $0 --user for this user only)"
    fi
    prefix=${PREFIX:-/opt/packdesk}
    bin=$destdir/usr/local/bin
    share=$destdir/usr/local/share
    rules_dir=$destdir/etc/udev/rules.d
    target_root=$destdir$prefix
else
    [ -n "${HOME:-}" ] || die "HOME is not set"
    prefix=${PREFIX:-$HOME/.local/opt/packdesk}
    bin=$HOME/.local/bin
    share=${XDG_DATA_HOME:-$HOME/.local/share}
    rules_dir=
    target_root=$prefix
fi
target=$target_root/$version
installed_exe=$prefix/current/packdesk   # as the desktop entry and the symlink see it

echo "Installing Packdesk $version into $target"
mkdir -p "$target_root"
if [ "$here" != "$(cd "$target" 2>/dev/null && pwd -P || true)" ]; then
    # Copy under a temporary name, then rename: a half-copied folder never becomes current.
    rm -rf "$target.partial"
    cp -R "$here" "$target.partial"
    rm -rf "$target"
    mv "$target.partial" "$target"
fi
previous=$(readlink "$target_root/current" 2>/dev/null || true)
ln -sfn "$version" "$target_root/current"

mkdir -p "$bin"
ln -sfn "$installed_exe" "$bin/packdesk"
# The bundle has one executable; `packdesk --cli ARGS` is the headless packdesk-cli.
printf '#!/bin/sh\n# Packdesk headless (installed by install.sh)\nexec "%s" --cli "$@"\n' \
    "$installed_exe" > "$bin/packdesk-cli"
chmod 755 "$bin/packdesk-cli"

apps=$share/applications
mkdir -p "$apps" "$share/icons/hicolor/256x256/apps" "$share/icons/hicolor/scalable/apps"
sed -e "s|^Exec=packdesk|Exec=$installed_exe|" -e "s|^TryExec=packdesk|TryExec=$installed_exe|" \
    "$here/packdesk.desktop" > "$apps/packdesk.desktop"
chmod 644 "$apps/packdesk.desktop"
cp "$here/packdesk.png" "$share/icons/hicolor/256x256/apps/packdesk.png"
cp "$here/packdesk.svg" "$share/icons/hicolor/scalable/apps/packdesk.svg"
if [ -z "$destdir" ]; then
    command -v update-desktop-database >/dev/null 2>&1 \
        && update-desktop-database -q "$apps" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 \
        && gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
fi

rules=60-packdesk-label-printers.rules
if [ "$mode" = system ] && [ "$udev" = yes ]; then
    mkdir -p "$rules_dir"
    cp "$here/$rules" "$rules_dir/$rules"
    chmod 644 "$rules_dir/$rules"
    if [ -z "$destdir" ] && command -v udevadm >/dev/null 2>&1; then
        udevadm control --reload-rules || true
        udevadm trigger --subsystem-match=usb --attr-match=idVendor=0a5f || true
        udevadm trigger --subsystem-match=usb --attr-match=idVendor=0922 || true
        echo "udev rule installed: $rules_dir/$rules (unplug and replug a printer already on)"
    else
        echo "udev rule copied to $rules_dir/$rules (reload udev, or restart, to apply it)"
    fi
elif [ "$udev" = yes ]; then
    echo "USB label printers need the udev rule, once, as root:"
    echo "  sudo cp '$target/$rules' /etc/udev/rules.d/ && sudo udevadm control --reload-rules \\"
    echo "    && sudo udevadm trigger --subsystem-match=usb"
fi

if [ "$self_test" = yes ]; then
    echo "Checking the installed bundle (packdesk --self-test, offscreen):"
    if ! QT_QPA_PLATFORM=offscreen "$target/packdesk" --self-test; then
        echo "install.sh: the self-test failed (the report above says why and what to do)." >&2
        if [ -n "$previous" ] && [ "$previous" != "$version" ]; then
            echo "To go back to $previous: ln -sfn '$previous' '$target_root/current'" >&2
        fi
        exit 1
    fi
fi

echo
echo "Packdesk $version is installed: start it from the applications menu, or run"
echo "  $bin/packdesk            (or: packdesk --demo to try it on sample orders;"
echo "  packdesk-cli for the headless commands, packdesk --self-test to check this PC)"
if [ -n "$previous" ] && [ "$previous" != "$version" ]; then
    echo "The previous version stays in $target_root/$previous (roll back: ln -sfn '$previous'"
    echo "  '$target_root/current'); remove it once this one has run a day."
fi
echo "Each user's data (profiles, database, labels, logs) stays in ~/.local/share/Packdesk;"
echo "the first start of a new version backs up and migrates the database itself."
