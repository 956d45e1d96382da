"""The order cache: open (and migrate) a database file, and hand out short transactions."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import AppError, ErrorKind
from app.store.address_checks_repo import AddressCheckRepository
from app.store.audit_repo import AuditRepository
from app.store.batches_repo import BatchRepository
from app.store.db_errors import database_errors_as_app_errors
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
from app.store.print_jobs_repo import PrintJobRepository
from app.store.purchases_repo import PurchaseRepository
from app.store.rolls_repo import RollRepository
from app.store.scan_forms_repo import ScanFormRepository
from app.store.ship_from_repo import ShipFromRepository
from app.store.shipping_repo import ShippingRepository
from app.store.tax_ids_repo import TaxIdRepository

_log = logging.getLogger(__name__)


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


class Store:
    """An open, migrated database. Thread-safe: every `transaction()` gets its own session."""

    def __init__(self, path: Path, engine: Engine, migration: MigrationOutcome) -> None:
        self.path = path
        self.engine = engine
        self.migration = migration
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.write_sessions: sessionmaker[Session] = sessionmaker(
            engine.execution_options(**{BEGIN_MODE_OPTION: "IMMEDIATE"}), expire_on_commit=False
        )

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[StoreTransaction]:
        """One short transaction: commit on success, roll back on any exception.

        `write=True` takes SQLite's write lock at BEGIN (waiting up to the busy timeout), so what
        the transaction reads cannot change before it writes. A deferred transaction that reads
        and then writes fails at once with "database is locked" if another connection wrote in
        between, which worker threads and a second process (CLI beside the GUI) would hit.
        """
        factory = self.write_sessions if write else self.sessions
        with database_errors_as_app_errors(self.path), factory.begin() as session:
            yield StoreTransaction(session)

    def close(self) -> None:
        self.engine.dispose()


def open_store(path: Path) -> Store:
    """Open the database at `path`, creating it or upgrading it (after a backup) as needed.

    Raises:
        AppError: (kind DATABASE) when the folder cannot be created or the file is refused.
    """
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
