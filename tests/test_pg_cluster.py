"""The test suite's PostgreSQL helper never skips silently: without PostgreSQL it fails and
says how to install it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import pg_cluster


def test_a_missing_postgresql_fails_with_the_install_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pg_cluster, "_pg_bin", lambda: None)
    with pytest.raises(pytest.fail.Exception) as failed:
        pg_cluster._start_cluster(tmp_path)
    assert "apt-get install -y postgresql" in str(failed.value)
    assert "PACKDESK_TEST_PG=skip" in str(failed.value)
