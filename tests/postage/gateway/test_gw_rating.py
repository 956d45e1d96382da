"""RateQuoter: identical requests asked once, bounded concurrency, errors kept per request."""

from __future__ import annotations

import threading
from dataclasses import replace
from decimal import Decimal

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.postage.models import ParcelSpec, Rate, RateRequest, ShipmentQuote
from app.postage.rating import RateQuoter

ORIGIN = Address("Desk", "1 Main St", "Springfield", "62701", "US", state="IL")


def request(zip_code: str, weight: str = "12", name: str = "A") -> RateRequest:
    return RateRequest(
        from_address=ORIGIN,
        to_address=Address(name, "5 Elm St", "Town", zip_code, "US", state="NY"),
        parcel=ParcelSpec(weight_oz=Decimal(weight), predefined_package="Parcel"),
    )


class FakeGateway:
    """Counts calls and concurrency; blocks each call until released (no sleeps)."""

    def __init__(self, fail_zip: str = "") -> None:
        self.calls: list[RateRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.fail_zip = fail_zip
        self.gate = threading.Semaphore(0)
        self.entered = threading.Semaphore(0)

    def quote(self, req: RateRequest) -> ShipmentQuote:
        with self._lock:
            self.calls.append(req)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.entered.release()
        try:
            assert self.gate.acquire(timeout=10)
            if req.to_address.postal_code == self.fail_zip:
                raise AppError("bad zip", kind=ErrorKind.ADDRESS, details={"zip": self.fail_zip})
            amount = Decimal(req.to_address.postal_code[-2:]) / 10
            rate = Rate(
                "rate_1", f"shp_{req.to_address.postal_code}", "USPS", "GroundAdvantage", amount
            )
            return ShipmentQuote(f"shp_{req.to_address.postal_code}", (rate,))
        finally:
            with self._lock:
                self.in_flight -= 1


def run_releasing(fake: FakeGateway, quoter: RateQuoter, reqs: list[RateRequest], **kw: object):
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(quoter.quote_many(reqs, **kw)))  # type: ignore[arg-type]
    thread.start()
    for _ in range(len({r.key for r in reqs})):
        assert fake.entered.acquire(timeout=10)
        fake.gate.release()
    thread.join(10)
    assert not thread.is_alive()
    return result[0]


def test_identical_requests_are_asked_once_and_shared() -> None:
    fake = FakeGateway()
    quoter = RateQuoter(fake, concurrency=4)
    reqs = [
        request("10001", name="Ann"),
        request("10001", name="Bob"),
        request("10002"),
        request("10001-1234", name="Cy"),
        request("10002", weight="13"),
    ]
    progress: list[tuple[int, int]] = []
    outcomes = run_releasing(fake, quoter, reqs, progress=lambda d, t: progress.append((d, t)))
    assert len(fake.calls) == 3  # names and ZIP+4 do not change a USPS rate
    assert [o.ok for o in outcomes] == [True] * 5
    assert [o.shared for o in outcomes] == [False, True, False, True, False]
    assert outcomes[0].quote is outcomes[1].quote
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)
    # remembered across calls: no new request
    again = quoter.quote_many([request("10001", name="Dee")])
    assert again[0].ok and again[0].shared and len(fake.calls) == 3


def test_concurrency_is_bounded() -> None:
    fake = FakeGateway()
    quoter = RateQuoter(fake, concurrency=3)
    reqs = [request(f"100{n:02d}") for n in range(12)]
    held: list[object] = []
    thread = threading.Thread(target=lambda: held.append(quoter.quote_many(reqs)))
    thread.start()
    for _ in range(3):
        assert fake.entered.acquire(timeout=10)
    assert not fake.entered.acquire(timeout=0.2)  # a 4th call must not start while 3 are held
    assert fake.in_flight == 3
    for _ in range(12):
        fake.gate.release()
    thread.join(10)
    assert fake.max_in_flight == 3 and len(held[0]) == 12  # type: ignore[arg-type]


def test_errors_stay_with_their_requests() -> None:
    fake = FakeGateway(fail_zip="10003")
    quoter = RateQuoter(fake, concurrency=2)
    reqs = [request("10003"), request("10004"), replace(request("10003"), reference="o2")]
    outcomes = run_releasing(fake, quoter, reqs)
    assert outcomes[0].error is not None and outcomes[0].error.kind is ErrorKind.ADDRESS
    assert outcomes[2].error is outcomes[0].error
    assert outcomes[1].ok
    # failures are not remembered: asking again asks again
    assert len(run_releasing(fake, quoter, [request("10003")])) == 1
    assert len(fake.calls) == 3


def test_cancel_stops_new_requests() -> None:
    fake = FakeGateway()
    quoter = RateQuoter(fake, concurrency=1)
    cancel = threading.Event()
    cancel.set()
    outcomes = quoter.quote_many([request("10001"), request("10002")], cancel=cancel)
    assert fake.calls == [] and all(o.quote is None and o.error is None for o in outcomes)


def test_rejects_zero_concurrency() -> None:
    with pytest.raises(ValueError):
        RateQuoter(FakeGateway(), concurrency=0)


def test_key_ignores_what_does_not_change_a_price() -> None:
    from app.postage.models import ShipmentOptions

    base = request("10001")
    printed = replace(base, options=ShipmentOptions(label_format="ZPL", print_custom_1="KS-1"))
    assert printed.key == base.key
    media = replace(base, options=ShipmentOptions(media_mail=True))
    machinable = replace(base, options=ShipmentOptions(machinable=False))
    heavier = request("10001", weight="13")
    other_zip = request("10002")
    keys = {base.key, media.key, machinable.key, heavier.key, other_zip.key}
    assert len(keys) == 5


def test_an_interrupted_quote_many_sends_no_more_requests() -> None:
    """Ctrl+C in the middle of an estimate: the pool's workers stop asking, so the command ends
    instead of sending every queued request first (the deadline bounds those on their way)."""
    fake = FakeGateway()
    quoter = RateQuoter(fake, concurrency=2)
    reqs = [request(f"{10000 + n}") for n in range(40)]

    interrupted = threading.Event()

    def interrupt(done: int, _total: int) -> None:
        if done >= 1:
            interrupted.set()
            raise KeyboardInterrupt

    errors: list[BaseException] = []

    def run() -> None:
        try:
            quoter.quote_many(reqs, progress=interrupt)
        except BaseException as error:  # checked below
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    for _ in range(2):  # both workers are asking
        assert fake.entered.acquire(timeout=10)
    fake.gate.release()  # one answer: the caller is interrupted
    assert interrupted.wait(10)
    fake.gate.release()  # the other worker's answer
    # Answer what is still on its way, until the interrupted call has returned.
    while thread.is_alive():
        if fake.entered.acquire(timeout=0.2):
            fake.gate.release()
    thread.join(10)
    assert not thread.is_alive()
    assert [type(e) for e in errors] == [KeyboardInterrupt]
    assert len(fake.calls) <= 4  # of 40: the workers stopped asking (2 at a time)
