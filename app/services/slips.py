"""Packing slips for a batch or some package groups: one page per order, with its barcode."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address, OrderStatus
from app.domain.slips import PackingSlip, SlipDecor, SlipLine
from app.services.bulk import cyclic_gc_paused
from app.store import Store
from app.store.documents_repo import OrderScope

#: Orders a group's slips cover: still to be packed (not yet shipped, not cancelled).
TO_PACK = (
    OrderStatus.READY_TO_SHIP.value,
    OrderStatus.LABEL_PURCHASED.value,
    OrderStatus.PRINTED.value,
)


def slip_decor(other_settings: dict[str, Any]) -> SlipDecor:
    """The logo and note saved in the profile's settings (section "documents")."""
    section = other_settings.get("documents") or {}
    if not isinstance(section, dict):
        return SlipDecor()
    return SlipDecor(
        logo_path=str(section.get("slip_logo") or ""), note=str(section.get("slip_note") or "")
    )


class PackingSlipService:
    """Builds packing slips from the store and writes them as one PDF."""

    def __init__(self, store: Store, decor: Callable[[], SlipDecor] = SlipDecor) -> None:
        self._store = store
        self._decor = decor

    def slips(
        self,
        *,
        batch: str | None = None,
        group_ids: Sequence[str] | None = None,
        order_ids: Sequence[int] | None = None,
    ) -> list[PackingSlip]:
        """The slips of a batch's orders, or of the to-pack orders of some groups or orders.

        Raises:
            AppError: INVALID_INPUT when nothing is chosen, NOT_FOUND for an unknown batch.
        """
        if not (batch or group_ids or order_ids):
            raise AppError(
                "Choose the orders to print packing slips for.",
                hint="Pass --batch B, or one or more --group G.",
                kind=ErrorKind.INVALID_INPUT,
            )
        with cyclic_gc_paused(), self._store.transaction() as tx:
            if batch:
                batch_id = tx.documents.batch_id(batch)
                if batch_id is None:
                    raise AppError(
                        f"There is no batch {batch}.",
                        hint="See `packdesk-cli batches` for the batch references.",
                        kind=ErrorKind.NOT_FOUND,
                        details={"batch": batch},
                    )
                scope = OrderScope(batch_id=batch_id)
            else:
                scope = OrderScope(
                    statuses=TO_PACK,
                    group_ids=tuple(group_ids) if group_ids else None,
                    order_ids=tuple(order_ids) if order_ids else None,
                )
            names = {sku: item.name for sku, item in tx.items.by_sku().items()}
            lines = tx.documents.lines(scope)
            labels = tx.documents.live_labels(scope)
            slips = []
            for brief in tx.documents.orders(scope):
                tracking, batch_ref = labels.get(brief.id, ("", ""))
                slips.append(
                    PackingSlip(
                        order_id=brief.id,
                        external_id=brief.external_id,
                        recipient=Address(
                            name=brief.name,
                            street1=brief.street1,
                            city=brief.city,
                            postal_code=brief.postal_code,
                            country=brief.country,
                            company=brief.company,
                            street2=brief.street2,
                            state=brief.state,
                        ),
                        lines=tuple(
                            SlipLine(qty, sku, names.get(sku, ""))
                            for sku, qty in lines.get(brief.id, ())
                        ),
                        group_id=brief.group_id,
                        batch=batch_ref,
                        tracking_code=tracking,
                    )
                )
        slips.sort(key=lambda slip: slip.order_id)  # the order labels print in
        return slips

    def write(
        self,
        path: Path,
        *,
        batch: str | None = None,
        group_ids: Sequence[str] | None = None,
        order_ids: Sequence[int] | None = None,
        paper: str = "letter",
        overwrite: bool = False,
    ) -> int:
        """Write the slips as one PDF at `path`; return the number of pages (one per order)."""
        slips = self.slips(batch=batch, group_ids=group_ids, order_ids=order_ids)
        with cyclic_gc_paused():
            # reportlab loads when a PDF is written, not with the window (~70 ms at start)
            from app.documents import slips_pdf

            slips_pdf.write(slips, path, decor=self._decor(), paper=paper, overwrite=overwrite)
        return len(slips)
