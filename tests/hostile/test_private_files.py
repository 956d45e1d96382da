"""Issue 8: the database, its WAL, backups, logs and labels are 0600; profile folders 0700."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from app.cli.main import main
from app.infra.private_files import private_dir, private_file

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_profile_is_private_to_its_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fresh_logging: None
) -> None:
    previous = os.umask(0o022)  # a typical desktop umask
    try:
        home = tmp_path / "home"
        profile = home / "profiles" / "default"
        profile.mkdir(parents=True, mode=0o755)  # made by an older Packdesk
        profile.chmod(0o755)
        sample = Path(__file__).parents[2] / "resources" / "samples"
        assert main(
            ["--home", str(home), "import", str(sample / "kickstarter_backer_report.csv")]
        ) in (0, 1)
        assert main(["--home", str(home), "--sandbox", "demo-seed"]) == 0
        capsys.readouterr()
        assert main(["--home", str(home), "--sandbox", "groups", "--json"]) == 0
        groups = json.loads(capsys.readouterr().out)
        smallest = min((g for g in groups if g["package_type"]), key=lambda g: g["orders"])
        buy = ["buy", "--group", smallest["group"], "--yes", "--no-verify"]
        assert main(["--home", str(home), "--sandbox", *buy]) in (0, 2)  # labels on disk
        capsys.readouterr()
        assert any(p.suffix in (".png", ".pdf", ".zpl") for p in (profile / "labels").rglob("*"))
        assert _mode(profile) == 0o700
        files = [p for p in profile.rglob("*") if p.is_file()]
        assert any(p.name == "packdesk.sqlite3" for p in files)
        assert any(p.name == "packdesk.log" for p in files)
        for path in files:
            assert _mode(path) & 0o077 == 0, path
        for folder in [p for p in profile.rglob("*") if p.is_dir()]:
            assert _mode(folder) & 0o077 == 0, folder
    finally:
        os.umask(previous)


def test_private_helpers_tighten_what_exists(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert _mode(private_dir(folder)) == 0o700
    loose = folder / "x.log"
    loose.write_text("x")
    loose.chmod(0o644)
    assert _mode(private_file(loose)) == 0o600 and loose.read_text() == "x"
    link = folder / "link"
    link.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError):
        private_file(link)  # never through a symlink
    assert not (tmp_path / "elsewhere").exists()
