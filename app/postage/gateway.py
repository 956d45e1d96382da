"""The EasyPost gateway: typed operations over the official client, with safe retries.

Retry rules (the client's own retries are switched off, so these are the only ones):

* 429 is retried for every call, after the shared back-off: EasyPost refused the request, so
  nothing happened on its side.
* A request that never left (connection refused, DNS) is retried for every call.
* After a lost answer (timeout, reset, 5xx) only calls that are safe to repeat are retried:
  reads (retrieve, list, label conversion) and creations of free objects (address, parcel,
  shipment for rates, tracker, pickup request). Repeating a shipment create makes a second,
  unbought shipment: it costs nothing and the caller keeps only the id it got back.
* Buying is never simply repeated. After a lost answer the shipment is retrieved: if it has a
  label, that label is returned (`reconciled=True`); if not, the buy is sent again, which
  cannot buy twice because EasyPost sells one label per shipment (a second buy is refused and
  answered by another retrieve). Once any attempt's answer was lost, a failed buy is raised
  as "unknown" even when a later attempt was refused (422, 402, 429s, not sent): the lost
  one may still commit. Refunds, batch and SCAN form creation, pickup buys: after a
  lost answer the error is raised with `details["outcome"] == "unknown"`; callers look first.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from app.domain.deadline import active_deadline
from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.postage import ep
from app.postage.errors import Outcome, classify, to_app_error
from app.postage.models import (
    LABEL_FORMATS,
    BatchInfo,
    CustomsSpec,
    ParcelSpec,
    PickupInfo,
    PurchasedLabel,
    Rate,
    RateRequest,
    RefundStatus,
    ScanFormInfo,
    ShipmentOptions,
    ShipmentQuote,
    ShipmentRecord,
    TrackerInfo,
    VerifiedAddress,
)
from app.postage.parsing import (
    parse_batch,
    parse_pickup,
    parse_purchased_label,
    parse_rates,
    parse_refund,
    parse_scan_form,
    parse_shipment_quote,
    parse_shipment_record,
    parse_tracker,
    parse_verified_address,
    plain,
)
from app.postage.ratelimit import RetryPolicy, SharedBackoff

log = logging.getLogger(__name__)

PRODUCTION_API_BASE = "https://api.easypost.com/v2"
_T = TypeVar("_T")


class Safety(Enum):
    """May a call be sent again after its answer was lost?"""

    READ = "read"  # yes: nothing changes
    FREE_CREATE = "free_create"  # yes: a duplicate is a harmless, unbought object
    UNSAFE = "unsafe"  # no: money or a one-time state change; look before retrying


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """Where and how the gateway talks to EasyPost. Timeouts are seconds."""

    api_base: str = PRODUCTION_API_BASE
    connect_timeout: float = 5.0
    read_timeout: float = 20.0  # GETs: retried, so they can give up sooner
    write_timeout: float = 60.0  # POSTs: EasyPost's own operations can take up to 90 s
    pool_size: int = 32  # connections kept per host; >= the largest concurrency used
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    buy_attempts: int = 3


def is_loopback(url: str) -> bool:
    """True for http(s)://localhost or a loopback IP (proxies must never see those calls)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _DeadlineSession(requests.Session):
    """Caps each request's socket timeouts at the time left to the active phase's deadline."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        deadline = active_deadline()
        if deadline is not None:
            left = max(0.05, deadline.remaining())
            timeout = kwargs.get("timeout")
            if isinstance(timeout, tuple):
                kwargs["timeout"] = tuple(min(float(t), left) for t in timeout)
            else:
                kwargs["timeout"] = min(float(timeout), left) if timeout else left
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


def _session(api_base: str, pool_size: int) -> requests.Session:
    session = _DeadlineSession()
    # Loopback (the sandbox) must ignore HTTP(S)_PROXY; a real EasyPost call may need it.
    session.trust_env = not is_loopback(api_base)
    # No transport retries: a GET retried by urllib3 hides timeouts, and the gateway decides.
    adapter = requests.adapters.HTTPAdapter(
        max_retries=0, pool_connections=4, pool_maxsize=pool_size
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class EasyPostGateway:
    """Every EasyPost operation Packdesk uses, returning frozen dataclasses, raising AppError.

    Thread-safe: one instance is shared by every worker thread (one connection pool, one
    back-off). The API key is held by the easypost client objects only, never logged.
    """

    def __init__(
        self,
        api_key: str,
        config: GatewayConfig | None = None,
        *,
        backoff: SharedBackoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key:
            raise AppError(
                "No EasyPost API key is set.",
                hint="Set one with 'packdesk-cli key set' (or $EASYPOST_API_KEY).",
                kind=ErrorKind.AUTH,
            )
        self.config = config or GatewayConfig()
        self.backoff = backoff or SharedBackoff(self.config.retry, sleep=sleep)
        self._sleep = sleep
        self._session = _session(self.config.api_base, self.config.pool_size)
        connect = self.config.connect_timeout
        self._reads = self._client(api_key, (connect, self.config.read_timeout))
        self._writes = self._client(api_key, (connect, self.config.write_timeout))
        self._lock = threading.Lock()
        self.calls = 0  # requests sent (for benchmarks)

    def _client(self, api_key: str, timeout: tuple[float, float]) -> Any:
        client = ep.EasyPostClient(api_key, api_base=self.config.api_base)
        # The client passes `timeout` straight to requests, which takes (connect, read).
        client.timeout = timeout  # type: ignore[assignment]
        # Private but stable since v8: the only way to set proxies and retries (reference §1.1).
        client._requests_session = self._session
        return client

    @property
    def api_base(self) -> str:
        return self.config.api_base

    def __repr__(self) -> str:  # never show the key
        return f"EasyPostGateway(api_base={self.config.api_base!r})"

    def close(self) -> None:
        self._session.close()

    # -----------------------------------------------------------------------------------------
    # the one place that calls easypost

    def _call(
        self,
        operation: str,
        fn: Callable[[], _T],
        *,
        safety: Safety,
        reference: str = "",
        details: dict[str, object] | None = None,
    ) -> _T:
        rate_limited = 0
        failures = 0
        deadline = active_deadline()
        while True:
            self.backoff.wait()
            if deadline is not None:
                # The phase's deadline (or cancel): no new call, no retry once it has passed.
                deadline.check(operation)
            try:
                with self._lock:
                    self.calls += 1
                result = fn()
            except ep.EasyPostError as error:
                outcome = classify(error)
                if outcome is Outcome.RATE_LIMITED:
                    rate_limited += 1
                    delay = self.backoff.rate_limited()
                    log.info("429 on %s; backing off %.2fs", operation, delay)
                    if rate_limited < self.config.retry.rate_limit_attempts:
                        continue
                elif outcome is Outcome.NOT_SENT or (
                    outcome is Outcome.UNKNOWN and safety is not Safety.UNSAFE
                ):
                    failures += 1
                    if failures <= self.config.retry.safe_retry_attempts:
                        log.info("%s failed (%s); retry %d", operation, outcome.value, failures)
                        self.backoff.pause(failures)
                        continue
                raise to_app_error(
                    error, operation=operation, reference=reference, details=details
                ) from error
            self.backoff.succeeded()
            return result

    # -----------------------------------------------------------------------------------------
    # addresses, parcels, customs

    def create_address(
        self, address: Address, *, verify: bool = False, strict: bool = False
    ) -> VerifiedAddress:
        """Store an address; `verify` reports problems, `strict` refuses them (422 -> ADDRESS)."""
        params = _address_params(address)
        result = self._call(
            "verify the address" if (verify or strict) else "create the address",
            lambda: self._writes.address.create(
                verify=verify or None, verify_strict=strict or None, **params
            ),
            safety=Safety.FREE_CREATE,
            details={"address": _address_label(address)},
        )
        return parse_verified_address(result, sent=address)

    def verify_address(self, address: Address, *, strict: bool = False) -> VerifiedAddress:
        """Verify an address (delivery verification); corrections and field errors included."""
        return self.create_address(address, verify=True, strict=strict)

    def create_parcel(self, parcel: ParcelSpec) -> str:
        """Create a parcel; returns its `prcl_` id."""
        result = self._call(
            "create the parcel",
            lambda: self._writes.parcel.create(**parcel.to_params()),
            safety=Safety.FREE_CREATE,
        )
        return str(plain(result)["id"])

    def create_customs_info(self, customs: CustomsSpec, *, reference: str = "") -> str:
        """Create a customs declaration; returns its `cstinfo_` id."""
        result = self._call(
            "create the customs form",
            lambda: self._writes.customs_info.create(**customs.to_params()),
            safety=Safety.FREE_CREATE,
            reference=reference,
        )
        return str(plain(result)["id"])

    # -----------------------------------------------------------------------------------------
    # shipments and rates

    def create_shipment(
        self,
        *,
        to_address: Address,
        from_address: Address | str,
        parcel: ParcelSpec,
        options: ShipmentOptions | None = None,
        customs: CustomsSpec | None = None,
        reference: str = "",
    ) -> ShipmentQuote:
        """Create a shipment and get its rates. `from_address` may be an `adr_` id."""
        opts = options or ShipmentOptions(print_custom_1=reference)
        params: dict[str, object] = {
            "to_address": _address_params(to_address),
            "from_address": {"id": from_address}
            if isinstance(from_address, str)
            else _address_params(from_address),
            "parcel": parcel.to_params(),
            "options": opts.to_params(),
        }
        if customs is not None:
            params["customs_info"] = customs.to_params()
        if reference:
            params["reference"] = reference
        result = self._call(
            "get rates",
            lambda: self._writes.shipment.create(**params),
            safety=Safety.FREE_CREATE,
            reference=reference,
            details={"to": _address_label(to_address)},
        )
        return parse_shipment_quote(result)

    def quote(self, request: RateRequest) -> ShipmentQuote:
        """Rates for a RateRequest (creates a shipment)."""
        return self.create_shipment(
            to_address=request.to_address,
            from_address=request.from_address,
            parcel=request.parcel,
            options=request.options,
            customs=request.customs,
            reference=request.reference,
        )

    def regenerate_rates(self, shipment_id: str) -> tuple[Rate, ...]:
        """Fresh rates for an existing (unbought) shipment."""
        result = self._call(
            "regenerate rates",
            lambda: self._writes.shipment.regenerate_rates(shipment_id),
            safety=Safety.FREE_CREATE,
            details={"shipment_id": shipment_id},
        )
        return parse_rates(plain(result).get("rates"))

    def retrieve_shipment(self, shipment_id: str) -> ShipmentRecord:
        result = self._call(
            "look up the shipment",
            lambda: self._reads.shipment.retrieve(shipment_id),
            safety=Safety.READ,
            details={"shipment_id": shipment_id},
        )
        return parse_shipment_record(result)

    def reconcile(self, shipment_id: str) -> ShipmentRecord:
        """What EasyPost holds for a shipment whose buy answer was lost (label or none)."""
        result = self._call(
            "reconcile the shipment",
            lambda: self._reads.shipment.retrieve(shipment_id),
            safety=Safety.READ,
            details={"shipment_id": shipment_id},
        )
        return parse_shipment_record(result, reconciled=True)

    def buy(
        self,
        shipment_id: str,
        rate_id: str,
        *,
        insurance: Decimal | None = None,
        reference: str = "",
        label_format: str | None = None,
    ) -> PurchasedLabel:
        """Buy `rate_id` for `shipment_id`; never buys twice (see the module docstring).

        Raises:
            AppError: PAYMENT, RATE, ... when EasyPost refuses; NETWORK with
                details["outcome"] == "unknown" when neither the buy nor a look-up got through,
                or when any attempt's answer was lost and no label shows yet, whatever later
                attempts were told (call `reconcile(shipment_id)` later: the purchase may
                still go through; EasyPost can take up to 90 s).
        """
        details: dict[str, object] = {"shipment_id": shipment_id, "rate_id": rate_id}
        params: dict[str, object] = {"rate": {"id": rate_id}}
        if insurance is not None:
            params["insurance"] = f"{insurance:.2f}"
        attempts = 0
        # Once one attempt's answer was lost, EasyPost may still commit that buy (its docs
        # allow up to 90 s): no later refusal can prove nothing was bought.
        answer_lost = False
        while True:
            attempts += 1
            try:
                result = self._call(
                    "buy the label",
                    lambda: self._writes.shipment.buy(shipment_id, **params),
                    safety=Safety.UNSAFE,
                    reference=reference,
                    details=details,
                )
            except AppError as error:
                outcome = error.details.get("outcome")
                payment_refused = (
                    outcome == Outcome.REJECTED.value and error.kind is ErrorKind.PAYMENT
                )
                if payment_refused and not answer_lost:
                    raise
                answer_lost = answer_lost or outcome == Outcome.UNKNOWN.value
                # Lost answer, or a refusal that may mean "already bought": look first.
                label = self._label_after_failed_buy(
                    shipment_id, label_format, error, answer_lost=answer_lost
                )
                if label is not None:
                    log.warning("buy of %s reconciled: label %s", shipment_id, label.tracking_code)
                    return label
                if outcome == Outcome.UNKNOWN.value and attempts < self.config.buy_attempts:
                    log.warning("buy of %s not committed; buying again", shipment_id)
                    continue
                if not answer_lost or outcome == Outcome.UNKNOWN.value:
                    raise
                raise AppError(
                    "An earlier purchase attempt may still go through at EasyPost; the retry "
                    f"was refused ({error.message})",
                    hint="Nothing will be bought twice: reconcile this shipment in a few "
                    "minutes, before retrying the order.",
                    kind=ErrorKind.NETWORK,
                    details={
                        **error.details,
                        "outcome": Outcome.UNKNOWN.value,
                        "last_attempt_outcome": outcome,
                    },
                ) from error
            label = parse_purchased_label(result, wanted_format=label_format)
            if label is None:  # a 200 without a label would be an EasyPost bug: look again
                raise AppError(
                    "EasyPost answered the purchase without a label.",
                    hint="Reconcile the shipment before doing anything else with this order.",
                    kind=ErrorKind.NETWORK,
                    details={**details, "outcome": Outcome.UNKNOWN.value},
                )
            return label

    def _label_after_failed_buy(
        self,
        shipment_id: str,
        label_format: str | None,
        cause: AppError,
        *,
        answer_lost: bool,
    ) -> PurchasedLabel | None:
        try:
            record = self._call(
                "check whether the label was bought",
                lambda: self._reads.shipment.retrieve(shipment_id),
                safety=Safety.READ,
                details={"shipment_id": shipment_id},
            )
        except AppError as lookup_error:
            if not answer_lost:
                raise cause from lookup_error
            raise AppError(
                "The purchase may or may not have gone through, and EasyPost cannot be reached "
                "to check.",
                hint="Nothing will be bought twice: reconcile this shipment when the "
                "connection is back, before retrying the order.",
                kind=ErrorKind.NETWORK,
                details={**cause.details, "outcome": Outcome.UNKNOWN.value},
            ) from lookup_error
        return parse_purchased_label(record, wanted_format=label_format, reconciled=True)

    def convert_label(self, shipment_id: str, label_format: str) -> PurchasedLabel:
        """The bought label of `shipment_id` in another format (PNG, PDF, ZPL, EPL2)."""
        fmt = label_format.upper()
        if fmt not in LABEL_FORMATS:
            raise AppError(
                f"Label format {label_format!r} is not offered.",
                hint="Use PNG, PDF, ZPL or EPL2.",
                kind=ErrorKind.INVALID_INPUT,
            )
        result = self._call(
            f"get the label as {fmt}",
            lambda: self._reads.shipment.label(shipment_id, file_format=fmt),
            safety=Safety.READ,
            details={"shipment_id": shipment_id},
        )
        label = parse_purchased_label(result, wanted_format=fmt)
        if label is None or label.label_format != fmt:
            raise AppError(
                f"EasyPost did not produce a {fmt} label for {shipment_id}.",
                hint="Buy the label first, or print the format it was bought in.",
                kind=ErrorKind.NOT_FOUND,
                details={"shipment_id": shipment_id, "format": fmt},
            )
        return label

    def download(self, url: str) -> bytes:
        """Fetch a label or form file (EasyPost's file host, or the sandbox's)."""

        def fetch() -> bytes:
            try:
                session = self._session if is_loopback(url) == is_loopback(self.api_base) else None
                getter = session.get if session is not None else requests.get
                response = getter(
                    url, timeout=(self.config.connect_timeout, self.config.read_timeout)
                )
            except requests.exceptions.Timeout as error:
                raise ep.TimeoutError("Request timed out.") from error
            except requests.exceptions.RequestException as error:
                raise ep.HttpError(f"Could not download {url}: {error}") from error
            if response.status_code == 404:
                raise ep.NotFoundError("the file is not there", http_status=404)
            if response.status_code >= 400:
                raise ep.UnknownApiError(
                    f"download failed with HTTP {response.status_code}",
                    http_status=response.status_code,
                )
            return response.content

        return self._call("download the file", fetch, safety=Safety.READ, details={"url": url})

    def list_shipments(
        self,
        start: datetime,
        end: datetime,
        *,
        purchased: bool | None = True,
        page_size: int = 100,
    ) -> Iterator[ShipmentRecord]:
        """Shipments created in [start, end), newest first, following every page."""
        params: dict[str, object] = {
            "start_datetime": _iso(start),
            "end_datetime": _iso(end),
            "page_size": page_size,
        }
        if purchased is not None:
            params["purchased"] = purchased
        page = self._call(
            "list shipments",
            lambda: self._reads.shipment.all(**params),
            safety=Safety.READ,
        )
        while True:
            data = plain(page)
            shipments = data.get("shipments") or []
            for shipment in shipments:
                yield parse_shipment_record(shipment)
            if not data.get("has_more") or not shipments:
                return
            before_id = shipments[-1]["id"]
            params_next = {**params, "before_id": before_id}
            page = self._call(
                "list shipments",
                lambda p=params_next: self._reads.shipment.all(**p),  # type: ignore[misc]
                safety=Safety.READ,
            )

    def find_by_reference(
        self, reference: str, start: datetime, end: datetime
    ) -> list[ShipmentRecord]:
        """Shipments (bought or not) carrying `reference`, for crash recovery."""
        found: list[ShipmentRecord] = []
        for purchased in (True, False):
            found.extend(
                record
                for record in self.list_shipments(start, end, purchased=purchased)
                if record.reference == reference
            )
        unique = {record.shipment_id: record for record in found}
        return list(unique.values())

    # -----------------------------------------------------------------------------------------
    # refunds

    def refund(self, shipment_id: str) -> RefundStatus:
        """Ask for a refund of one unused label."""
        result = self._call(
            "refund the label",
            lambda: self._writes.shipment.refund(shipment_id),
            safety=Safety.UNSAFE,
            details={"shipment_id": shipment_id},
        )
        return parse_refund(result)

    def refund_many(
        self, tracking_codes: Sequence[str], carrier: str = "USPS"
    ) -> list[RefundStatus]:
        """Ask for refunds of many labels by tracking code (one request)."""
        result = self._call(
            "refund the labels",
            lambda: self._writes.refund.create(
                carrier=carrier, tracking_codes=list(tracking_codes)
            ),
            safety=Safety.UNSAFE,
            details={"count": len(tracking_codes)},
        )
        items = result if isinstance(result, list) else [result]
        return [parse_refund(item) for item in items]

    # -----------------------------------------------------------------------------------------
    # batches and SCAN forms

    def create_batch(self, shipment_ids: Sequence[str], *, reference: str = "") -> BatchInfo:
        params: dict[str, object] = {"shipments": [{"id": sid} for sid in shipment_ids]}
        if reference:
            params["reference"] = reference
        result = self._call(
            "create the batch",
            lambda: self._writes.batch.create(**params),
            safety=Safety.UNSAFE,
            reference=reference,
        )
        return parse_batch(result)

    def add_to_batch(self, batch_id: str, shipment_ids: Sequence[str]) -> BatchInfo:
        result = self._call(
            "add shipments to the batch",
            lambda: self._writes.batch.add_shipments(
                batch_id, shipments=[{"id": sid} for sid in shipment_ids]
            ),
            safety=Safety.UNSAFE,
            details={"batch_id": batch_id},
        )
        return parse_batch(result)

    def remove_from_batch(self, batch_id: str, shipment_ids: Sequence[str]) -> BatchInfo:
        result = self._call(
            "remove shipments from the batch",
            lambda: self._writes.batch.remove_shipments(
                batch_id, shipments=[{"id": sid} for sid in shipment_ids]
            ),
            safety=Safety.UNSAFE,
            details={"batch_id": batch_id},
        )
        return parse_batch(result)

    def retrieve_batch(self, batch_id: str) -> BatchInfo:
        result = self._call(
            "look up the batch",
            lambda: self._reads.batch.retrieve(batch_id),
            safety=Safety.READ,
            details={"batch_id": batch_id},
        )
        return parse_batch(result)

    def buy_batch(self, batch_id: str) -> BatchInfo:
        """Buy every unbought shipment of the batch (asynchronous: poll the batch).

        Never repeated after a lost answer: retrieve the batch and look at each shipment's
        `batch_status` / `tracking_code` first (a shipment is bought at most once anyway).
        """
        result = self._call(
            "buy the batch",
            lambda: self._writes.batch.buy(batch_id),
            safety=Safety.UNSAFE,
            details={"batch_id": batch_id},
        )
        return parse_batch(result)

    def wait_for_batch(
        self,
        batch_id: str,
        states: Collection[str],
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        label: bool = False,
    ) -> BatchInfo:
        """Poll until the batch reaches one of `states` (and, with `label`, has a label URL).

        Raises:
            AppError: NETWORK when it is not there after `timeout` seconds (nothing is lost).
        """
        deadline = time.monotonic() + timeout
        while True:
            batch = self.retrieve_batch(batch_id)
            if batch.state in states and (batch.label_url or not label):
                return batch
            if time.monotonic() >= deadline:
                raise AppError(
                    f"The batch {batch_id} is still {batch.state}.",
                    hint="Check again in a minute; the batch is not lost.",
                    kind=ErrorKind.NETWORK,
                    details={"batch_id": batch_id, "state": batch.state},
                )
            self._sleep(poll_interval)

    def batch_label(self, batch_id: str, label_format: str = "PDF") -> BatchInfo:
        """Ask for one file with every label of the batch (asynchronous: poll the batch)."""
        result = self._call(
            "generate the batch labels",
            lambda: self._writes.batch.label(batch_id, file_format=label_format.upper()),
            safety=Safety.FREE_CREATE,
            details={"batch_id": batch_id},
        )
        return parse_batch(result)

    def create_scan_form(self, shipment_ids: Sequence[str]) -> ScanFormInfo:
        """A SCAN form for bought shipments (same from-address, none refunded or on a form)."""
        result = self._call(
            "create the SCAN form",
            lambda: self._writes.scan_form.create(shipments=[{"id": sid} for sid in shipment_ids]),
            safety=Safety.UNSAFE,
            details={"count": len(shipment_ids)},
        )
        return parse_scan_form(result)

    def create_batch_scan_form(self, batch_id: str) -> BatchInfo:
        result = self._call(
            "create the SCAN form",
            lambda: self._writes.batch.create_scan_form(batch_id),
            safety=Safety.UNSAFE,
            details={"batch_id": batch_id},
        )
        return parse_batch(result)

    def retrieve_scan_form(self, scan_form_id: str) -> ScanFormInfo:
        result = self._call(
            "look up the SCAN form",
            lambda: self._reads.scan_form.retrieve(scan_form_id),
            safety=Safety.READ,
            details={"scan_form_id": scan_form_id},
        )
        return parse_scan_form(result)

    def wait_for_scan_form(
        self, scan_form_id: str, *, timeout: float = 120.0, poll_interval: float = 2.0
    ) -> ScanFormInfo:
        """Poll until the form is created or failed.

        Raises:
            AppError: NETWORK when it is still being created after `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            form = self.retrieve_scan_form(scan_form_id)
            if form.finished:
                return form
            if time.monotonic() >= deadline:
                raise AppError(
                    f"The SCAN form {scan_form_id} is still being created.",
                    hint="Check again in a minute; the form is not lost.",
                    kind=ErrorKind.NETWORK,
                    details={"scan_form_id": scan_form_id, "status": form.status},
                )
            self._sleep(poll_interval)

    # -----------------------------------------------------------------------------------------
    # pickups

    def create_pickup(
        self,
        address: Address | str,
        *,
        min_datetime: datetime | date,
        max_datetime: datetime | date,
        instructions: str = "",
        reference: str = "",
        shipment_id: str | None = None,
        batch_id: str | None = None,
    ) -> PickupInfo:
        """Ask for a pickup in a time window; the answer lists its rates (USPS: NextDay)."""
        params: dict[str, object] = {
            "address": {"id": address} if isinstance(address, str) else _address_params(address),
            "min_datetime": _iso(min_datetime),
            "max_datetime": _iso(max_datetime),
            "instructions": instructions,
            "is_account_address": False,
        }
        if reference:
            params["reference"] = reference
        if shipment_id:
            params["shipment"] = {"id": shipment_id}
        if batch_id:
            params["batch"] = {"id": batch_id}
        result = self._call(
            "request a pickup",
            lambda: self._writes.pickup.create(**params),
            safety=Safety.FREE_CREATE,
            reference=reference,
        )
        return parse_pickup(result)

    def retrieve_pickup(self, pickup_id: str) -> PickupInfo:
        result = self._call(
            "look up the pickup",
            lambda: self._reads.pickup.retrieve(pickup_id),
            safety=Safety.READ,
            details={"pickup_id": pickup_id},
        )
        return parse_pickup(result)

    def buy_pickup(
        self, pickup_id: str, *, carrier: str = "USPS", service: str = "NextDay"
    ) -> PickupInfo:
        """Confirm (buy) a pickup with one of its rates."""
        result = self._call(
            "schedule the pickup",
            lambda: self._writes.pickup.buy(pickup_id, carrier=carrier, service=service),
            safety=Safety.UNSAFE,
            details={"pickup_id": pickup_id},
        )
        return parse_pickup(result)

    def cancel_pickup(self, pickup_id: str) -> PickupInfo:
        result = self._call(
            "cancel the pickup",
            lambda: self._writes.pickup.cancel(pickup_id),
            safety=Safety.FREE_CREATE,  # cancelling twice ends in the same state
            details={"pickup_id": pickup_id},
        )
        return parse_pickup(result)

    # -----------------------------------------------------------------------------------------
    # trackers

    def create_tracker(self, tracking_code: str, *, carrier: str = "USPS") -> TrackerInfo:
        result = self._call(
            "create a tracker",
            lambda: self._writes.tracker.create(tracking_code=tracking_code, carrier=carrier),
            safety=Safety.FREE_CREATE,
            details={"tracking_code": tracking_code},
        )
        return parse_tracker(result)

    def retrieve_tracker(self, tracker_id: str) -> TrackerInfo:
        """The tracker's latest state (refresh)."""
        result = self._call(
            "refresh the tracker",
            lambda: self._reads.tracker.retrieve(tracker_id),
            safety=Safety.READ,
            details={"tracker_id": tracker_id},
        )
        return parse_tracker(result)


# ---------------------------------------------------------------------------------------------


def _address_params(address: Address) -> dict[str, object]:
    params: dict[str, object] = {
        "name": address.name,
        "street1": address.street1,
        "city": address.city,
        "zip": address.postal_code,
        "country": address.country,
    }
    for key, value in (
        ("company", address.company),
        ("street2", address.street2),
        ("state", address.state),
        ("phone", address.phone),
        ("email", address.email),
    ):
        if value:
            params[key] = value
    return params


def _address_label(address: Address) -> str:
    return f"{address.name}, {address.postal_code} {address.city}, {address.country}"


def _iso(value: datetime | date) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()
