"""Bulk work over many orders: the one cyclic-GC pause lives in app.domain.gc_pause."""

from __future__ import annotations

from app.domain.gc_pause import cyclic_gc_paused, freeze_bulk_loads

__all__ = ["cyclic_gc_paused", "freeze_bulk_loads"]
