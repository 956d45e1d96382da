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

if TYPE_CHECKING:
    from app.services.catalog import CatalogService
    from app.services.grouping import GroupingService
    from app.services.importing import ImportService
    from app.services.orders import OrderService
    from app.services.ship_from import ShipFromService
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
    def database_file(self) -> Path:
        """The SQLite file this run uses (--db, $PACKDESK_DB, or the profile's)."""
        return database_path(self.paths, self.options.db)

    # -- order cache and the services on it (opened on first use) ----------------------------

    @cached_property
    def store(self) -> Store:
        """The order cache, opened and migrated on first use (AppError DATABASE if refused)."""
        from app.store import open_store

        store = open_store(self.database_file)
        self._closers.append(store)
        return store

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


def build_context(options: RuntimeOptions) -> AppContext:
    """Wire the application for `options`."""
    return AppContext(options)
