"""Whole pipeline on malformed files: read_order_file + ImportService never crash, a fatal file
changes nothing, and every stored order or rejected row is accounted for."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import AppError
from app.imports import read_order_file
from app.services.error_csv import write_error_csv
from app.services.importing import ImportService
from app.store import open_store
from tests.services.factories import WriteCounter

HEADER = [
    "Backer Number", "Backer UID", "Backer Name", "Email", "Shipping Country", "Pledge Amount",
    "Pledged Status", "Notes", "T-Shirt", "[Addon: 1] Pin", "Survey Response", "Shipping Name",
    "Shipping Address 1", "Shipping Address 2", "Shipping City", "Shipping State",
    "Shipping Postal Code", "Shipping Country Name", "Shipping Country Code",
]  # fmt: skip

_good_row = st.fixed_dictionaries(
    {
        "n": st.integers(1, 40),
        "qty": st.sampled_from(["1", "2", "0", "", "x", "-1", "1.5"]),
        "country": st.sampled_from(["US", "SE", "Sweden", "UK", "Atlantis", ""]),
        "state": st.sampled_from(["MA", "Texas", "", "ZZ"]),
        "zip": st.sampled_from(["2108", "02108-1234", "", "135 44", "'84403"]),
        "status": st.sampled_from(["collected", "errored", "dropped"]),
        "name": st.text(min_size=0, max_size=8),
    }
)


def _row(cells: dict[str, object]) -> list[str]:
    n = str(cells["n"])
    return [
        n, "9" + n, str(cells["name"]), f"b{n}@example.com", "US", "$1,035.00 USD",
        str(cells["status"]), "", str(cells["qty"]), "1", "2025/05/26, 14:05", str(cells["name"]),
        "1 Main St", "", "Boston", str(cells["state"]), str(cells["zip"]), "",
        str(cells["country"]),
    ]  # fmt: skip


_files = st.one_of(
    # Kickstarter-shaped files with messy cells.
    st.lists(_good_row, max_size=12).map(
        lambda rows: _csv([HEADER, *(_row(r) for r in rows)]).encode("utf-8")
    ),
    # Anything at all.
    st.binary(max_size=300),
    # A header, then ragged rows of random text.
    st.lists(st.lists(st.text(max_size=6), max_size=25), max_size=6).map(
        lambda rows: _csv([HEADER, *rows]).encode("utf-8", "surrogatepass")
    ),
)


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=_files)
def test_malformed_files_never_crash_nor_half_commit(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "backers.csv"
        source.write_bytes(content)
        store = open_store(Path(folder) / "fuzz.sqlite3")
        try:
            counter = WriteCounter(store)
            service = ImportService(store, read_order_file, write_error_csv)
            try:
                report = service.import_file(source, preset="kickstarter", write_error_csv=True)
            except AppError as error:
                assert error.message
                assert counter.statements == []  # a fatal file changes nothing
                with store.transaction() as tx:
                    assert tx.orders.count() == 0
                return
            with store.transaction() as tx:
                stored = tx.orders.count()
            assert stored == report.orders_created
            assert report.orders_updated == 0 and report.conflicts == ()
            for error in report.errors:
                assert error.row >= 2 and error.message
            if report.errors:
                assert report.errors_csv is not None and report.errors_csv.exists()
        finally:
            store.close()
