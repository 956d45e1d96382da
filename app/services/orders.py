"""Order service: list orders and mark them ready, on hold or released."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pycountry

from app.domain.errors import AppError, ErrorKind
from app.domain.limits import record_id
from app.domain.order_flow import StatusAction, is_already_done, next_status, refusal_reason
from app.domain.order_freeze import FROZEN_HINT
from app.domain.orders import Order, OrderStatus, SourcePlatform
from app.services.bulk import cyclic_gc_paused
from app.services.clock import Clock, utc_now
from app.services.order_freeze import frozen_orders
from app.store import StatusChange, StatusRow, Store, StoreTransaction
from app.store.order_list_repo import OrderSummary

_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class OrderSelection:
    """Which orders a status change is for: all of them, one country's, or named ones.

    `refs` name orders as the GUI shows them: the source's own number (`1234`),
    `source:number` when two sources share it (`kickstarter:1234`), or `id:N` (the local id).
    """

    all: bool = False
    country: str | None = None
    refs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        chosen = sum((self.all, self.country is not None, bool(self.refs)))
        if chosen != 1:
            raise AppError(
                "Choose the orders: all of them, one country, or order ids.",
                hint="Use --all, --country XX or --order ID [ID ...].",
            )


@dataclass(frozen=True, slots=True)
class StatusChangeReport:
    """What a ready/hold/release did."""

    action: StatusAction
    changed: tuple[int, ...]
    already: int  # orders that were already where the action puts them
    skipped: int  # orders the action does not apply to (only with --all / --country)
    in_flight: int = 0  # of the skipped: a label purchase is in flight (app.domain.order_freeze)


class OrderService:
    """Orders as packers see them, and the status changes they make by hand."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def list_orders(self, status: OrderStatus | None = None) -> list[Order]:
        with cyclic_gc_paused(), self._store.transaction() as tx:
            return tx.orders.find(status=status)

    def list_summaries(self) -> list[OrderSummary]:
        """Every order as the Orders list shows it: flat rows, fast and small at 100,000."""
        with cyclic_gc_paused(), self._store.transaction() as tx:
            return tx.order_list.summaries()

    def first_summaries(self, limit: int) -> list[OrderSummary]:
        """The first `limit` orders by order number: the Orders list's first screen, read
        before the whole list (close to its sort; the list checks it when the rest arrives)."""
        with self._store.transaction() as tx:
            return tx.order_list.first_by_number(limit)

    def status_counts(self) -> dict[OrderStatus, int]:
        """How many orders are in each status (one GROUP BY, cheap at 100,000 orders)."""
        counts: dict[OrderStatus, int] = {}
        with self._store.transaction() as tx:
            for status, _held_from, count in tx.orders.status_counts():
                counts[status] = counts.get(status, 0) + count
        return counts

    def colliding_numbers(self) -> set[str]:
        """Order numbers two sources share: shown (and typed) as source:number."""
        with self._store.transaction() as tx:
            return tx.order_numbers.colliding()

    def get_order(self, ref: str) -> Order:
        """One order by id or `source:external_id`; AppError NOT_FOUND when unknown."""
        with self._store.transaction() as tx:
            order_id = self._resolve(tx, (ref,))[0]
            order = tx.orders.get(order_id)
            assert order is not None
            return order

    def change_status(self, action: StatusAction, selection: OrderSelection) -> StatusChangeReport:
        """Apply `action` to the selected orders in one transaction.

        Named orders must all qualify (else nothing changes and AppError says which and why);
        with --all or --country the orders the action does not apply to are skipped.
        """
        with self._store.transaction(write=True) as tx:
            if not selection.refs:
                return self._change_in_bulk(tx, action, selection)
            ids = self._resolve(tx, selection.refs)
            rows = tx.orders.status_rows(order_ids=ids)
            frozen = frozen_orders(tx, ids)
            if frozen:
                raise _frozen(action, frozen)
            refused = [
                row
                for row in rows
                if next_status(action, row.status) is None
                and not is_already_done(action, row.status)
            ]
            if refused:
                raise _refused(action, refused)
            changes: list[StatusChange] = []
            already = 0
            for row in rows:
                target = next_status(action, row.status, row.held_from)
                if target is None:
                    already += 1
                    continue
                held_from = row.status if action is StatusAction.HOLD else None
                changes.append(StatusChange(row.order_id, target, held_from))
            if changes:
                tx.orders.apply_status_changes(changes, self._clock())
        return StatusChangeReport(action, tuple(change.order_id for change in changes), already, 0)

    def _change_in_bulk(
        self, tx: StoreTransaction, action: StatusAction, selection: OrderSelection
    ) -> StatusChangeReport:
        """--all / --country: one UPDATE per (status, held-from) pair instead of one per order."""
        country = _country(selection.country) if selection.country else None
        now = self._clock()
        changed: list[int] = []
        already = skipped = in_flight = 0
        # Orders a buy has in flight are left as they are (skipped), never changed under it.
        frozen = frozen_orders(tx)
        for status, held_from, count in tx.orders.status_counts(country=country):
            target = next_status(action, status, held_from)
            if target is None:
                if is_already_done(action, status):
                    already += count
                else:
                    skipped += count
                continue
            moved = tx.orders.move_status(
                status=status,
                held_from=held_from,
                to_status=target,
                to_held_from=status if action is StatusAction.HOLD else None,
                now=now,
                country=country,
                exclude=frozen.keys(),
            )
            changed += moved
            skipped += count - len(moved)
            in_flight += count - len(moved)
        return StatusChangeReport(action, tuple(sorted(changed)), already, skipped, in_flight)

    def resolve_refs(self, refs: Sequence[str]) -> list[int]:
        """Local ids of the orders `refs` name, as the GUI shows them: the source's own number
        ('71', '#1001'), `source:number` when two sources share it, or `id:N` (the local id).

        Raises:
            AppError: NOT_FOUND for unknown orders, CONFLICT when a number is in two sources.
        """
        with self._store.transaction() as tx:
            return self._resolve(tx, refs)

    @staticmethod
    def _resolve(tx: StoreTransaction, refs: Sequence[str]) -> list[int]:
        """Local ids of `refs`, in order, without repeats; AppError when any is unknown."""
        local: list[int] = []
        external: list[tuple[str, str]] = []
        numbers: list[str] = []
        malformed: list[str] = []
        for ref in refs:
            text = ref.strip()
            prefix, colon, rest = text.partition(":")
            if colon and prefix.lower() == "id" and rest.isdigit():
                local.append(record_id(rest, what=f"order {text}"))
            elif colon:
                if prefix.lower() not in {s.value for s in SourcePlatform} or not rest:
                    malformed.append(ref)
                else:
                    external.append((prefix.lower(), rest))
            elif text:
                numbers.append(text)
            else:
                malformed.append(ref)
        if malformed:
            raise AppError(
                f"Not an order number: {', '.join(malformed)}.",
                hint="Use the order number the Orders panel and `packdesk-cli orders` show "
                "(e.g. 71), or source:number (e.g. kickstarter:71) when two sources share it.",
                details={"refs": malformed},
            )
        found_ids = {row.order_id for row in tx.orders.status_rows(order_ids=local)}
        by_external = tx.orders.ids_by_external(external)
        # '#1001' and '1001' name the same Shopify order: look both spellings up.
        spellings = {n: (n, n[1:] if n.startswith("#") else f"#{n}") for n in numbers}
        by_number = tx.order_numbers.by_number({s for pair in spellings.values() for s in pair})
        ordered: list[int] = []
        unknown: list[str] = []
        clashes: list[str] = []
        for ref in refs:
            text = ref.strip()
            prefix, colon, rest = text.partition(":")
            if colon and prefix.lower() == "id":
                if int(rest) in found_ids:
                    ordered.append(int(rest))
                else:
                    unknown.append(text)
            elif colon:
                key = (prefix.lower(), rest)
                if key in by_external:
                    ordered.append(by_external[key])
                else:
                    unknown.append(text)
            else:
                first, other = spellings[text]
                hits = by_number.get(first) or by_number.get(other) or []
                if len(hits) == 1:
                    ordered.append(hits[0][0])
                elif hits:
                    clashes.extend(f"{source}:{text}" for _id, source in hits)
                else:
                    unknown.append(text)
        if clashes:
            raise AppError(
                f"More than one source has that order number: {', '.join(clashes)}.",
                hint=f"Say which one, e.g. --order {clashes[0]}.",
                kind=ErrorKind.CONFLICT,
                details={"refs": clashes},
            )
        if unknown:
            raise AppError(
                f"Unknown order{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
                hint="Nothing was changed. Order numbers are the ones the Orders panel and "
                "`packdesk-cli orders` show.",
                kind=ErrorKind.NOT_FOUND,
                details={"unknown": unknown},
            )
        return list(dict.fromkeys(ordered))


