"""The composition root: the one place that wires settings, database, gateway, printers, services.

Everything is built lazily, so a CLI command only opens what it uses (a `skus list` never starts
the sandbox, a `sandbox` command never opens the database).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.domain.errors import AppError, ErrorKind
from app.infra.paths import DEFAULT_PROFILE, ProfilePaths, database_path, profile_paths
from app.infra.private_files import make_private, private_dir, restrict_umask
from app.infra.secrets import SANDBOX_API_KEY, ApiKeyStore
from app.infra.settings import EasyPostMode, Settings, SettingsStore
from app.services.clock import Clock, utc_now

if TYPE_CHECKING:
    from app.postage.gateway import EasyPostGateway
    from app.postage.models import LabelFormat
    from app.postage.sandbox.server import SandboxServer
    from app.services.address_review import AddressReviewService
    from app.services.audit import AuditLog
    from app.services.batches import BatchOverviewService
    from app.services.buy_and_print import BuyAndPrintService
    from app.services.catalog import CatalogService
    from app.services.database_backup import DatabaseBackupService
    from app.services.database_location import DatabaseLocationService
    from app.services.database_move import DatabaseMoveService
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
    from app.services.preflight import PreflightService
    from app.services.print_queue import PrintQueue, PrintQueueService
    from app.services.printer_setup import PrinterSetupService
    from app.services.purchase import PurchaseService
    from app.services.refunds import RefundService
    from app.services.relabel import RelabelService
    from app.services.roll_supply import RollSupplyService
    from app.services.scan_forms import ScanFormService
    from app.services.scan_to_ship import ScanToShipService
    from app.services.setup_checklist import SetupChecklistService
    from app.services.ship_from import ShipFromService
    from app.services.tax_ids import TaxIdsService
    from app.services.tracking import TrackingService
    from app.store import Store
    from printers.discovery import FoundPrinter


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
    #: Run the profile's own sandbox in a child process, not in this one (the GUI: its Python
    #: work then never holds the GIL the GUI thread waits for). Off: in-process, as tests use.
    sandbox_process: bool = False
    #: "Now" for every service and the embedded sandbox (None: the system clock). Tests and
    #: training runs pin it, so no outcome depends on the day or hour they run.
    clock: Clock | None = None

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
        # Everything a run writes (database, WAL, backups, logs, labels, settings) holds
        # customers' addresses: private to the user from creation on.
        restrict_umask()

    @cached_property
    def clock(self) -> Clock:
        """The clock of this run: RuntimeOptions.clock, else `system_clock` (naive UTC)."""
        return self.options.clock or system_clock

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

        if self.database_file.parent == self.paths.root:
            # Also tightens a profile folder made before (0755). A folder that cannot be made
            # is reported by open_store, with the fix.
            with contextlib.suppress(OSError):
                private_dir(self.paths.root)
        if self.database_url is not None:
            from app.infra.database_target import database_password

            url = self.database_url
            store = open_store(url, password=database_password(url), anchor=self.database_file)
        else:
            store = open_store(self.database_file)
        self._closers.append(store)
        for suffix in ("", "-wal", "-shm"):
            make_private(self.database_file.with_name(self.database_file.name + suffix))
        return store

    @cached_property
    def database_move_service(self) -> DatabaseMoveService:
        from app.services.database_move import DatabaseMoveService

        anchor = self.paths.database.with_name("postgresql.local")
        return DatabaseMoveService(self.store, self.settings_store, anchor)

    @cached_property
    def import_service(self) -> ImportService:
        from app.imports import read_order_file
        from app.services.error_csv import write_error_csv
        from app.services.importing import ImportService

        return ImportService(
            self.store,
            read_order_file,
            write_error_csv,
            clock=self.clock,
            # Setup's defaults for new groups, after every import (CLI, GUI, demo alike).
            group_defaults=lambda: self.group_defaults_service.apply_after_import(),
        )

    @cached_property
    def catalog_service(self) -> CatalogService:
        from app.services.catalog import CatalogService

        return CatalogService(self.store)

    @cached_property
    def package_type_service(self) -> PackageTypeService:
        from app.services.package_types import PackageTypeService

        return PackageTypeService(self.store)

    @cached_property
    def order_service(self) -> OrderService:
        from app.services.orders import OrderService

        return OrderService(self.store, clock=self.clock)

    @cached_property
    def grouping_service(self) -> GroupingService:
        from app.services.grouping import GroupingService

        return GroupingService(self.store, clock=self.clock)

    @cached_property
    def ship_from_service(self) -> ShipFromService:
        from app.services.ship_from import ShipFromService

        # The gateway is built only when an address is verified (listing needs no key).
        return ShipFromService(
            self.store,
            verify=lambda address: self.gateway.verify_address(address),
            audit=self.audit_log,
        )

    @cached_property
    def address_review_service(self) -> AddressReviewService:
        """Address verification as EasyPost gives it, and "ship as entered"."""
        from app.services.address_review import AddressReviewService

        return AddressReviewService(self.store, self.gateway, self.audit_log)

    @cached_property
    def tax_ids_service(self) -> TaxIdsService:
        from app.services.tax_ids import TaxIdsService

        return TaxIdsService(self.store)

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
            tax_ids=self.tax_ids_service,
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
    def easypost_setup_service(self) -> EasyPostSetupService:
        """Mode, keys and "Test connection" (a short-lived gateway per test)."""
        from app.postage.gateway import PRODUCTION_API_BASE, EasyPostGateway, GatewayConfig
        from app.postage.ratelimit import RetryPolicy
        from app.services.easypost_setup import EasyPostSetupService

        def probe(api_base: str, key: str) -> EasyPostGateway:
            # One try, short waits: the answer is for a person waiting at the Setup panel.
            once = RetryPolicy(rate_limit_attempts=1, safe_retry_attempts=0)
            config = GatewayConfig(
                api_base=api_base.rstrip("/"), connect_timeout=5.0, read_timeout=10.0,
                write_timeout=15.0, pool_size=2, retry=once,
            )  # fmt: skip
            return EasyPostGateway(key, config)

        return EasyPostSetupService(
            self.settings_store,
            self.api_keys,
            probe,
            running_mode=lambda: self.easypost_mode,
            sandbox_base=lambda: (
                self.sandbox_api_base
                if self.options.sandbox_process
                else self.sandbox_server.api_base
            ),
            production_base=PRODUCTION_API_BASE,
            explicit_base=lambda: self.options.api_base or os.environ.get("EASYPOST_API_BASE", ""),
            record_mode_change=self._record_mode_change,
        )

    def _record_mode_change(self, before: EasyPostMode, after: EasyPostMode) -> None:
        from app.services.audit import AuditAction

        details = {"from": before.value, "to": after.value}
        self.audit_log.record(AuditAction.SETUP_MODE_CHANGED, details=details)

    @cached_property
    def setup_checklist_service(self) -> SetupChecklistService:
        from app.services.setup_checklist import SetupChecklistService

        return SetupChecklistService(
            self.settings_store,
            self.api_keys,
            self.ship_from_service,
            running_mode=lambda: self.easypost_mode,
        )

    @cached_property
    def desk_settings_service(self) -> DeskSettingsService:
        """Setup > Defaults; a new station name reaches the audit log at once."""
        from app.services.audit import default_station
        from app.services.desk_settings import DeskSettingsService

        def set_station(station: str) -> None:
            if "audit_log" in self.__dict__:  # built already: it stamps entries from now on
                self.audit_log.station = station or default_station()

        return DeskSettingsService(self.settings_store, set_station)

    @cached_property
    def group_defaults_service(self) -> GroupDefaultsService:
        """Setup's package type and services, given to groups nobody has chosen for yet."""
        from app.services.group_defaults import GroupDefaultsService

        return GroupDefaultsService(self.store, self.settings_store)

    @cached_property
    def database_backup_service(self) -> DatabaseBackupService:
        """Copies the database into <profile>/backups with SQLite's backup API (on a PostgreSQL
        profile it gives the pg_dump line instead)."""
        from app.services.database_backup import DatabaseBackupService

        return DatabaseBackupService(
            self.database_file,
            self.paths.root / "backups",
            self.clock,
            pg_dump_command=self.database_location_service.backup_command(),
        )

    @cached_property
    def database_location_service(self) -> DatabaseLocationService:
        """Setup > Profile: the database URL field (try, switch at the next start)."""
        from app.services.database_location import DatabaseLocationService

        return DatabaseLocationService(
            self.settings_store, self.database_url, override=self.options.db, clock=self.clock
        )

    @cached_property
    def sandbox_server(self) -> SandboxServer:
        """The profile's own sandbox, started in-process on a free loopback port."""
        from app.postage.sandbox.server import SandboxServer

        private_dir(self.paths.root)
        from app.postage.sandbox.clock import SandboxClock

        start = self.clock().replace(tzinfo=UTC)
        server = SandboxServer(self.paths.sandbox_state, clock=SandboxClock(start))
        server.start()
        self._closers.append(_Stopper(server))
        return server

    def _sandbox_child(self) -> str | None:
        """The profile's sandbox started as a child process: its api_base, or None when it
        could not start for another reason than a running sandbox (then the caller serves
        one in-process, as before)."""
        from app.postage.sandbox.child import SandboxProcess

        private_dir(self.paths.root)
        start = self.clock().replace(tzinfo=UTC)
        where = ["--profile", self.options.profile]
        if self.options.home is not None:
            where += ["--home", str(self.options.home)]
        child = SandboxProcess(self.paths.sandbox_state, start, where)
        try:
            child.start()
        except AppError as error:
            if error.kind is ErrorKind.CONFLICT:
                raise
            logging.getLogger(__name__).warning("sandbox child: %s %s", error, error.hint)
            return None
        self._closers.append(child)
        return child.api_base

    @cached_property
    def sandbox_api_base(self) -> str:
        """The profile's sandbox: the one another Packdesk process runs (the demo window), if
        it answers, else our own (issue 9: the CLI works beside the GUI)."""
        from app.postage.sandbox.discovery import running_sandbox

        state = self.paths.sandbox_state
        # The demo window outlives a CLI command: it serves its own sandbox when it can.
        running = None if self.options.demo else running_sandbox(state)
        if running is not None:
            return running
        try:
            if self.options.sandbox_process:
                child = self._sandbox_child()
                if child is not None:
                    return child
            return self.sandbox_server.api_base
        except AppError as error:
            # Started by another process between the look and our start: use that one.
            running = running_sandbox(state) if error.kind is ErrorKind.CONFLICT else None
            if running is None:
                raise
            return running

    @cached_property
    def gateway(self) -> EasyPostGateway:
        """The EasyPost gateway: --api-base / $EASYPOST_API_BASE, else the mode's server."""
        from app.postage.gateway import (  # easypost loads only when a command needs it
            PRODUCTION_API_BASE,
            EasyPostGateway,
            GatewayConfig,
            is_loopback,
        )

        explicit = _checked_api_base(
            self.options.api_base or os.environ.get("EASYPOST_API_BASE", "")
        )
        configured = explicit or self.settings.easypost.api_base
        if self.easypost_mode is EasyPostMode.SANDBOX:
            api_base = configured or self.sandbox_api_base
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

        return PreflightService(self.store, self.gateway, clock=self.clock)

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
            clock=self.clock,
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

        # The station named in Setup, else $PACKDESK_STATION or the host name.
        return AuditLog(
            self.store, station=self.settings.desk.station.strip() or None, clock=self.clock
        )

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
            clock=self.clock,
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
            clock=self.clock,
        )

    @cached_property
    def printer_setup_service(self) -> PrinterSetupService:
        """Add, remove and choose printers: one set of rules for the CLI and the Setup panel."""
        from app.services.print_queue import open_configured_printer
        from app.services.printer_setup import PrinterSetupService

        def discover() -> list[FoundPrinter]:
            from printers.discovery import discover as usb_discover  # pyusb only when asked

            return usb_discover()

        def running_queues() -> list[PrintQueue]:
            # Only queues already open: asking for status must not start the print queues.
            queues = self.__dict__.get("print_queue_service")
            return queues.queues() if queues is not None else []

        return PrinterSetupService(
            self.settings_store,
            open_configured_printer,
            discover=discover,
            running_queues=running_queues,
        )

    @cached_property
    def scan_to_ship_service(self) -> ScanToShipService:
        from app.services.scan_to_ship import ScanToShipService

        return ScanToShipService(self.store, self.audit_log, clock=self.clock)

    @cached_property
    def scan_form_service(self) -> ScanFormService:
        from app.services.scan_forms import ScanFormService

        return ScanFormService(
            self.store, lambda: self.gateway, self.audit_log, self.paths.documents, clock=self.clock
        )  # built on first use: listing and printing forms need no API key

    @cached_property
    def refund_service(self) -> RefundService:
        from app.services.refunds import RefundService

        return RefundService(self.store, self.gateway, self.audit_log, clock=self.clock)

    @cached_property
    def relabel_service(self) -> RelabelService:
        """Orders whose address changed after their label was bought: refund and rebuy."""
        from app.services.relabel import RelabelService

        return RelabelService(
            self.store,
            lambda: self.refund_service,
            lambda: self.purchase_service,
            self.audit_log,
            verifier=lambda: self.preflight_service,
            clock=self.clock,
        )

    @cached_property
    def pickup_service(self) -> PickupService:
        from app.services.pickups import PickupService

        return PickupService(  # the gateway lazily, as above
            self.store, lambda: self.gateway, self.audit_log, clock=self.clock
        )

    @cached_property
    def tracking_service(self) -> TrackingService:
        from app.services.tracking import TrackingService

        return TrackingService(self.store, self.gateway, self.audit_log, clock=self.clock)

    @cached_property
    def order_detail_service(self) -> OrderDetailService:
        from app.services.order_detail import OrderDetailService

        return OrderDetailService(
            self.store,
            self.history_service,
            self.audit_log,
            verify=lambda address: self.preflight_service.verify(address),  # EasyPost on use
            clock=self.clock,
        )

    @cached_property
    def history_service(self) -> HistoryService:
        from app.services.history import HistoryService

        return HistoryService(self.store, clock=self.clock)

    @cached_property
    def batch_overview_service(self) -> BatchOverviewService:
        from app.services.batches import BatchOverviewService

        return BatchOverviewService(self.store, clock=self.clock)

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


def _checked_api_base(url: str) -> str:
    """`url` when it is an http(s) URL with a host ('' stays ''); else an AppError."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        shown = url if len(url) <= 60 else url[:57] + "..."
        raise AppError(
            f"The EasyPost API base {shown!r} is not an http(s) URL.",
            hint="Give one like https://api.easypost.com/v2 or http://127.0.0.1:PORT/v2 "
            "(--api-base or $EASYPOST_API_BASE).",
            kind=ErrorKind.INVALID_INPUT,
        )
    return url


def system_clock() -> datetime:
    """Now in UTC, naive, from the operating system (the default clock of a run)."""
    return utc_now()


def build_context(options: RuntimeOptions) -> AppContext:
    """Wire the application for `options`."""
    return AppContext(options)
