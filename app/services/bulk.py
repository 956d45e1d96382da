"""Helpers for bulk work over 100k orders (the GC pause lives in app.domain.gc_pause)."""

from __future__ import annotations

from app.domain.gc_pause import cyclic_gc_paused

__all__ = ["cyclic_gc_paused"]
