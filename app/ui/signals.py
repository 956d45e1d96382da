"""`emit()`: emit a Qt signal from Python without PySide6 6.12's refcount bug on `True`.

PySide6 6.12.0's `SignalInstance.emit()` returns `True` without taking a reference, so each
Python-side emit drops one reference to `True`. On Python 3.11 `True` is not immortal: after a
few hundred emits the interpreter aborts with "Fatal Python error: bool_dealloc". Every emit in
app.ui goes through `emit()`, which measures the leak once and gives the reference back only
when this PySide6 build actually leaks it, so a fixed release needs no change here.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_py_incref = ctypes.pythonapi.Py_IncRef
_py_incref.argtypes = [ctypes.py_object]
_py_incref.restype = None


class _Probe(QObject):
    pinged = Signal()


def _measure_leak() -> int:
    """References to `True` lost per `emit()` call on this PySide6 (0 when fixed)."""
    probe = _Probe()
    rounds = 8
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.pinged.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:
        for _ in range(lost):
            _py_incref(True)
    probe.deleteLater()
    return lost // rounds if lost % rounds == 0 else 0


TRUE_REFS_LOST_PER_EMIT = _measure_leak()


def emit(signal: Any, *args: object) -> None:
    """`signal.emit(*args)`, compensating the leaked reference where PySide6 leaks one."""
    signal.emit(*args)
    for _ in range(TRUE_REFS_LOST_PER_EMIT):
        _py_incref(True)
