"""Guard for the PySide6 pin: Python-side emits must not leak references to True.

PySide6 6.12.0 drops one reference to True per `Signal.emit()` and aborts the interpreter
("bool_dealloc") after a few hundred; pyproject.toml excludes it. This fails on such a build.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Source(QObject):
    changed = Signal(int)


def test_many_emits_keep_true_alive(qapp: object) -> None:
    source = _Source()
    seen: list[int] = []
    source.changed.connect(seen.append)
    before = sys.getrefcount(True)
    for n in range(200):
        source.changed.emit(n)
    assert len(seen) == 200
    assert sys.getrefcount(True) >= before - 5
