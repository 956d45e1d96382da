"""The bundle's version and contents come from the repository, not from copies that drift."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "packdesk.spec"


def test_app_version_is_pyprojects() -> None:
    # The spec names the folder, the Windows version resource and the macOS plist after
    # pyproject.toml; `packdesk --version` and the self-test say app.__version__.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"]


def test_spec_is_valid_python_and_collects_resources_generically() -> None:
    source = SPEC.read_text(encoding="utf-8")
    ast.parse(source)
    assert 'tree(ROOT / "resources", "app/resources")' in source
    assert 'tree(ROOT / "app" / "store" / "migrations", "app/store/migrations")' in source


def test_every_file_the_linux_release_copies_exists() -> None:
    source = SPEC.read_text(encoding="utf-8")
    for name in (
        "installer/linux/install.sh",
        "installer/linux/uninstall.sh",
        "installer/linux/60-packdesk-label-printers.rules",
        "installer/linux/packdesk.desktop",
        "resources/icons/packdesk.png",
        "resources/icons/packdesk.svg",
        "installer/README.md",
        "installer/windows/packdesk.ico",
        "installer/macos/packdesk.icns",
        "installer/macos/entitlements.plist",
    ):
        assert (ROOT / name).is_file(), name
        assert Path(name).name in source or Path(name).parent.name in source, name
