"""Import service: apply a parsed order file to the order cache in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.fingerprint import order_fingerprint
from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import LABELLED_STATUSES, Order, OrderStatus, SourcePlatform
from app.imports.model import ParsedOrders, RowError
from app.services.bulk import cyclic_gc_paused
from app.services.clock import Clock, utc_now
from app.services.order_freeze import frozen_orders
from app.store import OrderWrite, StatusChange, Store, StoredFingerprint


class OrderFileReader(Protocol):
    """Reads an order file (app.imports.read_order_file)."""

    def __call__(
        self, path: Path, *, preset: str = "auto", mapping_path: Path | None = None
    ) -> ParsedOrders: ...


class ErrorCsvWriter(Protocol):
    """Writes the rejected rows (app.services.error_csv.write_error_csv)."""

    def __call__(self, parsed: ParsedOrders, path: Path, *, overwrite: bool = False) -> None: ...


#: Progress callback: (phase, done, total); phases "read", "compare", "write", "done".
ImportProgress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    """The default: nobody is listening."""


@dataclass(frozen=True, slots=True)
class ImportConflict:
    """A changed order that already has a label: the change was not applied."""

    order_id: int
    source: str
    external_id: str
    status: str
    row: int
    message: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did. Nothing is written when only `orders_unchanged` is non-zero."""

    file: Path
    preset: str
    rows_read: int
    orders_created: int
    orders_updated: int
    orders_unchanged: int
    items_created: int
    conflicts: tuple[ImportConflict, ...]
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...]
    errors_csv: Path | None = None
    #: Stored orders the file now shows cancelled, refunded or dropped at the source: set to
    #: cancelled (they leave their package groups). Labelled ones are in `conflicts` instead.
    cancelled: tuple[CancelledOrder, ...] = ()
    #: Set when the error CSV could not be written after the import was saved (it still stands).
    errors_csv_failure: str = ""
    #: Groups without a choice that got Setup's defaults for new groups after this import.
    groups_defaulted: int = 0
    #: Why the defaults could not be applied (the import itself stands), e.g. a deleted type.
    defaults_problem: str = ""

    @property
    def orders_cancelled(self) -> int:
        return len(self.cancelled)

    @property
    def wrote_anything(self) -> bool:
        return bool(
            self.orders_created or self.orders_updated or self.items_created or self.cancelled
        )


@dataclass(frozen=True, slots=True)
class CancelledOrder:
    """An order this import cancelled because the source no longer wants it shipped."""

    order_id: int
    source: str
    external_id: str
    row: int
    reason: str


def error_csv_path(order_file: Path) -> Path:
    """Where the rejected rows of `order_file` go: beside it, `<name>.errors.csv`."""
    return order_file.with_name(f"{order_file.stem}.errors.csv")


