"""The one order number people see: the source's own number, with the source only on a clash."""

from __future__ import annotations

from collections.abc import Collection, Iterable


def order_number(source: str, external_id: str, colliding: Collection[str] = ()) -> str:
    """'71' (the backer or order number the source gave), or 'shopify:71' when two sources
    both have an order 71; the CLI's --order takes either spelling."""
    return f"{source}:{external_id}" if external_id in colliding else external_id


def colliding_numbers(orders: Iterable[tuple[str, str]]) -> set[str]:
    """The external ids that more than one source uses, among (source, external id) pairs."""
    sources: dict[str, str] = {}
    clashing: set[str] = set()
    for source, external_id in orders:
        first = sources.setdefault(external_id, source)
        if first != source:
            clashing.add(external_id)
    return clashing


def natural_key(text: str) -> tuple[int, int, str]:
    """Sort key that puts order numbers in number order ("9" before "10"), text after them."""
    stripped = text.lstrip("#")
    if stripped.isdigit():
        return (0, int(stripped), text)
    return (1, 0, text.casefold())
