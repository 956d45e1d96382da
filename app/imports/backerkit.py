"""backerkit order exports (work in progress)."""

from __future__ import annotations

from app.domain.errors import AppError
from app.imports.model import ParsedOrders
from app.imports.table import Table


def matches(keys: frozenset[str]) -> bool:
    """True when a header looks like this preset."""
    return False


def read_backerkit(table: Table) -> ParsedOrders:
    """Not yet available."""
    raise AppError("the backerkit preset is not available yet")
