"""ImportService: new orders in, unchanged ones untouched (no writes), changed ones updated,
labelled ones reported as conflicts, curated SKUs kept, and all-or-nothing transactions."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import AppError
from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import Address, Order, OrderStatus
from app.imports.model import ParsedOrders, RowError
from app.services.catalog import CatalogService, ItemChanges
from app.services.importing import ImportService, error_csv_path
from app.store import StatusChange, Store, open_store
from app.store.orders_repo import OrderRepository
from tests.services.factories import WriteCounter, file_state, order, parsed

NOW = datetime(2026, 11, 25, 12, 0, 0)


def _service(store: Store, result: ParsedOrders | None = None) -> ImportService:
    def reader(path: Path, *, preset: str = "auto", mapping_path: Path | None = None):
        if result is None:
            raise AppError(f"Cannot read {path}: no such file", hint="Check the path.")
        return result

    return ImportService(store, reader, clock=lambda: NOW)


def _stored(store: Store) -> dict[str, Order]:
    with store.transaction() as tx:
        return {o.external_id: o for o in tx.orders.find()}


def test_first_import_creates_orders_lines_and_skus(store: Store) -> None:
    report = _service(store).apply(
        parsed(
            [order("1", [("TEE-M", 1), ("STICKER", 2)]), order("2", country="SE")],
            items=[Item("TEE-M", name="T-shirt M", value_usd=Decimal("20"))],
        )
    )
    assert (report.orders_created, report.orders_updated, report.orders_unchanged) == (2, 0, 0)
    assert report.items_created == 2
    stored = _stored(store)
    assert [(line.sku, line.quantity) for line in stored["1"].lines] == [
        ("TEE-M", 1),
        ("STICKER", 2),
    ]
    assert stored["2"].recipient.city == "Tyresö"
    assert all(o.status is OrderStatus.IMPORTED for o in stored.values())
    with store.transaction() as tx:
        assert tx.items.get("TEE-M") == Item("TEE-M", name="T-shirt M", value_usd=Decimal("20"))
        assert tx.items.get("STICKER") == Item("STICKER")
        assert tx.orders.group_of(stored["1"].id or 0) == group_id_for(stored["1"].item_multiset)


def test_reimport_of_unchanged_file_writes_nothing(store: Store) -> None:
    file = parsed([order(str(n), country="SE" if n % 3 else "US") for n in range(1, 40)])
    service = _service(store)
    service.apply(file)
    counter = WriteCounter(store)
    before = list(file_state(store.path))
    report = service.apply(file)
    assert (report.orders_created, report.orders_updated, report.orders_unchanged) == (0, 0, 39)
    assert report.items_created == 0 and not report.wrote_anything
    assert counter.statements == []
    assert list(file_state(store.path)) == before


def test_changed_order_is_updated_with_new_lines_and_group(store: Store) -> None:
    service = _service(store)
    service.apply(parsed([order("1", [("TEE-M", 1)]), order("2")]))
    with store.transaction() as tx:
        order_id = _stored(store)["1"].id
        assert order_id is not None
        tx.orders.apply_status_changes(
            [StatusChange(order_id, OrderStatus.READY_TO_SHIP, None)], NOW
        )
    moved = order("1", [("TEE-L", 1), ("PIN", 3)], street1="9 New Road")
    report = service.apply(parsed([moved, order("2")]))
    assert (report.orders_created, report.orders_updated, report.orders_unchanged) == (0, 1, 1)
    assert report.items_created == 2
    stored = _stored(store)["1"]
    assert stored.recipient.street1 == "9 New Road"
    assert [(line.sku, line.quantity) for line in stored.lines] == [("TEE-L", 1), ("PIN", 3)]
    assert stored.status is OrderStatus.READY_TO_SHIP  # an update keeps the packer's status
    with store.transaction() as tx:
        assert tx.orders.group_of(order_id) == group_id_for((("PIN", 3), ("TEE-L", 1)))


def test_change_to_labelled_order_is_a_conflict_not_applied(store: Store) -> None:
    service = _service(store)
    service.apply(parsed([order("1"), order("2")]))
    label_id = _stored(store)["1"].id
    assert label_id is not None
    with store.transaction() as tx:
        tx.orders.apply_status_changes(
            [StatusChange(label_id, OrderStatus.LABEL_PURCHASED, None)], NOW
        )
    report = service.apply(
        parsed([order("1", street1="Somewhere else"), order("2", street1="Also moved")])
    )
    assert report.orders_updated == 1
    assert [(c.order_id, c.external_id, c.status, c.row) for c in report.conflicts] == [
        (label_id, "1", "label_purchased", 2)
    ]
    assert "already has a label" in report.conflicts[0].message
    stored = _stored(store)
    assert stored["1"].recipient.street1 == "1 Main St"
    assert stored["2"].recipient.street1 == "Also moved"


def test_unchanged_labelled_order_is_not_a_conflict(store: Store) -> None:
    service = _service(store)
    service.apply(parsed([order("1")]))
    with store.transaction() as tx:
        tx.orders.apply_status_changes([StatusChange(1, OrderStatus.SHIPPED, None)], NOW)
    report = service.apply(parsed([order("1")]))
    assert report.conflicts == () and report.orders_unchanged == 1


def test_curated_sku_data_is_never_overwritten(store: Store) -> None:
    service = _service(store)
    service.apply(parsed([order("1")], items=[Item("TEE-M", name="Tee")]))
    CatalogService(store).update_item(
        "TEE-M", ItemChanges(weight_oz=Decimal("6.5"), hts_code="6109.10", name="Curated tee")
    )
    service.apply(
        parsed(
            [order("1", street1="changed"), order("2")],
            items=[Item("TEE-M", name="File name", value_usd=Decimal("99"))],
        )
    )
    with store.transaction() as tx:
        item = tx.items.get("TEE-M")
    assert item is not None
    assert (item.name, item.weight_oz, item.hts_code, item.value_usd) == (
        "Curated tee",
        Decimal("6.5"),
        "610910",
        Decimal(0),
    )


def test_same_order_twice_in_a_file_keeps_the_first_and_reports_the_second(store: Store) -> None:
    file = parsed([order("1", [("TEE-M", 1)])])
    file = replace(file, orders=(*file.orders, order("1", [("PIN", 1)])))
    report = _service(store).apply(file)
    assert report.orders_created == 1
    assert [(e.column, "more than once" in e.message) for e in report.errors] == [
        ("external_id", True)
    ]
    assert [(line.sku, line.quantity) for line in _stored(store)["1"].lines] == [("TEE-M", 1)]


def test_reader_errors_are_reported_with_row_and_column(store: Store) -> None:
    bad = RowError(row=5, column="Shipping Country", message="unknown country 'Atlantis'")
    report = _service(store).apply(parsed([order("1")], errors=[bad]))
    assert report.errors == (bad,)
    assert report.orders_created == 1


def test_failure_midway_changes_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service(store)
    service.apply(parsed([order("1")]))

    def broken_update(self: OrderRepository, *args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrderRepository, "update_content", broken_update)
    with pytest.raises(RuntimeError, match="disk full"):
        service.apply(parsed([order("1", street1="moved"), order("2", [("NEW-SKU", 1)])]))
    stored = _stored(store)
    assert list(stored) == ["1"] and stored["1"].recipient.street1 == "1 Main St"
    with store.transaction() as tx:
        assert tx.items.get("NEW-SKU") is None


def test_unreadable_file_raises_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    counter = WriteCounter(store)
    with pytest.raises(AppError, match="Cannot read"):
        _service(store).import_file(tmp_path / "missing.csv")
    assert counter.statements == []


def test_error_csv_is_written_beside_the_file_on_request(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "backers.csv"
    result = parsed([order("1")], errors=[RowError(3, "Email", "bad")], path=source)
    written: list[tuple[ParsedOrders, Path]] = []
    service = ImportService(
        store,
        lambda path, **_: result,
        error_writer=lambda p, target, **_: written.append((p, target)),
    )
    report = service.import_file(source, write_error_csv=True)
    assert report.errors_csv == error_csv_path(source) == tmp_path / "backers.errors.csv"
    assert written == [(result, tmp_path / "backers.errors.csv")]
    assert written[0][0].errors == (RowError(3, "Email", "bad"),)
    assert service.import_file(source).errors_csv is None  # only on request
    assert len(written) == 1


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=32), max_size=12)
_orders = st.lists(
    st.builds(
        lambda ext, name, street, lines: Order(
            source=order("x").source,
            external_id=ext,
            recipient=Address(name, street, "City", "12345", "US"),
            lines=tuple(lines),
        ),
        ext=st.sampled_from([str(n) for n in range(8)]),
        name=_text,
        street=_text,
        lines=st.lists(
            st.builds(
                lambda sku, qty: order("x", [(sku, qty)]).lines[0],
                st.sampled_from(["A", "B", "Ü-1", "c d"]),
                st.integers(1, 3),
            ),
            max_size=3,
        ),
    ),
    max_size=8,
    unique_by=lambda o: o.external_id,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_orders, second=_orders)
def test_the_store_always_holds_the_latest_file(first: list[Order], second: list[Order]) -> None:
    """Property: after importing A then B, every order of B reads back exactly as B says,
    orders only in A are kept, and importing B again writes nothing."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "p.sqlite3")
        try:
            service = _service(store)
            service.apply(parsed(first))
            report = service.apply(parsed(second))
            stored = _stored(store)
            for expected in second:
                got = stored[expected.external_id]
                assert (got.recipient, got.lines) == (expected.recipient, expected.lines)
            for kept in first:
                if kept.external_id not in {o.external_id for o in second}:
                    assert stored[kept.external_id].lines == kept.lines
            assert report.orders_created + report.orders_updated + report.orders_unchanged == len(
                second
            )
            counter = WriteCounter(store)
            assert service.apply(parsed(second)).orders_unchanged == len(second)
            assert counter.statements == []
        finally:
            store.close()


