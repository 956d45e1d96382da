"""Dispatch: read the table, pick the preset, run its reader."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.domain.errors import AppError
from app.domain.gc_pause import cyclic_gc_paused
from app.imports import backerkit, generic, kickstarter, shopify
from app.imports.detect import PRESETS, detect_preset
from app.imports.model import ParsedOrders, RowError
from app.imports.table import read_table


def read_table_as(path: Path, *, preset: str, mapping_path: Path | None) -> ParsedOrders:
    """Read `path` with `preset` ("auto" detects it); see app.imports.read_order_file."""
    # A 100,000-row file allocates millions of objects that all stay alive until the end, and
    # none of them form cycles; the cyclic GC would walk them again and again (measured: 60%
    # of the parse time). Paused for the read, restored after, whatever happens.
    with cyclic_gc_paused():
        return _read(path, preset, mapping_path)


def _read(path: Path, preset: str, mapping_path: Path | None) -> ParsedOrders:
    if preset != "auto" and preset not in PRESETS:
        raise AppError(
            f"unknown preset {preset!r}",
            hint="Use one of: auto, " + ", ".join(PRESETS) + ".",
            details={"preset": preset},
        )
    mapping = generic.load_mapping(mapping_path) if mapping_path is not None else None
    if preset == "generic" and mapping is None:
        raise AppError(
            "the generic preset needs a column mapping",
            hint="Pass --mapping MAPPING.json (see docs: a JSON of file column -> field).",
        )
    table = read_table(path, delimiter=mapping.delimiter if mapping is not None else None)
    chosen = detect_preset(table, has_mapping=mapping is not None) if preset == "auto" else preset
    if chosen == "kickstarter":
        parsed = kickstarter.read_kickstarter(table)
    elif chosen == "shopify":
        parsed = shopify.read_shopify(table)
    elif chosen == "backerkit":
        parsed = backerkit.read_backerkit(table)
    else:
        assert mapping is not None
        parsed = generic.read_generic(table, mapping)
    return _with_lines(parsed, table.lines) if table.lines else parsed


def _with_lines(parsed: ParsedOrders, lines: dict[int, int]) -> ParsedOrders:
    """Every RowError of `parsed` also names its text line where that differs from its row."""

    def located(errors: tuple[RowError, ...]) -> tuple[RowError, ...]:
        return tuple(
            replace(e, line=lines[e.row]) if e.row in lines and not e.line else e for e in errors
        )

    return replace(
        parsed,
        errors=located(parsed.errors),
        warnings=located(parsed.warnings),
        skipped=located(parsed.skipped),
        cancelled_at_source={
            key: located((value,))[0] for key, value in parsed.cancelled_at_source.items()
        },
    )
