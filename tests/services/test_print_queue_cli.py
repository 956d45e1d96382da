"""`packdesk-cli printers ...` and `packdesk-cli print --batch` on a real profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.infra.paths import profile_paths
from app.store import open_store
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    default_emulated_usb_fixture,
    emulated_usb_fixture,
)
from tests.services.print_queue_helpers import expected_page, seed_labels


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_printers_add_default_list_remove(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = _json(capsys, "printers", "list")
    unset = {"label_format": "", "media": ""}
    assert listed == [
        {"name": "virtual://demo", "uri": "virtual://demo", "model": "", "default": True, **unset}
    ]
    assert main(["printers", "add", "desk", "usb://0A5F:0185"]) == 0
    assert main(["printers", "add", "back", "tcp://10.0.0.5", "--model", "zd421-300"]) == 0
    assert main(["printers", "add", "desk", "virtual://x"]) == 1  # name taken
    assert main(["printers", "add", "bad", "usb://zebra"]) == 1
    assert main(["printers", "add", "odd", "virtual://y", "--model", "nope"]) == 1
    assert main(["printers", "default", "back"]) == 0
    listed = _json(capsys, "printers", "list")
    assert listed == [
        {"name": "desk", "uri": "usb://0a5f:0185", "model": "", "default": False, **unset},
        {
            "name": "back",
            "uri": "tcp://10.0.0.5:9100",
            "model": "zd421-300",
            "default": True,
            **unset,
        },
    ]
    assert main(["printers", "remove", "back"]) == 0
    assert main(["printers", "remove", "back"]) == 1
    settings = json.loads(profile_paths(base=_isolated_home).settings.read_text())
    # One rule with the Setup panel: the first printer left becomes the default.
    assert settings["printers"] == {
        "configured": [{"name": "desk", "uri": "usb://0a5f:0185"}],
        "default": "desk",
    }


def test_printers_status_and_discover_on_emulated_usb(
    default_emulated_usb: MakeBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = default_emulated_usb("zd421-203")
    found = _json(capsys, "printers", "discover")
    assert isinstance(found, list) and found[0]["uri"].startswith("usb://0a5f:0185")
    assert main(["printers", "add", "desk", "usb://0a5f:0185"]) == 0
    status = _json(capsys, "printers", "status", "desk")
    assert status == {
        "name": "desk",
        "uri": "usb://0a5f:0185",
        "model": "zd421-203",
        "state": "ready",
        "ok": True,
        "problems": [],
        "message": "ready",
    }
    backend.device("zd421-203").engine.set_faults(paper_out=True)
    capsys.readouterr()
    assert main(["printers", "status", "desk"]) == 1
    assert "paper out" in capsys.readouterr().out


def test_print_batch_prints_what_is_left_and_stops_on_a_fault(
    _isolated_home: Path, default_emulated_usb: MakeBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = default_emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    paths = profile_paths(base=_isolated_home)
    store = open_store(paths.database)
    try:
        seeded = seed_labels(store, paths.labels, 3)
        with store.transaction() as tx:
            batch = tx.batches.get(seeded.batch_id)
        assert batch is not None
    finally:
        store.close()

    engine.set_faults(paper_out=True)
    capsys.readouterr()
    assert main(["print", "--batch", batch.reference, "--printer", "usb://0a5f:0185"]) == 2
    err = capsys.readouterr().err
    assert "paused: " in err and "hint: load labels" in err
    assert engine.stats.jobs_received == 0

    engine.set_faults(paper_out=False)
    report = _json(capsys, "print", "--batch", batch.reference, "--printer", "usb://0a5f:0185")
    assert isinstance(report, dict)
    assert report["state"] == "idle" and report["printed"] == 3
    assert [j["label"] for j in report["jobs"]] == seeded.label_ids
    assert engine.wait_printed(3, 10)
    assert [p.bitmap.data for p in engine.printed] == [
        expected_page(seeded.pngs[i], "zd421-203") for i in seeded.label_ids
    ]
    # Again: nothing left to print; --reprint prints all three once more.
    again = _json(capsys, "print", "--batch", batch.reference, "--printer", "usb://0a5f:0185")
    assert isinstance(again, dict) and again["jobs"] == []
    assert (
        main(["print", "--batch", str(batch.id), "--printer", "usb://0a5f:0185", "--reprint"]) == 0
    )
    assert engine.wait_printed(6, 10)
    assert main(["print", "--batch", "B-nope"]) == 1


def test_print_shows_labels_in_doubt_and_settles_them(
    _isolated_home: Path, default_emulated_usb: MakeBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.services.print_queue_helpers import NOW

    backend = default_emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    paths = profile_paths(base=_isolated_home)
    store = open_store(paths.database)
    try:
        seeded = seed_labels(store, paths.labels, 2)
        with store.transaction(write=True) as tx:  # what a crash mid-send leaves
            jobs = [
                tx.print_jobs.add(i, "usb://0a5f:0185", reprint=False, at=NOW)
                for i in seeded.label_ids
            ]
            tx.print_jobs.claim(jobs[0].id)
            batch = tx.batches.get(seeded.batch_id)
        assert batch is not None
    finally:
        store.close()
    printer = ["--printer", "usb://0a5f:0185"]
    capsys.readouterr()
    assert main(["print", "--batch", batch.reference, *printer]) == 2
    out = capsys.readouterr()
    assert f"in doubt: job {jobs[0].id}" in out.out and f"--resend {jobs[0].id}" in out.out
    assert engine.stats.jobs_received == 0
    assert main(["print", "--mark-printed", str(jobs[0].id), *printer]) == 0
    assert engine.wait_printed(1, 10)
    assert [p.bitmap.data for p in engine.printed] == [
        expected_page(seeded.pngs[seeded.label_ids[1]], "zd421-203")
    ]


def test_print_and_list_on_another_station_s_printer(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.store.station_printers_repo import StationPrinter
    from tests.services.print_queue_helpers import NOW

    paths = profile_paths(base=_isolated_home)
    store = open_store(paths.database)
    try:
        seeded = seed_labels(store, paths.labels, 2)
        with store.transaction(write=True) as tx:  # what desk-b's Packdesk published
            tx.printers.replace_station(
                "desk-b", [StationPrinter("desk-b", "Zebra", "usb://0a5f:0185", "zd421-203")], NOW
            )
            batch = tx.batches.get(seeded.batch_id)
        assert batch is not None
    finally:
        store.close()
    monkeypatch.setenv("PACKDESK_STATION", "desk-a")
    listed = _json(capsys, "printers", "list", "--all-stations")
    assert isinstance(listed, list)
    assert [(r["station"], r["print_with"], r["here"]) for r in listed] == [
        ("desk-a", "virtual://demo", True),
        ("desk-b", "Zebra@desk-b", False),
    ]
    capsys.readouterr()
    assert main(["print", "--batch", batch.reference, "--printer", "Zebra@desk-b"]) == 0
    assert "desk-b" in capsys.readouterr().out
    store = open_store(paths.database)
    try:
        with store.transaction() as tx:
            jobs = [tx.print_jobs.for_label(i)[-1] for i in seeded.label_ids]
    finally:
        store.close()
    # Queued for desk-b (which prints them); desk-a opened no printer.
    assert {(j.status.value, j.station, j.queued_by) for j in jobs} == {
        ("queued", "desk-b", "desk-a")
    }