def test_progress_reports_each_phase(store: Store) -> None:
    seen: list[tuple[str, int, int]] = []
    file = parsed([order("1"), order("2")])
    service = _service(store, file)
    service.import_file(Path("x.csv"), progress=lambda *step: seen.append(step))
    assert seen == [
        ("read", 0, 1),
        ("read", 1, 1),
        ("compare", 0, 2),
        ("compare", 2, 2),
        ("write", 0, 2),
        ("write", 2, 2),
        ("write", 2, 2),
        ("done", 1, 1),
    ]
    seen.clear()
    service.apply(file, progress=lambda *step: seen.append(step))
    assert [phase for phase, _, _ in seen] == ["compare", "compare", "done"]  # nothing to write


def test_unwritable_error_csv_is_refused_before_anything_is_written(
    store: Store, tmp_path: Path
) -> None:
    source = tmp_path / "backers.csv"
    error_csv_path(source).mkdir()  # a folder where the error CSV should go
    result = parsed([order("1")], errors=[RowError(3, "Email", "bad")], path=source)
    written: list[Path] = []
    service = ImportService(
        store, lambda path, **_: result, error_writer=lambda p, target, **_: written.append(target)
    )
    counter = WriteCounter(store)
    with pytest.raises(AppError, match="cannot write the error file") as caught:
        service.import_file(source, write_error_csv=True)
    assert "Nothing was imported" in caught.value.hint
    assert counter.statements == [] and written == []
    # Without errors to write there is nothing to refuse; the check leaves no file behind.
    clean = parsed([order("1")], path=tmp_path / "clean.csv")
    ImportService(store, lambda path, **_: clean, error_writer=lambda p, t, **_: None).import_file(
        clean.path, write_error_csv=True
    )
    assert not error_csv_path(clean.path).exists()


def test_error_csv_failing_after_the_import_is_reported_and_the_import_stands(
    store: Store, tmp_path: Path
) -> None:
    source = tmp_path / "backers.csv"
    result = parsed([order("1")], errors=[RowError(3, "Email", "bad")], path=source)

    def failing_writer(p: ParsedOrders, target: Path, *, overwrite: bool = False) -> None:
        raise AppError(f"cannot write the error file {target}: No space left on device")

    report = ImportService(
        store, lambda path, **_: result, error_writer=failing_writer
    ).import_file(source, write_error_csv=True)
    assert report.orders_created == 1 and report.errors == (RowError(3, "Email", "bad"),)
    assert report.errors_csv is None and "No space left" in report.errors_csv_failure
    assert list(_stored(store)) == ["1"]
