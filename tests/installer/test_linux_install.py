"""installer/linux: install.sh and uninstall.sh (POSIX sh, no Python) on a stand-in bundle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "installer" / "linux"
SH = shutil.which("dash") or shutil.which("sh") or "sh"  # dash: the strictest POSIX sh at hand

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux installer")


def fake_bundle(where: Path, version: str, *, self_test_exit: int = 0) -> Path:
    """A folder shaped like the built bundle: the executable answers --self-test."""
    bundle = where / f"packdesk-{version}"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / "packdesk"
    exe.write_text(f'#!/bin/sh\necho "packdesk {version}: $*"\nexit {self_test_exit}\n')
    exe.chmod(0o755)
    for name in ("install.sh", "uninstall.sh", "60-packdesk-label-printers.rules"):
        shutil.copy2(LINUX / name, bundle / name)
    shutil.copy2(LINUX / "packdesk.desktop", bundle / "packdesk.desktop")
    for name in ("packdesk.png", "packdesk.svg"):
        shutil.copy2(ROOT / "resources" / "icons" / name, bundle / name)
    (bundle / "VERSION").write_text(version + "\n")
    return bundle


def run(script: Path, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": os.environ["PATH"], "HOME": str(home), **env}
    return subprocess.run(
        [SH, str(script), *args], env=environ, capture_output=True, text=True, check=False
    )


def test_user_install_puts_everything_in_place(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bundle = fake_bundle(tmp_path, "1.2.0")

    done = run(bundle / "install.sh", "--user", home=home)

    assert done.returncode == 0, done.stderr
    root = home / ".local" / "opt" / "packdesk"
    assert os.readlink(root / "current") == "1.2.0"
    assert (root / "1.2.0" / "packdesk").is_file()
    assert os.readlink(home / ".local" / "bin" / "packdesk") == str(root / "current" / "packdesk")
    cli = subprocess.run(
        [str(home / ".local" / "bin" / "packdesk-cli"), "orders"], capture_output=True, text=True
    )
    assert cli.stdout == "packdesk 1.2.0: --cli orders\n"
    desktop = (home / ".local/share/applications/packdesk.desktop").read_text()
    assert f"Exec={root}/current/packdesk\n" in desktop
    assert f"Exec={root}/current/packdesk --demo\n" in desktop  # the demo action keeps its flag
    assert (home / ".local/share/icons/hicolor/256x256/apps/packdesk.png").is_file()
    assert "packdesk 1.2.0: --self-test" in done.stdout  # the installed copy was checked
    assert "sudo cp" in done.stdout and "/etc/udev/rules.d/" in done.stdout


def test_upgrade_switches_current_and_keeps_the_previous_version(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(fake_bundle(tmp_path / "a", "1.2.0") / "install.sh", "--user", home=home)

    done = run(fake_bundle(tmp_path / "b", "1.3.0") / "install.sh", "--user", home=home)

    assert done.returncode == 0, done.stderr
    root = home / ".local" / "opt" / "packdesk"
    assert os.readlink(root / "current") == "1.3.0"
    assert (root / "1.2.0" / "packdesk").is_file()
    assert "The previous version stays in" in done.stdout


def test_a_failing_self_test_fails_the_install_and_says_how_to_roll_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(fake_bundle(tmp_path / "a", "1.2.0") / "install.sh", "--user", home=home)

    done = run(
        fake_bundle(tmp_path / "b", "1.3.0", self_test_exit=1) / "install.sh", "--user", home=home
    )

    assert done.returncode == 1
    assert "self-test failed" in done.stderr
    assert "ln -sfn '1.2.0'" in done.stderr


def test_system_install_and_uninstall_under_destdir(tmp_path: Path) -> None:
    dest = tmp_path / "root"
    bundle = fake_bundle(tmp_path, "1.2.0")

    done = run(bundle / "install.sh", "--no-self-test", home=tmp_path, DESTDIR=str(dest))

    assert done.returncode == 0, done.stderr
    rules = dest / "etc/udev/rules.d/60-packdesk-label-printers.rules"
    assert 'TAG+="uaccess"' in rules.read_text()
    assert os.readlink(dest / "usr/local/bin/packdesk") == "/opt/packdesk/current/packdesk"
    assert (dest / "opt/packdesk/1.2.0/packdesk").is_file()
    desktop = (dest / "usr/local/share/applications/packdesk.desktop").read_text()
    assert "Exec=/opt/packdesk/current/packdesk\n" in desktop

    gone = run(LINUX / "uninstall.sh", home=tmp_path, DESTDIR=str(dest))

    assert gone.returncode == 0, gone.stderr
    assert not rules.exists()
    assert not (dest / "opt/packdesk").exists()
    assert not (dest / "usr/local/bin/packdesk").exists()
    assert "Data is kept" in gone.stdout


def test_user_uninstall_keeps_the_data(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(fake_bundle(tmp_path, "1.2.0") / "install.sh", "--user", home=home)
    data = home / ".local/share/Packdesk/profiles/default/packdesk.sqlite3"
    data.parent.mkdir(parents=True)
    data.write_bytes(b"orders")

    done = run(LINUX / "uninstall.sh", "--user", home=home)

    assert done.returncode == 0, done.stderr
    assert not (home / ".local/opt/packdesk").exists()
    assert not (home / ".local/bin/packdesk").exists()
    assert not (home / ".local/bin/packdesk-cli").exists()
    assert not (home / ".local/share/applications/packdesk.desktop").exists()
    assert data.read_bytes() == b"orders"


def test_install_refuses_a_folder_that_is_not_a_bundle(tmp_path: Path) -> None:
    script = tmp_path / "install.sh"
    shutil.copy2(LINUX / "install.sh", script)

    done = run(script, "--user", home=tmp_path)

    assert done.returncode == 1
    assert "unpacked Packdesk folder" in done.stderr


def test_udev_rule_covers_zebra_and_dymo_with_uaccess() -> None:
    from printers.models import DYMO_VID, ZEBRA_VID
    from printers.transports.usb import udev_rule

    lines = [
        line
        for line in (LINUX / "60-packdesk-label-printers.rules").read_text().splitlines()
        if line.startswith("SUBSYSTEM")
    ]
    assert lines == [
        'SUBSYSTEM=="usb", ATTR{idVendor}=="0a5f", TAG+="uaccess"',
        'SUBSYSTEM=="usb", ATTR{idVendor}=="0922", TAG+="uaccess"',
    ]
    # the line the USB transport prints for a printer it may not open is the same
    assert lines == [udev_rule(ZEBRA_VID), udev_rule(DYMO_VID)]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_desktop_entry_is_valid_as_installed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(fake_bundle(tmp_path, "1.2.0") / "install.sh", "--user", "--no-self-test", home=home)

    installed = home / ".local/share/applications/packdesk.desktop"
    done = subprocess.run(
        ["desktop-file-validate", str(installed)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
