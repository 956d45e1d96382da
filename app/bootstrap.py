"""The composition root: the one place that wires settings, database, gateway, printers, services.

Everything is built lazily, so a CLI command only opens what it uses (a `skus list` never starts
the sandbox, a `sandbox` command never opens the database).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.infra.paths import DEFAULT_PROFILE, ProfilePaths, database_path, profile_paths
from app.infra.secrets import SANDBOX_API_KEY, ApiKeyStore
from app.infra.settings import EasyPostMode, Settings, SettingsStore

if TYPE_CHECKING:
    from app.postage.gateway import EasyPostGateway
    from app.postage.models import LabelFormat
    from app.postage.sandbox.server import SandboxServer
    from app.services.audit import AuditLog
    from app.services.batches import BatchOverviewService
    from app.services.buy_and_print import BuyAndPrintService
    from app.services.catalog import CatalogService
    from app.services.database_move import DatabaseMoveService
    from app.services.demo import DemoSeeder
    from app.services.estimate import EstimateService
    from app.services.grouping import GroupingService
    from app.services.importing import ImportService
    from app.services.orders import OrderService
    from app.services.pickups import PickupService
    from app.services.preflight import PreflightService
    from app.services.print_queue import PrintQueueService
    from app.services.purchase import PurchaseService
    from app.services.refunds import RefundService
    from app.services.roll_supply import RollSupplyService
    from app.services.scan_forms import ScanFormService
    from app.services.scan_to_ship import ScanToShipService
    from app.services.ship_from import ShipFromService
    from app.services.tracking import TrackingService
    from app.store import Store


@dataclass(frozen=True, slots=True)
class RuntimeOptions:
    """What the command line (or a test) asks of this run."""

    profile: str = DEFAULT_PROFILE
    db: str | None = None
    home: Path | None = None
    api_base: str | None = None
    sandbox: bool = False
    demo: bool = False
    verbose: bool = False

    @classmethod
    def from_env(cls, **overrides: object) -> RuntimeOptions:
        """Options with environment defaults ($PACKDESK_PROFILE), then explicit overrides."""
        base = cls(profile=os.environ.get("PACKDESK_PROFILE", DEFAULT_PROFILE))
        fields = {k: v for k, v in overrides.items() if v is not None}
        return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


class AppContext:
    """The wired application for one run. Close it when done."""

    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        self.paths: ProfilePaths = profile_paths(options.profile, options.home)
        self._closers: list[object] = []

    @cached_property
    def database_url(self) -> str | None:
        """The PostgreSQL URL this run uses (--db, $PACKDESK_DB or the profile's), else None."""
        from app.infra.database_target import chosen_database, is_server_url

        chosen = chosen_database(self.settings_store.load(), self.options.db)
        return chosen if is_server_url(chosen) else None

    @property
    def database_shown(self) -> str:
        """The database as people may see it: the file, or the server URL without password."""
        from app.infra.database_target import without_password

        return without_password(self.database_url) if self.database_url else str(self.database_file)

    @cached_property
    def database_file(self) -> Path:
        """The SQLite file this run uses (--db, $PACKDESK_DB, or the profile's).

        On PostgreSQL, the local file this desk's side files sit beside (it is never a database).
        """
        if self.database_url is not None:
            return self.paths.database.with_name("postgresql.local")
        return database_path(self.paths, self.options.db)

    # -- order cache and the services on it (opened on first use) ----------------------------

    @cached_property
    def store(self) -> Store:
        """The order cache, opened and migrated on first use (AppError DATABASE if refused)."""
        from app.store import open_store

        if self.database_url is not None:
            from app.infra.database_target import database_password

            url = self.database_url
            store = open_store(url, password=database_password(url), anchor=self.database_file)
        else:
            store = open_store(self.database_file)
        self._closers.append(store)
        return store

    @cached_property
    def database_move_service(self) -> DatabaseMoveService:
        from app.services.database_move import DatabaseMoveService

        anchor = self.paths.database.with_name("postgresql.local")
        return DatabaseMoveService(self.store, self.settings_store, anchor)

    @cached_property
    def import_service(self) -> ImportService:
        from app.imports import read_order_file, write_error_csv
        from app.services.importing import ImportService

        return ImportService(self.store, read_order_file, write_error_csv)

    @cached_property
    def catalog_service(self) -> CatalogService:
        from app.services.catalog import CatalogService

        return CatalogService(self.store)

    @cached_property
    def order_service(self) -> OrderService:
        from app.services.orders import OrderService

        return OrderService(self.store)

    @cached_property
    def grouping_service(self) -> GroupingService:
        from app.services.grouping import GroupingService

        return GroupingService(self.store)

    @cached_property
    def ship_from_service(self) -> ShipFromService:
        from app.services.ship_from import ShipFromService

        return ShipFromService(self.store)

    @cached_property
    def demo_seeder(self) -> DemoSeeder:
        """Seeds the demo profile (sample orders, SKU data, packages, sender, printer)."""
        from app.services.demo import DemoSeeder, demo_printer_setup

        return DemoSeeder(
            importer=self.import_service,
            catalog=self.catalog_service,
            orders=self.order_service,
            groups=self.grouping_service,
            ship_from=self.ship_from_service,
            setup_printer=demo_printer_setup(self.settings_store),
        )

    # --- settings, key, EasyPost ---------------------------------------------------------

    @cached_property
    def settings_store(self) -> SettingsStore:
        return SettingsStore(self.paths.settings)

    @cached_property
    def settings(self) -> Settings:
        """The profile's settings (the defaults until something is saved)."""
        return self.settings_store.load()

    @cached_property
    def api_keys(self) -> ApiKeyStore:
        return ApiKeyStore(self.options.profile)

    @cached_property
    def easypost_mode(self) -> EasyPostMode:
        """--sandbox / --demo force the sandbox; otherwise the profile's setting."""
        if self.options.sandbox or self.options.demo:
            return EasyPostMode.SANDBOX
        return self.settings.easypost.mode

    @cached_property
    def sandbox_server(self) -> SandboxServer:
        """The profile's own sandbox, started in-process on a free loopback port."""
        from app.postage.sandbox.server import SandboxServer

        self.paths.root.mkdir(parents=True, exist_ok=True)
        server = SandboxServer(self.paths.sandbox_state)
        server.start()
        self._closers.append(_Stopper(server))
        return server

    @cached_property
    def gateway(self) -> EasyPostGateway:
        """The EasyPost gateway: --api-base / $EASYPOST_API_BASE, else the mode's server."""
        from app.postage.gateway import (  # easypost loads only when a command needs it
            PRODUCTION_API_BASE,
            EasyPostGateway,
            GatewayConfig,
            is_loopback,
        )

        explicit = self.options.api_base or os.environ.get("EASYPOST_API_BASE", "")
        configured = explicit or self.settings.easypost.api_base
        if self.easypost_mode is EasyPostMode.SANDBOX:
            api_base = configured or self.sandbox_server.api_base
            key = SANDBOX_API_KEY
        else:
            api_base = configured or PRODUCTION_API_BASE
            stored = self.api_keys.get(self.easypost_mode.value)
            # A loopback base is never EasyPost (a standalone sandbox): no real key needed.
            key = stored or (
                SANDBOX_API_KEY
                if is_loopback(api_base)
                else self.api_keys.require(self.easypost_mode.value)
            )
        ep = self.settings.easypost
        gateway = EasyPostGateway(
            key,
            GatewayConfig(
                api_base=api_base.rstrip("/"),
                connect_timeout=ep.connect_timeout_s,
                read_timeout=ep.read_timeout_s,
                write_timeout=ep.write_timeout_s,
                pool_size=max(32, ep.concurrency, ep.rate_concurrency),
            ),
        )
        self._closers.append(gateway)
        return gateway

    # --- buying labels (W1): pre-flight, estimate, purchase ------------------------------------

    @cached_property
    def preflight_service(self) -> PreflightService:
        from app.services.preflight import PreflightService

        return PreflightService(self.store, self.gateway)

    @cached_property
    def estimate_service(self) -> EstimateService:
        from app.postage.rating import RateQuoter
        from app.services.estimate import EstimateService

        quoter = RateQuoter(self.gateway, concurrency=self.settings.easypost.rate_concurrency)
        return EstimateService(quoter, label_format=_label_format(self.settings))

    @cached_property
    def purchase_service(self) -> PurchaseService:
        """Buys labels (journaled, reconciled, resumable); files under paths.labels."""
        from app.services.label_files import LabelFiles
        from app.services.purchase import PurchaseService

        ep = self.settings.easypost
        return PurchaseService(
            self.store,
            self.gateway,
            self.preflight_service,
            LabelFiles(self.paths.labels, self.gateway),
            self.audit_log,
            concurrency=ep.concurrency,
            label_format=_label_format(self.settings),
            customs_signer=ep.customs_signer,
        )

    @cached_property
    def buy_and_print_service(self) -> BuyAndPrintService:
        """The one "buy and print" use case (CLI `buy` and the GUI's Buy & print panel)."""
        from app.services.buy_and_print import BuyAndPrintService

        return BuyAndPrintService(self.purchase_service, self.print_queue_service)

    # --- after the labels (W3): scan to ship, SCAN forms, refunds, pickups, tracking ----------

    @cached_property
    def audit_log(self) -> AuditLog:
        """Who did what, when, at which station ($PACKDESK_STATION or the host name)."""
        from app.services.audit import AuditLog

        return AuditLog(self.store)

    @cached_property
    def print_queue_service(self) -> PrintQueueService:
        """One serial print queue per printer (closed with the context: each finishes the
        label it is sending; queued jobs stay queued for the next run)."""
        from app.services.print_queue import (
            PrintQueueService,
            SavedPrinters,
            open_configured_printer,
        )

        settings = self.settings_store
        rolls = self.roll_supply_service  # built first: the queue workers call its gate
        service = PrintQueueService(
            self.store,
            open_configured_printer,
            self.audit_log,
            labels_dir=self.paths.labels,
            # as saved now (the Printers dialog may change them while the queues run)
            printers=SavedPrinters(settings.path, lambda: settings.load().printers),
            roll_gate=rolls.before_label,
        )
        self._closers.append(service)
        return service

    @cached_property
    def roll_supply_service(self) -> RollSupplyService:
        """Labels left on each printer's roll (the queues' gate at the roll's end)."""
        from app.services.print_queue import SavedPrinters, open_configured_printer
        from app.services.roll_supply import RollSupplyService

        settings = self.settings_store
        return RollSupplyService(
            self.store,
            printers=SavedPrinters(settings.path, lambda: settings.load().printers),
            queues=lambda: self.__dict__.get("print_queue_service"),
            printer_factory=open_configured_printer,
        )

    @cached_property
    def scan_to_ship_service(self) -> ScanToShipService:
        from app.services.scan_to_ship import ScanToShipService

        return ScanToShipService(self.store, self.audit_log)

    @cached_property
    def scan_form_service(self) -> ScanFormService:
        from app.services.scan_forms import ScanFormService

        return ScanFormService(
            self.store, lambda: self.gateway, self.audit_log, self.paths.documents
        )  # built on first use: listing and printing forms need no API key

    @cached_property
    def refund_service(self) -> RefundService:
        from app.services.refunds import RefundService

        return RefundService(self.store, self.gateway, self.audit_log)

    @cached_property
    def pickup_service(self) -> PickupService:
        from app.services.pickups import PickupService

        return PickupService(self.store, lambda: self.gateway, self.audit_log)  # lazy, as above

    @cached_property
    def tracking_service(self) -> TrackingService:
        from app.services.tracking import TrackingService

        return TrackingService(self.store, self.gateway, self.audit_log)

    @cached_property
    def batch_overview_service(self) -> BatchOverviewService:
        from app.services.batches import BatchOverviewService

        return BatchOverviewService(self.store)

    def close(self) -> None:
        """Release what this run opened, newest first."""
        while self._closers:
            closer = self._closers.pop()
            close = getattr(closer, "close", None) or getattr(closer, "dispose", None)
            if callable(close):
                close()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _label_format(settings: Settings) -> LabelFormat:
    """The label format to buy in (settings), PNG when the setting is not one EasyPost has."""
    fmt = settings.easypost.label_format.upper()
    return fmt if fmt in ("PNG", "PDF", "ZPL", "EPL2") else "PNG"  # type: ignore[return-value]


class _Stopper:
    """Adapts something with stop() to the closers list."""

    def __init__(self, target: SandboxServer) -> None:
        self._target = target

    def close(self) -> None:
        self._target.stop()


def build_context(options: RuntimeOptions) -> AppContext:
    """Wire the application for `options`."""
    return AppContext(options)
