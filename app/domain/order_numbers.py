"""The one order number people see: the source's own number, with the source only on a clash."""

from __future__ import annotations

from collections.abc import Collection


def order_number(source: str, external_id: str, colliding: Collection[str] = ()) -> str:
    """'71' (the backer or order number the source gave), or 'shopify:71' when two sources
    both have an order 71; the CLI's --order takes either spelling."""
    return f"{source}:{external_id}" if external_id in colliding else external_id
