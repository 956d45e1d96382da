"""A collaborator built on first use, e.g. the EasyPost gateway, which needs an API key."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    """Holds a ready object or a zero-argument function that builds it on the first `get()`.

    A service that only sometimes needs the gateway takes it this way, so listing what is
    stored works without an API key; a build that fails (no key) is tried again next time.
    """

    def __init__(self, source: T | Callable[[], T]) -> None:
        self._build: Callable[[], T] | None = source if callable(source) else None
        self._value: T | None = None if callable(source) else source
        self._lock = threading.Lock()

    def get(self) -> T:
        """The object, built now if it was not yet (errors of the build propagate)."""
        with self._lock:
            if self._value is None:
                assert self._build is not None
                self._value = self._build()
            return self._value
