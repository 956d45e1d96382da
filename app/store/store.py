"""The order cache: open (and migrate) a database file, and hand out short transactions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import AppError, ErrorKind
from app.store.address_checks_repo import AddressCheckRepository
from app.store.audit_repo import AuditRepository
from app.store.base import Base
from app.store.batches_repo import BatchRepository
from app.store.changes import ChangeWatcher, bump_if_written, track_writes
from app.store.claims_repo import ClaimRepository
from app.store.db_errors import database_errors_as_app_errors, server_unreachable
from app.store.documents_repo import DocumentsRepository
from app.store.email_repo import EmailRepository
from app.store.engine import BEGIN_MODE_OPTION, make_engine
from app.store.groups_repo import GroupRepository
from app.store.history_repo import HistoryRepository
from app.store.insurance_repo import InsuranceRepository
from app.store.items_repo import ItemRepository
from app.store.labels_repo import LabelRepository
from app.store.lease_repo import LeaseRepository
from app.store.migrate import MigrationOutcome, migrate_database
from app.store.order_list_repo import OrderListRepository
from app.store.order_numbers_repo import OrderNumberRepository
from app.store.orders_repo import OrderRepository
from app.store.package_types_repo import PackageTypeRepository
from app.store.pickups_repo import PickupRepository
from app.store.postgres import (
    is_postgres_url,
    make_url_password,
    mirror_partial_indexes,
    redacted,
)
from app.store.print_jobs_repo import PrintJobRepository
from app.store.purchases_repo import PurchaseRepository
from app.store.rolls_repo import RollRepository
from app.store.scan_forms_repo import ScanFormRepository
from app.store.ship_from_repo import ShipFromRepository
from app.store.shipping_repo import ShippingRepository
from app.store.station_printers_repo import StationPrinterRepository
from app.store.tax_ids_repo import TaxIdRepository

_log = logging.getLogger(__name__)

# Every model is imported by now: partial indexes written for SQLite are partial on PostgreSQL
# too (the migrations get the same through a DDL compiler hook in app.store.postgres).
mirror_partial_indexes(Base.metadata)


class StoreTransaction:
    """The repositories of one transaction; it commits when the `with` block ends cleanly."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def orders(self) -> OrderRepository:
        return OrderRepository(self.session)

    @cached_property
    def items(self) -> ItemRepository:
        return ItemRepository(self.session)

    @cached_property
    def package_types(self) -> PackageTypeRepository:
        return PackageTypeRepository(self.session)

    @cached_property
    def groups(self) -> GroupRepository:
        return GroupRepository(self.session)

    @cached_property
    def ship_from(self) -> ShipFromRepository:
        return ShipFromRepository(self.session)

    @cached_property
    def batches(self) -> BatchRepository:
        return BatchRepository(self.session)

    @cached_property
    def purchases(self) -> PurchaseRepository:
        return PurchaseRepository(self.session)

    @cached_property
    def labels(self) -> LabelRepository:
        return LabelRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def address_checks(self) -> AddressCheckRepository:
        return AddressCheckRepository(self.session)

    @cached_property
    def tax_ids(self) -> TaxIdRepository:
        return TaxIdRepository(self.session)

    @cached_property
    def shipping(self) -> ShippingRepository:
        return ShippingRepository(self.session)

    @cached_property
    def scan_forms(self) -> ScanFormRepository:
        return ScanFormRepository(self.session)

    @cached_property
    def pickups(self) -> PickupRepository:
        return PickupRepository(self.session)

    @cached_property
    def print_jobs(self) -> PrintJobRepository:
        return PrintJobRepository(self.session)

    @cached_property
    def rolls(self) -> RollRepository:
        return RollRepository(self.session)

    @cached_property
    def lease(self) -> LeaseRepository:
        return LeaseRepository(self.session)

    @cached_property
    def history(self) -> HistoryRepository:
        return HistoryRepository(self.session)

    @cached_property
    def order_numbers(self) -> OrderNumberRepository:
        return OrderNumberRepository(self.session)

    @cached_property
    def order_list(self) -> OrderListRepository:
        return OrderListRepository(self.session)

    @cached_property
    def documents(self) -> DocumentsRepository:
        return DocumentsRepository(self.session)

    @cached_property
    def emails(self) -> EmailRepository:
        return EmailRepository(self.session)

    @cached_property
    def insurance(self) -> InsuranceRepository:
        return InsuranceRepository(self.session)

    @cached_property
    def claims(self) -> ClaimRepository:
        return ClaimRepository(self.session)

    @cached_property
    def printers(self) -> StationPrinterRepository:
        return StationPrinterRepository(self.session)


