"""Generic CSV with a column mapping (work in progress)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import AppError
from app.imports.model import ParsedOrders
from app.imports.table import Table


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """A saved column mapping."""

    delimiter: str | None = None


def load_mapping(path: Path) -> ColumnMapping:
    """Not yet available."""
    raise AppError("column mappings are not available yet", details={"file": str(path)})


def read_generic(table: Table, mapping: ColumnMapping) -> ParsedOrders:
    """Not yet available."""
    raise AppError("the generic preset is not available yet")
