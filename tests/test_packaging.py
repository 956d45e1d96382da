"""Packaging: every package folder is installed, and resources install as app.resources."""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _package_folders() -> set[str]:
    found: set[str] = set()
    for top, dotted in (("app", "app"), ("printers", "printers"), ("resources", "app.resources")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / top)
            found.add(".".join([dotted, *rel.parts]) if rel.parts else dotted)
    return found


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    assert _package_folders() - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - _package_folders() == set(), "these listed packages have no folder"


def test_sample_orders_are_reachable_as_package_data() -> None:
    samples = importlib.resources.files("app.resources.samples")
    assert samples.joinpath("kickstarter_backer_report.csv").is_file()
