"""Shared printer-test fixtures: the generated label corpus (made once per session)."""

from __future__ import annotations

import pytest

from tests.printers.corpus.make_corpus import CorpusLabel, make_corpus


@pytest.fixture(scope="session")
def label_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CorpusLabel]:
    """Every corpus label by file name (usps_203.png, usps_300.png, ..._landscape.png,
    ..._transparent.png, usps_300.jpg, usps_4x6.pdf), written to a session tmp dir."""
    return make_corpus(tmp_path_factory.mktemp("label-corpus"))