class ImportService:
    """Reads order files and applies them: new orders in, changed ones updated, labelled kept."""

    def __init__(
        self,
        store: Store,
        reader: OrderFileReader,
        error_writer: ErrorCsvWriter | None = None,
        clock: Clock = utc_now,
        *,
        group_defaults: Callable[[], int] | None = None,
    ) -> None:
        """`group_defaults`: run after each import that wrote something (Setup's defaults for
        new groups, app.services.group_defaults); returns how many groups got them."""
        self._group_defaults = group_defaults
        self._store = store
        self._reader = reader
        self._error_writer = error_writer
        self._clock = clock

    def import_file(
        self,
        path: Path,
        *,
        preset: str = "auto",
        mapping_path: Path | None = None,
        write_error_csv: bool = False,
        overwrite_errors_csv: bool = False,
        progress: ImportProgress = _no_progress,
    ) -> ImportReport:
        """Read `path` and apply it. An unreadable file raises AppError and changes nothing.

        An existing error CSV is replaced only with `overwrite_errors_csv`; a symlink never is.
        """
        with cyclic_gc_paused():
            progress("read", 0, 1)
            parsed = self._reader(path, preset=preset, mapping_path=mapping_path)
            progress("read", 1, 1)
            target = error_csv_path(path)
            if write_error_csv:
                if self._error_writer is None:
                    raise RuntimeError("ImportService was built without an error CSV writer")
                if parsed.errors or _first_of_each(parsed)[1]:
                    # Fail before anything is saved: afterwards the packer would see only the
                    # CSV failure, not the rows it was meant to list.
                    ensure_writable(target, overwrite=overwrite_errors_csv)
            report = self.apply(parsed, progress=progress)
        if write_error_csv and report.errors and self._error_writer is not None:
            # The report may add rows the reader did not reject (repeated order ids).
            try:
                self._error_writer(
                    replace(parsed, errors=report.errors), target, overwrite=overwrite_errors_csv
                )
            except AppError as failure:
                # Checked above, so only a race (disk full, folder removed) gets here; the
                # import is committed, so the report is still returned, with the failure.
                return replace(report, errors_csv_failure=failure.message)
            report = _with_errors_csv(report, target)
        return report

    def apply(
        self, parsed: ParsedOrders, *, progress: ImportProgress = _no_progress
    ) -> ImportReport:
        """Apply `parsed` in one transaction; orders are matched by (source, external id)."""
        with cyclic_gc_paused():
            report = self._apply(parsed, progress)
        if self._group_defaults is not None and report.wrote_anything:
            try:
                report = replace(report, groups_defaulted=self._group_defaults())
            except AppError as problem:  # the orders are saved; say why groups got no defaults
                text = f"{problem.message} {problem.hint or ''}".strip()
                report = replace(report, defaults_problem=text)
        progress("done", 1, 1)
        return report

    def _apply(self, parsed: ParsedOrders, progress: ImportProgress) -> ImportReport:
        orders, duplicate_errors = _first_of_each(parsed)
        progress("compare", 0, len(orders))
        fingerprints = [order_fingerprint(order) for order in orders]
        created: list[OrderWrite] = []
        updated: list[OrderWrite] = []
        conflicts: list[ImportConflict] = []
        unchanged = 0
        gone = parsed.cancelled_at_source
        gone_source = _PRESET_SOURCES.get(parsed.preset)
        with self._store.transaction(write=True) as tx:
            stored: dict[tuple[SourcePlatform, str], StoredFingerprint] = {}
            sources = {order.source for order in orders}
            if gone and gone_source is not None:
                sources.add(gone_source)
            for source in sources:
                for external_id, fp in tx.orders.fingerprints(source).items():
                    stored[(source, external_id)] = fp
            # Orders a buy has in flight keep what the buy is using (app.domain.order_freeze).
            frozen = frozen_orders(tx)
            for order, fingerprint in zip(orders, fingerprints, strict=True):
                known = stored.get((order.source, order.external_id))
                if known is not None and known.content_hash == fingerprint:
                    unchanged += 1
                elif known is None:
                    new = _as_new(order)
                    created.append(OrderWrite(new, fingerprint, group_id_for(new.item_multiset)))
                elif known.status in LABELLED_STATUSES:
                    conflicts.append(_conflict(order, known, parsed))
                elif known.order_id in frozen:
                    conflicts.append(_frozen_conflict(order, known, parsed, frozen))
                else:
                    updated.append(
                        OrderWrite(
                            order, fingerprint, group_id_for(order.item_multiset), known.order_id
                        )
                    )
            cancelled: list[CancelledOrder] = []
            if gone_source is not None:
                in_file = {(order.source, order.external_id) for order in orders}
                for external_id, skip in gone.items():
                    known = stored.get((gone_source, external_id))
                    if known is None or known.status is OrderStatus.CANCELLED:
                        continue
                    if (gone_source, external_id) in in_file:
                        continue  # the same id also stands as a live order in this file
                    if known.status in LABELLED_STATUSES or known.order_id in frozen:
                        conflicts.append(
                            _cancel_conflict(
                                gone_source, external_id, known, skip, frozen.get(known.order_id)
                            )
                        )
                    else:
                        cancelled.append(
                            CancelledOrder(
                                known.order_id,
                                gone_source.value,
                                external_id,
                                skip.row,
                                skip.message,
                            )
                        )
            progress("compare", len(orders), len(orders))
            new_items = _new_items(parsed.items, created, updated, tx.items.known_skus())
            if not (new_items or created or updated or cancelled):
                # A re-import of an unchanged file writes nothing at all.
                return self._report(parsed, 0, 0, unchanged, 0, conflicts, duplicate_errors)
            now = self._clock()
            total = len(created) + len(updated)
            progress("write", 0, total)
            tx.items.insert_many(new_items)
            tx.orders.insert_many(created, now)
            progress("write", len(created), total)
            tx.orders.update_content(updated, now)
            # Status only: a cancelled order leaves its package group, as a held one does.
            tx.orders.apply_status_changes(
                [StatusChange(c.order_id, OrderStatus.CANCELLED, None) for c in cancelled], now
            )
            progress("write", total, total)
        return self._report(
            parsed,
            len(created),
            len(updated),
            unchanged,
            len(new_items),
            conflicts,
            duplicate_errors,
            cancelled,
        )

    @staticmethod
    def _report(
        parsed: ParsedOrders,
        created: int,
        updated: int,
        unchanged: int,
        items_created: int,
        conflicts: list[ImportConflict],
        duplicate_errors: list[RowError],
        cancelled: list[CancelledOrder] | None = None,
    ) -> ImportReport:
        errors = tuple(sorted((*parsed.errors, *duplicate_errors), key=lambda e: e.row))
        return ImportReport(
            file=parsed.path,
            preset=parsed.preset,
            rows_read=parsed.rows_read,
            orders_created=created,
            orders_updated=updated,
            orders_unchanged=unchanged,
            items_created=items_created,
            conflicts=tuple(conflicts),
            errors=errors,
            warnings=parsed.warnings,
            cancelled=tuple(cancelled or ()),
        )


