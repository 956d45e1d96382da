"""Setup's per-printer label format and media reach the printer: a ZPL or EPL2 printer gets its
own language bought from EasyPost, and the stock it is loaded with (die-cut or continuous) is in
the bytes the emulated device receives. Through the one buy-and-print use case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.groups import group_id_for
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.postage.gateway import EasyPostGateway
from app.services.audit import AuditLog
from app.services.buy_and_print import BuyAndPrintService
from app.services.buy_plan import Selection
from app.services.print_queue import PrintQueueService
from app.store import Store
from printers.emulators.usb_backend import EmulatedBackend
from printers.errors import PrinterError
from printers.imaging import Bitmap
from printers.media import get_media
from printers.models import get_model
from printers.pipeline import encode_page
from printers.printer import Printer, open_printer
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixture)
    MakeBackend,
    emulated_usb_fixture,
)
from tests.services.purchase_world import NOW, purchase_service, seed, us_order

TEE = Selection(groups=(group_id_for((("TEE-M", 1),)),))


def _uri(model: str) -> str:
    product = {"zd421-203": 0x0185}.get(model) or get_model(model).usb_product_ids[0]
    return f"usb://0a5f:{product:04x}"


@pytest.fixture
def queues() -> Iterator[list[PrintQueueService]]:
    made: list[PrintQueueService] = []
    yield made
    for service in made:
        service.close()


def _buy_on(
    store: Store,
    gateway: EasyPostGateway,
    tmp_path: Path,
    backend: EmulatedBackend,
    printer: ConfiguredPrinter,
    made: list[PrintQueueService],
    orders: int = 2,
) -> list[bytes]:
    """Buy `orders` labels with `printer` as the default printer; the jobs it received."""
    seed(store, [us_order(n) for n in range(orders)])

    def factory(uri: str, model: str | None) -> Printer:
        return open_printer(uri, model, usb_backend=backend, status_timeout_ms=1000)

    audit = AuditLog(store, station="desk-1", user="ann", clock=lambda: NOW)
    service = PrintQueueService(
        store,
        factory,
        audit,
        lambda: NOW,
        tmp_path / "labels",
        printers=PrinterSettings((printer,), default=printer.name),
    )
    made.append(service)
    use_case = BuyAndPrintService(purchase_service(store, gateway, tmp_path / "labels"), service)
    outcome = use_case.run(TEE, wait_for_printing=True)
    assert len(outcome.buy.bought) == orders and not outcome.print_problems
    engine = backend.device(printer.name).engine
    assert engine.wait_printed(orders, 10), engine.stats.decode_errors
    assert engine.jobs_data is not None
    return engine.jobs_data


def _formats(store: Store) -> set[str]:
    with store.transaction() as tx:
        return {label.label_format for label in tx.labels.list()}


def test_a_zpl_printer_on_continuous_stock_gets_bought_zpl_with_continuous_tracking(
    store: Store,
    gateway: EasyPostGateway,
    tmp_path: Path,
    emulated_usb: MakeBackend,
    queues: list[PrintQueueService],
) -> None:
    backend = emulated_usb("zd421-203", keep_jobs=True)
    printer = ConfiguredPrinter(
        "zd421-203", _uri("zd421-203"), "zd421-203", "ZPL", "4x6 continuous"
    )
    jobs = _buy_on(store, gateway, tmp_path, backend, printer, queues)
    assert _formats(store) == {"ZPL"}  # the printer's format was asked of EasyPost
    received = b"".join(jobs)
    # The bought ZPL itself (the sandbox writes ^CI28 text fields), not a re-rendered image.
    assert received.count(b"^CI28") == 2 and b"^GFA" not in received
    assert received.count(b"^MNN") == 2 and b"^MNY" not in received


def test_an_epl2_printer_gets_bought_epl2_with_the_gap_of_its_stock(
    store: Store,
    gateway: EasyPostGateway,
    tmp_path: Path,
    emulated_usb: MakeBackend,
    queues: list[PrintQueueService],
) -> None:
    backend = emulated_usb("lp2844", keep_jobs=True)
    printer = ConfiguredPrinter("lp2844", _uri("lp2844"), "lp2844", "EPL2", "4x6 continuous")
    jobs = _buy_on(store, gateway, tmp_path, backend, printer, queues, orders=1)
    assert _formats(store) == {"EPL2"}
    (job,) = jobs
    assert b"\nQ1218,0\n" in job and b"Q1218,24" not in job  # continuous: no gap to find
    assert b"\nA" in job  # the sandbox's EPL2 text commands: the bought label, as bought


def test_a_png_printer_setting_renders_the_image_with_the_die_cut_gap(
    store: Store,
    gateway: EasyPostGateway,
    tmp_path: Path,
    emulated_usb: MakeBackend,
    queues: list[PrintQueueService],
) -> None:
    backend = emulated_usb("zd421-203", keep_jobs=True)
    printer = ConfiguredPrinter("zd421-203", _uri("zd421-203"), "zd421-203", "PNG", "4x6 roll")
    jobs = _buy_on(store, gateway, tmp_path, backend, printer, queues, orders=1)
    assert _formats(store) == {"PNG"}
    (job,) = jobs
    assert b"^GFA" in job and b"^MNY" in job  # rendered for the printer, die-cut tracking


def test_without_a_printer_format_the_profile_format_is_bought(
    store: Store,
    gateway: EasyPostGateway,
    tmp_path: Path,
    emulated_usb: MakeBackend,
    queues: list[PrintQueueService],
) -> None:
    backend = emulated_usb("zd421-203", keep_jobs=True)
    printer = ConfiguredPrinter("zd421-203", _uri("zd421-203"), "zd421-203")
    jobs = _buy_on(store, gateway, tmp_path, backend, printer, queues, orders=1)
    assert _formats(store) == {"PNG"}  # purchase_service's (the profile's) format
    assert b"^MN" not in jobs[0]  # no media set: the printer's own setting stands


def test_media_changes_the_encoded_bytes_and_a_dymo_refuses_continuous_stock() -> None:
    page = Bitmap.blank(812, 1218)
    zebra, lp2844 = get_model("zd421-203"), get_model("lp2844")
    assert b"^MNY" in encode_page(page, zebra, media=get_media("4x6 roll"))
    assert b"^MNN" in encode_page(page, zebra, media=get_media("4x6 continuous"))
    assert b"^MN" not in encode_page(page, zebra)  # unset: the printer's own setting
    assert b"Q1218,24" in encode_page(page, lp2844, media=get_media("4x6 fan-fold"))
    assert b"Q1218,0" in encode_page(page, lp2844, media=get_media("4x6 continuous"))
    with pytest.raises(PrinterError, match="cannot print on 4x6 continuous"):
        encode_page(page, get_model("dymo-4xl"), media=get_media("4x6 continuous"))
    with pytest.raises(PrinterError, match="unknown label media"):
        get_media("4x4 sheet")
