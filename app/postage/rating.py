"""Rate quotes for many orders: identical requests asked once, bounded concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Protocol

from app.domain.deadline import in_scope
from app.domain.errors import AppError
from app.postage.models import RateRequest, ShipmentQuote

#: progress(done, total): unique requests answered so far, and how many there are.
ProgressCallback = Callable[[int, int], None]


class RateSource(Protocol):
    """What the quoter needs of a gateway."""

    def quote(self, request: RateRequest) -> ShipmentQuote: ...


@dataclass(frozen=True, slots=True)
class QuoteOutcome:
    """The answer for one request: a quote, or the AppError EasyPost gave for it.

    `shared` is True when the quote was asked for another request with the same key: its
    shipment belongs to that request, so quote from it but never buy it for this one.
    """

    request: RateRequest
    quote: ShipmentQuote | None = None
    error: AppError | None = None
    shared: bool = False

    @property
    def ok(self) -> bool:
        return self.quote is not None


class RateQuoter:
    """Quotes many RateRequests through one gateway.

    Requests with the same `key` are asked once (within a call and, with `remember=True`,
    across calls of this quoter). At most `concurrency` requests are in flight; 429s are
    handled by the gateway's shared back-off, so every worker slows down together.
    """

    def __init__(
        self,
        gateway: RateSource,
        *,
        concurrency: int = 8,
        remember: bool = True,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._gateway = gateway
        self.concurrency = concurrency
        self._remember = remember
        self._cache: dict[Hashable, ShipmentQuote] = {}
        self._lock = threading.Lock()
        self.requests_sent = 0

    def quote_many(
        self,
        requests: Sequence[RateRequest],
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> list[QuoteOutcome]:
        """One outcome per request, in the order given. Errors are returned, not raised.

        A set `cancel` event stops issuing new requests; those not asked get an outcome
        with neither quote nor error.
        """
        first_by_key: dict[Hashable, RateRequest] = {}
        for request in requests:
            first_by_key.setdefault(request.key, request)
        answers: dict[Hashable, ShipmentQuote | AppError] = {}
        todo: list[tuple[Hashable, RateRequest]] = []
        cached_keys: set[Hashable] = set()
        with self._lock:
            for key, request in first_by_key.items():
                cached = self._cache.get(key)
                if cached is not None:
                    answers[key] = cached
                    cached_keys.add(key)
                else:
                    todo.append((key, request))
        total = len(first_by_key)
        done = total - len(todo)
        if progress is not None:
            progress(done, total)

        # Set by `cancel` or when the caller is interrupted (Ctrl+C): no new request goes out.
        stop = cancel if cancel is not None else threading.Event()

        def ask(request: RateRequest) -> ShipmentQuote | AppError | None:
            if stop.is_set():
                return None
            with self._lock:
                self.requests_sent += 1
            try:
                return self._gateway.quote(request)
            except AppError as error:
                return error

        if todo:
            workers = min(self.concurrency, len(todo))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rates") as pool:
                # in_scope: the workers see the caller's deadline (app.domain.deadline).
                ask_here = in_scope(ask)
                futures = {pool.submit(ask_here, request): key for key, request in todo}
                try:
                    for future in as_completed(futures):
                        key = futures[future]
                        answer = future.result()
                        if answer is None:
                            continue
                        answers[key] = answer
                        if isinstance(answer, ShipmentQuote) and self._remember:
                            with self._lock:
                                self._cache[key] = answer
                        done += 1
                        if progress is not None:
                            progress(done, total)
                except BaseException:
                    # Ctrl+C (or a progress callback that raised): leaving the pool waits for
                    # its workers, so let them end now instead of sending every queued request.
                    stop.set()
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise

        outcomes: list[QuoteOutcome] = []
        for request in requests:
            answer_for = answers.get(request.key)
            shared = request.key in cached_keys or first_by_key[request.key] is not request
            if isinstance(answer_for, ShipmentQuote):
                outcomes.append(QuoteOutcome(request, quote=answer_for, shared=shared))
            elif isinstance(answer_for, AppError):
                outcomes.append(QuoteOutcome(request, error=answer_for, shared=shared))
            else:
                outcomes.append(QuoteOutcome(request))
        return outcomes

    def forget(self) -> None:
        """Drop remembered quotes (e.g. at the start of a new day, or after a rate change)."""
        with self._lock:
            self._cache.clear()