#: The source whose orders a preset's skipped rows belong to (generic files have no status).
_PRESET_SOURCES = {
    "kickstarter": SourcePlatform.KICKSTARTER,
    "backerkit": SourcePlatform.BACKERKIT,
    "shopify": SourcePlatform.SHOPIFY,
}


def ensure_writable(target: Path, *, overwrite: bool = False) -> None:
    """Raise AppError when `target` cannot be written (left as it was: created only to test).

    A symlink is refused (it could point at any file), and so is an existing file unless
    `overwrite`.
    """
    if target.is_symlink():
        raise _unwritable(
            target, "it is a symbolic link", "Remove the link (or move the order file)"
        )
    if target.is_file() and not overwrite:
        raise _unwritable(
            target, "the file already exists", "Pass --overwrite to replace it, or move it away"
        )
    existed = target.exists()
    try:
        with target.open("a", encoding="utf-8"):
            pass
        if not existed:
            target.unlink()
    except OSError as exc:
        raise _unwritable(
            target,
            exc.strerror or str(exc),
            "Make the folder writable (or move the order file to one)",
        ) from exc


def _unwritable(target: Path, reason: str, fix: str) -> AppError:
    return AppError(
        f"cannot write the error file {target}: {reason}",
        hint=f"Nothing was imported. {fix}, or leave out --errors-csv.",
        kind=ErrorKind.INVALID_INPUT,
        details={"file": str(target)},
    )


def _cancel_conflict(
    source: SourcePlatform,
    external_id: str,
    known: StoredFingerprint,
    skip: RowError,
    in_flight: str | None = None,
) -> ImportConflict:
    if in_flight is not None:
        return ImportConflict(
            order_id=known.order_id,
            source=source.value,
            external_id=external_id,
            status=known.status.value,
            row=skip.row,
            message=f"order {external_id} is no longer to be shipped ({skip.message}) but "
            f"{in_flight}; it was not cancelled: import again once the buy ended, then refund "
            "its label",
        )
    return ImportConflict(
        order_id=known.order_id,
        source=source.value,
        external_id=external_id,
        status=known.status.value,
        row=skip.row,
        message=f"order {external_id} is no longer to be shipped ({skip.message}) but already "
        f"has a label ({known.status.value}); it was not changed: refund or void the label",
    )


def _with_errors_csv(report: ImportReport, target: Path) -> ImportReport:
    return replace(report, errors_csv=target)


def _as_new(order: Order) -> Order:
    """A new order always starts as imported, whatever the reader filled in."""
    if order.status is OrderStatus.IMPORTED and order.id is None and order.tracking_code is None:
        return order
    return replace(order, status=OrderStatus.IMPORTED, id=None, tracking_code=None)


def _first_of_each(parsed: ParsedOrders) -> tuple[list[Order], list[RowError]]:
    """Keep the first order per (source, external id); later ones are reported, not merged."""
    seen: set[tuple[SourcePlatform, str]] = set()
    kept: list[Order] = []
    errors: list[RowError] = []
    for order in parsed.orders:
        key = (order.source, order.external_id)
        if key in seen:
            errors.append(
                RowError(
                    row=parsed.order_rows.get(order.external_id, 0),
                    column="external_id",
                    message=f"order {order.external_id!r} (first at this row) appears more "
                    "than once in the file; only its first row was imported",
                )
            )
            continue
        seen.add(key)
        kept.append(order)
    return kept, errors


def _conflict(order: Order, known: StoredFingerprint, parsed: ParsedOrders) -> ImportConflict:
    return ImportConflict(
        order_id=known.order_id,
        source=order.source.value,
        external_id=order.external_id,
        status=known.status.value,
        row=parsed.order_rows.get(order.external_id, 0),
        message=f"order {order.external_id} changed in the file but already has a label "
        f"({known.status.value}); the change was not applied",
    )


def _frozen_conflict(
    order: Order, known: StoredFingerprint, parsed: ParsedOrders, frozen: dict[int, str]
) -> ImportConflict:
    return ImportConflict(
        order_id=known.order_id,
        source=order.source.value,
        external_id=order.external_id,
        status=known.status.value,
        row=parsed.order_rows.get(order.external_id, 0),
        message=f"order {order.external_id} changed in the file but {frozen[known.order_id]}; "
        "the change was not applied: import the file again once the buy ended (a bought "
        "order then shows `needs relabel` if its address changed)",
    )


def _new_items(
    file_items: tuple[Item, ...],
    created: list[OrderWrite],
    updated: list[OrderWrite],
    known: set[str],
) -> list[Item]:
    """SKUs the store lacks: the file's own description where it has one, else a bare SKU."""
    new: dict[str, Item] = {}
    for item in file_items:
        if item.sku not in known and item.sku not in new:
            new[item.sku] = item
    for write in (*created, *updated):
        for line in write.order.lines:
            if line.sku not in known and line.sku not in new:
                new[line.sku] = Item(sku=line.sku)
    return list(new.values())
