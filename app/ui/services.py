"""ContextServices: the context's services for panels, resolved on first use in a worker.

The context builds services lazily, and building one opens (and may migrate) the database or
starts the sandbox: that must not happen on the GUI thread, and two workers must not build the
same thing at once. So panels get `deferred` stand-ins that resolve on first attribute access
(always inside a TaskRunner task), all under one lock per context.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from app.bootstrap import AppContext
from app.services.lazy import Lazy

S = TypeVar("S")


class _Deferred(Generic[S]):
    """Stands in for a service; resolves it once, on first attribute access (app.services.lazy
    does the once-under-a-lock part, as it does for the services' own lazy collaborators)."""

    def __init__(self, resolve: Callable[[], S]) -> None:
        self._lazy: Lazy[S] = Lazy(resolve)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lazy.get(), name)


def deferred(resolve: Callable[[], S]) -> S:
    """A stand-in for the service `resolve()` returns, built on first use (in a worker)."""
    return cast(S, _Deferred(resolve))


class ContextServices:
    """One lock for the whole context: the first service built opens the store for all."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._opening = threading.RLock()

    def get(self, name: str) -> Any:
        """The context's attribute `name`, built under the lock. Call it on a worker only."""
        with self._opening:
            return getattr(self.ctx, name)

    def deferred(self, name: str) -> Any:
        return deferred(lambda: self.get(name))

    def call(self, build: Callable[[AppContext], S]) -> S:
        """Run `build(ctx)` under the lock (for things made from several context parts)."""
        with self._opening:
            return build(self.ctx)
