#!/bin/sh
# Build, sign, notarize and staple Packdesk.app and its DMG on a Mac (from the repo root).
# Written down with care but not run in CI (CI is Linux); installer/README.md explains each step.
#
#   export PACKDESK_CODESIGN_IDENTITY="Developer ID Application: Your Company (TEAMID1234)"
#   export NOTARY_PROFILE=packdesk-notary   # once: xcrun notarytool store-credentials ...
#   sh installer/macos/build-macos.sh
set -eu

: "${PACKDESK_CODESIGN_IDENTITY:?set it to your Developer ID Application identity}"
: "${NOTARY_PROFILE:?store notarytool credentials first (see installer/README.md)}"
version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
app=dist/Packdesk.app
dmg=dist/packdesk-$version-macos-$(uname -m).dmg

# 1. Build. The spec reads PACKDESK_CODESIGN_IDENTITY: PyInstaller signs every Mach-O file in
#    the bundle with it, with the hardened runtime and a secure timestamp, then the .app itself.
.venv/bin/pyinstaller --noconfirm installer/packdesk.spec

# 2. Check the signature before Apple does (a library left unsigned fails notarization).
codesign --verify --deep --strict --verbose=2 "$app"
codesign --display --verbose=2 "$app" 2>&1 | grep -E "Authority=Developer ID|flags=.*runtime"

# 3. The signed app must still pass its own checks (offscreen: no window needed).
QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/packdesk" --self-test

# 4. The disk image, signed too.
rm -f "$dmg"
hdiutil create -volname "Packdesk $version" -srcfolder "$app" -ov -format UDZO "$dmg"
codesign --force --timestamp --sign "$PACKDESK_CODESIGN_IDENTITY" "$dmg"

# 5. Notarize (Apple scans it; minutes) and staple the ticket, so Gatekeeper needs no network.
xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
xcrun stapler staple "$dmg"
xcrun stapler staple "$app"

# 6. What a desk's Gatekeeper will say.
spctl --assess --type execute --verbose=4 "$app"
spctl --assess --type open --context context:primary-signature --verbose=4 "$dmg"
echo "ready: $dmg"