def _country(value: str) -> str:
    code = value.strip().upper()
    if not _COUNTRY.match(code):
        raise AppError(
            f"{value!r} is not a two-letter country code.",
            hint="Use ISO-3166 alpha-2, e.g. US, CA, DE.",
            details={"country": value},
        )
    if pycountry.countries.get(alpha_2=code) is None:
        # A well-formed but unassigned code (ZZ) would silently match no order at all.
        raise AppError(
            f"{value!r} is not a country code.",
            hint="Use an assigned ISO-3166 alpha-2 code, e.g. US, CA, DE.",
            kind=ErrorKind.INVALID_INPUT,
            details={"country": value},
        )
    return code


def _frozen(action: StatusAction, frozen: Mapping[int, str]) -> AppError:
    ids = sorted(frozen)
    reasons = [f"{order_id} ({frozen[order_id]})" for order_id in ids[:10]]
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    return AppError(
        f"Cannot {action.value} order{'s' if len(ids) > 1 else ''} {'; '.join(reasons)}{more}.",
        hint=f"Nothing was changed. {FROZEN_HINT}",
        kind=ErrorKind.CONFLICT,
        details={"orders": ids, "frozen": True},
    )


def _refused(action: StatusAction, rows: list[StatusRow]) -> AppError:
    reasons = [f"{row.order_id} ({refusal_reason(action, row.status)})" for row in rows[:10]]
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return AppError(
        f"Cannot {action.value} order{'s' if len(rows) > 1 else ''} {'; '.join(reasons)}{more}.",
        hint="Nothing was changed. Leave those orders out and try again.",
        kind=ErrorKind.CONFLICT,
        details={"orders": [row.order_id for row in rows]},
    )