class Store:
    """An open, migrated database. Thread-safe: every `transaction()` gets its own session."""

    def __init__(
        self, path: Path, engine: Engine, migration: MigrationOutcome, *, url: str | None = None
    ) -> None:
        # For PostgreSQL, `path` is a local anchor for this desk's side files (side journal,
        # printer locks) and `url` the server's address without its password.
        self.path = path
        self.url = url
        self.engine = engine
        self.migration = migration
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.write_sessions: sessionmaker[Session] = sessionmaker(
            engine.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"}), expire_on_commit=False
        )
        # Per-order writes on a server share the writer lock (see `transaction`); SQLite has one
        # kind of writer.
        self.order_sessions: sessionmaker[Session] = (
            sessionmaker(
                engine.execution_options(**{BEGIN_MODE_OPTION: "SHARED"}), expire_on_commit=False
            )
            if engine.dialect.name == "postgresql"
            else self.write_sessions
        )
        track_writes(engine, self.sessions, self.write_sessions, self.order_sessions)

    @contextmanager
    def transaction(
        self, *, write: bool = False, own_rows: bool = False, one_order: bool = False
    ) -> Iterator[StoreTransaction]:
        """One short transaction: commit on success, roll back on any exception.

        `write=True` takes SQLite's write lock at BEGIN (waiting up to the busy timeout), so what
        the transaction reads cannot change before it writes. A deferred transaction that reads
        and then writes fails at once with "database is locked" if another connection wrote in
        between, which worker threads and a second process (CLI beside the GUI) would hit.

        `own_rows=True` (with `write`) says the transaction changes only rows no other desk
        decides on (a claimed order's journal row between open states, its label's file paths,
        a cache row written by one upsert): on a server database it then takes no writer lock,
        row locks suffice, so desks buying at once do not queue behind one lock for every step;
        SQLite takes its write lock as always.

        `one_order=True` (with `write`) says the transaction reads and decides about one order
        its desk has claimed (its purchase intent, its bought label): on a server it takes the
        writer lock in shared mode, so such transactions of several desks run side by side,
        while every other writer (import, hold, scan, ...) still waits for them and they for it.
        """
        if not write or (own_rows and self.shared):
            factory = self.sessions
        elif one_order:
            factory = self.order_sessions
        else:
            factory = self.write_sessions
        with database_errors_as_app_errors(self.path), factory.begin() as session:
            yield StoreTransaction(session)
            # Other desks and windows follow this counter (app.services.live_updates). A desk's
            # own rows (a journal step between open states, file paths) show nowhere else: no
            # raise, so the one counter row is not one more queue for desks buying at once.
            if not (own_rows and self.shared):
                bump_if_written(session, datetime.now(UTC).replace(tzinfo=None))

    def watcher(self) -> ChangeWatcher:
        """A new watcher of the change counter (close it when the window closes)."""
        return ChangeWatcher(self.engine)

    @property
    def engine_name(self) -> str:
        """ "sqlite" or "postgresql": only for messages and the store's own choices."""
        return self.engine.dialect.name

    @property
    def shared(self) -> bool:
        """True when several desks may use this database at once (a server, not a file)."""
        return self.engine_name != "sqlite"

    @property
    def target(self) -> Path | str:
        """What `open_store` takes to open this database again (another connection, same data)."""
        return self.url if self.url is not None else self.path

    @property
    def display_name(self) -> str:
        """What a person sees for this database: the file, or the server URL without password."""
        return self.url or str(self.path)

    def close(self) -> None:
        self.engine.dispose()


def open_store(
    path: Path | str, *, password: str | None = None, anchor: Path | None = None
) -> Store:
    """Open the database at `path`, creating it or upgrading it (after a backup) as needed.

    `path` may be a PostgreSQL URL (`postgresql://user@host:5432/db`); then `password` is its
    password (from the keyring, else libpq reads ~/.pgpass) and `anchor` the local file this
    desk's side files sit beside.

    Raises:
        AppError: (kind DATABASE) when the folder cannot be created or the file is refused.
    """
    if isinstance(path, str):
        if is_postgres_url(path):
            return _open_server(path, password=password, anchor=anchor)
        path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AppError(
            f"Cannot create the folder for the database {path}: {error.strerror}",
            hint="Choose a writable location with --db or $PACKDESK_DB.",
            kind=ErrorKind.DATABASE,
            details={"path": str(path)},
        ) from error
    engine = make_engine(path)
    try:
        migration = migrate_database(engine, path)
    except BaseException:
        engine.dispose()
        raise
    if migration.created:
        _log.info("Created the database %s at schema %s", path, migration.revision)
    elif migration.upgraded:
        _log.warning(
            "Upgraded the database %s from schema %s to %s; the old file is kept as %s",
            path,
            migration.previous_revision,
            migration.revision,
            migration.backup,
        )
    return Store(path, engine, migration)


def _open_server(url: str, *, password: str | None, anchor: Path | None) -> Store:
    shown = redacted(url)
    if password is None and shown != url.strip():
        # A password typed into --db works for this run; it is never stored or shown.
        password = make_url_password(url)
    local = anchor if anchor is not None else Path.cwd() / "packdesk-postgresql.local"
    with suppress(OSError):  # only side files live there; writing them reports its own error
        local.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url, password=password)
    try:
        migration = migrate_database(engine, Path(shown))
    except OperationalError as error:
        engine.dispose()
        raise server_unreachable(shown, error) from None
    except BaseException:
        engine.dispose()
        raise
    if migration.created:
        _log.info("Created the schema %s in %s", migration.revision, shown)
    elif migration.upgraded:
        _log.warning(
            "Upgraded %s from schema %s to %s",
            shown,
            migration.previous_revision,
            migration.revision,
        )
    return Store(local, engine, migration, url=shown)
