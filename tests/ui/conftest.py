"""GUI test helpers: a guard that catches service calls made on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from app.services.batches import BatchOverviewService
from app.services.catalog import CatalogService
from app.services.database_backup import DatabaseBackupService
from app.services.database_location import DatabaseLocationService
from app.services.demo import DemoSeeder
from app.services.desk_settings import DeskSettingsService
from app.services.easypost_setup import EasyPostSetupService
from app.services.estimate import EstimateService
from app.services.group_defaults import GroupDefaultsService
from app.services.grouping import GroupingService
from app.services.history import HistoryService
from app.services.importing import ImportService
from app.services.order_detail import OrderDetailService
from app.services.orders import OrderService
from app.services.package_types import PackageTypeService
from app.services.pickups import PickupService
from app.services.print_queue import PrintQueue, PrintQueueService
from app.services.printer_setup import PrinterSetupService
from app.services.purchase import PurchaseService
from app.services.refunds import RefundService
from app.services.relabel import RelabelService
from app.services.scan_forms import ScanFormService
from app.services.scan_to_ship import ScanToShipService
from app.services.setup_checklist import SetupChecklistService
from app.services.ship_from import ShipFromService
from app.services.tax_ids import TaxIdsService
from app.services.tracking import TrackingService
from app.ui.services import ContextServices

GUARDED: dict[type, tuple[str, ...]] = {
    # Resolving a deferred service builds it (imports, the store, the gateway): a worker's job.
    ContextServices: ("get", "call"),
    OrderService: (
        "list_orders",
        "list_summaries",
        "first_summaries",
        "change_status",
        "get_order",
    ),
    PackageTypeService: ("list", "add", "update", "remove"),
    HistoryService: ("audit", "snapshot"),
    OrderDetailService: ("detail", "update_address", "verify_address"),
    GroupingService: ("groups", "assign", "customs_blocked", "customs_by_sku"),
    CatalogService: ("list_items", "get_item", "update_item", "apply_hts", "list_package_types"),
    ImportService: ("apply", "import_file"),
    DemoSeeder: ("seed", "is_seeded"),
    PurchaseService: ("plan", "preflight", "buy", "reconcile"),
    EstimateService: ("estimate",),
    PrintQueueService: ("queue_for", "labels_to_print"),
    PrintQueue: (
        "enqueue",
        "reprint",
        "pause",
        "resume",
        "skip",
        "resend",
        "mark_printed",
        "jobs",
        "status",
    ),
    ScanToShipService: ("scan",),
    BatchOverviewService: ("today", "show"),
    ScanFormService: ("for_batch", "for_today", "list", "get", "print_form"),
    RefundService: ("labels", "check", "refund", "status", "reminders"),
    PickupService: ("schedule", "confirm", "cancel", "list"),
    TrackingService: ("current", "refresh", "refresh_labels"),
    EasyPostSetupService: ("overview", "set_mode", "set_key", "clear_key", "test_connection"),
    SetupChecklistService: ("check",),
    ShipFromService: ("list_addresses", "add", "update", "verify", "set_default"),
    PrinterSetupService: (
        "printers",
        "add",
        "remove",
        "set_default",
        "set_options",
        "discover",
        "status",
        "print_test_label",
    ),
    DatabaseBackupService: ("backup",),
    DatabaseLocationService: ("test", "switch"),
    GroupDefaultsService: ("apply_to_new_groups",),
    DeskSettingsService: ("load", "save"),
    RelabelService: ("needing_relabel", "relabel"),
    TaxIdsService: ("get", "set"),
}


class ThreadGuard:
    """Records every service call made on the GUI thread."""

    def __init__(self) -> None:
        self.on_gui_thread: list[str] = []
        self.calls: list[str] = []
        self._paused = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """For the test's own direct service calls (set-up and checks)."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def wrap(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            on_gui = threading.current_thread() is threading.main_thread()
            if on_gui and not self._paused:
                what = next((a for a in args if isinstance(a, str)), "")  # the service's name
                self.on_gui_thread.append(f"{name}({what})" if what else name)
            return method(*args, **kwargs)

        return guarded


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadGuard]:
    """Fails the test if the UI called a service on the GUI thread."""
    recorder = ThreadGuard()
    for cls, names in GUARDED.items():
        for name in names:
            monkeypatch.setattr(
                cls, name, recorder.wrap(f"{cls.__name__}.{name}", getattr(cls, name))
            )
    yield recorder
    assert recorder.on_gui_thread == [], "service calls on the GUI thread"


@pytest.fixture(autouse=True)
def crash_dialogs_fail_the_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A crash dialog is modal: in a test it would wait forever for a click. Record it instead
    and fail the test, so a bug in a panel is a red test, never a hung suite. Tests that expect
    a crash dialog patch `CrashDialog.exec` themselves (their patch wins)."""
    from app.ui.errors import CrashDialog

    shown: list[str] = []

    def record(dialog: CrashDialog) -> int:
        shown.append(dialog.details.toPlainText())
        return 0

    monkeypatch.setattr(CrashDialog, "exec", record)
    yield
    assert not shown, f"a crash dialog opened:\n{shown[0]}"
