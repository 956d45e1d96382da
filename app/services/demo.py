"""Demo seeding: a fresh `demo` profile gets sample orders, SKU data, packages and a printer."""

from __future__ import annotations

import importlib.resources
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from app.domain.groups import PackageGroup
from app.domain.items import Item
from app.domain.order_flow import StatusAction
from app.domain.orders import Address
from app.domain.packages import PackageType
from app.domain.ship_from import ShipFromAddress
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.catalog import ItemChanges
from app.services.importing import ImportReport
from app.services.orders import OrderSelection, StatusChangeReport

log = logging.getLogger(__name__)

#: The sample the demo imports (a Kickstarter backer report with 500 orders and a few bad rows).
DEMO_SAMPLE = "kickstarter_backer_report.csv"
#: The ship-from address is saved last, so its presence means the seed finished.
DEMO_SHIP_FROM_LABEL = "Demo warehouse"
#: The printer the demo prints to: PNG previews only, nothing leaves the machine.
DEMO_PRINTER_NAME = "Demo printer (virtual)"
DEMO_PRINTER_URI = "virtual://demo"
DEMO_PRINTER_MODEL = "zd421-203"

#: Seeding progress: (step number, number of steps, what is happening).
SeedProgress = Callable[[int, int, str], None]


def _no_progress(step: int, steps: int, message: str) -> None:
    """The default: nobody is listening."""


@dataclass(frozen=True, slots=True)
class DemoSku:
    """What the demo knows about one sample SKU; empty customs fields are left out on purpose."""

    weight_oz: Decimal
    value_usd: Decimal
    hts_code: str = ""
    description: str = ""
    origin: str = ""
    media_mail: bool = False


# Realistic weights and values. The playmat has no HTS code and the enamel pin no origin, so the
# customs check has something to show for the international orders that include them.
DEMO_SKUS: dict[str, DemoSku] = {
    "LANTERNS-OF-THE-DEEP-CORE-GAME": DemoSku(
        Decimal("46"), Decimal("45"), "9504.90.6000", "Board game", "CN"
    ),
    "DELUXE-UPGRADE-PACK": DemoSku(
        Decimal("14"), Decimal("25"), "9504.90.6000", "Board game components", "CN"
    ),
    "STICKER-SHEET": DemoSku(
        Decimal("0.4"), Decimal("3"), "4911.91.4000", "Printed paper stickers", "US"
    ),
    "ART-BOOK-HARDCOVER": DemoSku(
        Decimal("28"), Decimal("35"), "4901.99.0093", "Printed art book", "US", media_mail=True
    ),
    "ENAMEL-PIN": DemoSku(Decimal("0.6"), Decimal("10"), "7117.90.9000", "Enamel lapel pin"),
    "NEOPRENE-PLAYMAT": DemoSku(Decimal("16"), Decimal("30"), "", "Neoprene game mat", "CN"),
    "T-SHIRT-M": DemoSku(Decimal("5.8"), Decimal("20"), "6109.10.0012", "Cotton t-shirt", "HN"),
    "T-SHIRT-L": DemoSku(Decimal("6.4"), Decimal("20"), "6109.10.0012", "Cotton t-shirt", "HN"),
    "T-SHIRT-XL": DemoSku(Decimal("7.1"), Decimal("20"), "6109.10.0012", "Cotton t-shirt", "HN"),
}


@dataclass(frozen=True, slots=True)
class DemoPackage:
    """A package type the demo adds: predefined, or L x W x H inches."""

    name: str
    predefined: str | None = None
    dimensions: tuple[Decimal, Decimal, Decimal] | None = None
    empty_weight_oz: Decimal = Decimal(0)


POLY_MAILER = DemoPackage(
    "Poly mailer 10x13",
    dimensions=(Decimal(13), Decimal(10), Decimal(1)),
    empty_weight_oz=Decimal("0.6"),
)
BOX_12X9X4 = DemoPackage(
    "Box 12x9x4", dimensions=(Decimal(12), Decimal(9), Decimal(4)), empty_weight_oz=Decimal(7)
)
BOX_14X10X6 = DemoPackage(
    "Box 14x10x6", dimensions=(Decimal(14), Decimal(10), Decimal(6)), empty_weight_oz=Decimal(11)
)
FLAT_RATE_BOX = DemoPackage("Medium Flat Rate Box", predefined="MediumFlatRateBox")
DEMO_PACKAGES: tuple[DemoPackage, ...] = (POLY_MAILER, BOX_12X9X4, BOX_14X10X6, FLAT_RATE_BOX)

#: A real ZIP/city/state triple (the sandbox checks the ZIP belongs to the state).
DEMO_SHIP_FROM = Address(
    name="Shipping Desk",
    company="Lantern Games",
    street1="1200 NW Naito Pkwy",
    street2="Suite 110",
    city="Portland",
    state="OR",
    postal_code="97209",
    country="US",
    phone="5035550142",
    email="ship@lanterngames.example",
)

#: How many of the biggest groups get a package type and services.
ASSIGNED_GROUPS = 8
#: First-Class Package International Service takes parcels up to 4 lb; heavier go Priority.
FIRST_CLASS_INTERNATIONAL_MAX_OZ = Decimal(64)


@dataclass(frozen=True, slots=True)
class DemoSeedReport:
    """What a seed did. `seeded` is False when the profile was seeded before (nothing changed)."""

    seeded: bool
    orders_created: int = 0
    import_errors: int = 0
    skus_updated: tuple[str, ...] = ()
    package_types_added: tuple[str, ...] = ()
    groups_assigned: tuple[str, ...] = ()
    orders_marked_ready: int = 0
    ship_from: str = DEMO_SHIP_FROM_LABEL
    printer: str | None = None


class ImportSource(Protocol):
    def import_file(self, path: Path) -> ImportReport: ...


class CatalogSource(Protocol):
    def list_items(self) -> list[Item]: ...

    def update_item(self, sku: str, changes: ItemChanges, *, create: bool = False) -> Item: ...

    def list_package_types(self) -> list[PackageType]: ...

    def add_package_type(
        self,
        name: str,
        *,
        predefined: str | None = None,
        dimensions: tuple[Decimal, Decimal, Decimal] | None = None,
        empty_weight_oz: Decimal = Decimal(0),
        machinable: bool = True,
        irregular: bool = False,
    ) -> PackageType: ...


class OrdersSource(Protocol):
    def change_status(
        self, action: StatusAction, selection: OrderSelection
    ) -> StatusChangeReport: ...


class GroupsSource(Protocol):
    def groups(self) -> list[PackageGroup]: ...

    def assign(
        self,
        group_id: str,
        *,
        package_type: str | None,
        service: str | None,
        international_service: str | None = None,
    ) -> PackageGroup | None: ...


class ShipFromSource(Protocol):
    def list_addresses(self) -> list[ShipFromAddress]: ...

    def add(
        self, label: str, address: Address, *, make_default: bool = False
    ) -> ShipFromAddress: ...


#: Makes the demo printer the default; returns its URI (None when printers are not set up).
PrinterSetup = Callable[[], str | None]


def import_packaged_sample(importer: ImportSource, name: str) -> ImportReport:
    """Import a packaged sample through a real file path (zip installs extract it first)."""
    resource = importlib.resources.files("app.resources.samples").joinpath(name)
    with importlib.resources.as_file(resource) as path:
        return importer.import_file(path)


#: Made-up identifiers in the right shape: a Germany-issued IOSS (Kickstarter's, for the
#: sample's Kickstarter backers) and a UK VAT number.
DEMO_TAX_IDS = {"kickstarter_ioss": "IM2760000742", "uk_vat": "GB123456789"}


class TaxIdsTarget(Protocol):
    """Where the demo puts its tax identifiers (TaxIdsService)."""

    def set(self, **changes: str | None) -> object: ...


class DemoSeeder:
    """Seeds a demo profile. Idempotent: every step only adds what is missing, and a profile
    whose demo ship-from address exists (the last step) is left alone entirely.

    Args:
        importer, catalog, orders, groups, ship_from: the services the steps use.
        setup_printer: configures the demo's virtual printer as the default (optional).
        sample: the packaged sample file to import.
    """

    STEPS = 6

    def __init__(
        self,
        *,
        importer: ImportSource,
        catalog: CatalogSource,
        orders: OrdersSource,
        groups: GroupsSource,
        ship_from: ShipFromSource,
        setup_printer: PrinterSetup | None = None,
        sample: str = DEMO_SAMPLE,
        tax_ids: TaxIdsTarget | None = None,
    ) -> None:
        self._tax_ids = tax_ids
        self._importer = importer
        self._catalog = catalog
        self._orders = orders
        self._groups = groups
        self._ship_from = ship_from
        self._setup_printer = setup_printer
        self._sample = sample

    def is_seeded(self) -> bool:
        return any(a.label == DEMO_SHIP_FROM_LABEL for a in self._ship_from.list_addresses())

    def seed(self, progress: SeedProgress = _no_progress) -> DemoSeedReport:
        """Seed what is missing; returns what was done (seeded=False: nothing to do)."""
        if self.is_seeded():
            return DemoSeedReport(seeded=False)
        steps = self.STEPS
        progress(1, steps, "Importing the sample Kickstarter backer report")
        imported = import_packaged_sample(self._importer, self._sample)
        progress(2, steps, "Filling in SKU weights, values and customs data")
        skus = self._complete_skus()
        progress(3, steps, "Adding package types")
        packages = self._add_package_types()
        progress(4, steps, "Marking the orders ready to ship")
        ready = self._orders.change_status(StatusAction.READY, OrderSelection(all=True))
        progress(5, steps, "Choosing packages and services for the biggest groups")
        assigned = self._assign_groups()
        printer = self._setup_printer() if self._setup_printer is not None else None
        progress(6, steps, "Adding the ship-from address")
        if self._tax_ids is not None:  # the demo's EU and UK backers need them (issue 12)
            self._tax_ids.set(**DEMO_TAX_IDS)
        self._ship_from.add(DEMO_SHIP_FROM_LABEL, DEMO_SHIP_FROM, make_default=True)
        report = DemoSeedReport(
            seeded=True,
            orders_created=imported.orders_created,
            import_errors=len(imported.errors),
            skus_updated=skus,
            package_types_added=packages,
            groups_assigned=assigned,
            orders_marked_ready=len(ready.changed),
            printer=printer,
        )
        log.info("demo seeded: %s", report)
        return report

    def _complete_skus(self) -> tuple[str, ...]:
        changed = []
        for item in self._catalog.list_items():
            demo = DEMO_SKUS.get(item.sku)
            if demo is None:
                continue
            changes = _changes_for(item, demo)
            if changes != ItemChanges():
                self._catalog.update_item(item.sku, changes)
                changed.append(item.sku)
        return tuple(changed)

    def _add_package_types(self) -> tuple[str, ...]:
        existing = {pt.name for pt in self._catalog.list_package_types()}
        added = []
        for package in DEMO_PACKAGES:
            if package.name in existing:
                continue
            self._catalog.add_package_type(
                package.name,
                predefined=package.predefined,
                dimensions=package.dimensions,
                empty_weight_oz=package.empty_weight_oz,
            )
            added.append(package.name)
        return tuple(added)

    def _assign_groups(self) -> tuple[str, ...]:
        assigned = []
        for group in self._groups.groups()[:ASSIGNED_GROUPS]:
            if group.package_type:
                continue  # the user chose already (Setup's default services alone are not a
                # choice: every import gives them to new groups)
            package, service = choose_package(group)
            self._groups.assign(
                group.group_id,
                package_type=package.name,
                service=service,
                international_service=choose_international_service(group, package),
            )
            assigned.append(group.group_id)
        return tuple(assigned)


def _changes_for(item: Item, demo: DemoSku) -> ItemChanges:
    """Only the fields that differ from the demo's values (so a re-run writes nothing)."""
    hts = demo.hts_code.replace(".", "")
    return ItemChanges(
        weight_oz=demo.weight_oz if item.weight_oz != demo.weight_oz else None,
        value_usd=demo.value_usd if item.value_usd != demo.value_usd else None,
        hts_code=demo.hts_code if item.hts_code != hts else None,
        customs_description=(
            demo.description if item.customs_description != demo.description else None
        ),
        origin_country=demo.origin if item.origin_country != demo.origin else None,
        media_mail_eligible=(
            demo.media_mail if item.media_mail_eligible != demo.media_mail else None
        ),
    )


def choose_package(group: PackageGroup) -> tuple[DemoPackage, str]:
    """What a packer would pick: soft goods in a mailer, one game in a small box, a bundle in
    a bigger box, the heaviest bundles in a flat rate box by Priority Mail."""
    skus = {sku for sku, _ in group.multiset}
    soft = {"T-SHIRT-M", "T-SHIRT-L", "T-SHIRT-XL", "STICKER-SHEET", "ENAMEL-PIN"}
    weight = sum(
        (DEMO_SKUS[sku].weight_oz * qty for sku, qty in group.multiset if sku in DEMO_SKUS),
        start=Decimal(0),
    )
    if skus <= soft:
        return POLY_MAILER, "GroundAdvantage"
    if weight <= Decimal(50):
        return BOX_12X9X4, "GroundAdvantage"
    if "ART-BOOK-HARDCOVER" in skus:
        return FLAT_RATE_BOX, "Priority"
    return BOX_14X10X6, "GroundAdvantage"


def choose_international_service(group: PackageGroup, package: DemoPackage) -> str:
    """The group's service abroad: First-Class Package International up to 4 lb (packed),
    Priority Mail International for heavier parcels and flat rate boxes."""
    weight = package.empty_weight_oz + sum(
        (DEMO_SKUS[sku].weight_oz * qty for sku, qty in group.multiset if sku in DEMO_SKUS),
        start=Decimal(0),
    )
    if package.predefined is None and weight <= FIRST_CLASS_INTERNATIONAL_MAX_OZ:
        return "FirstClassPackageInternationalService"
    return "PriorityMailInternational"


class PrinterSettingsFile(Protocol):
    """The profile's settings file (app.infra.settings.SettingsStore)."""

    def load(self) -> Any: ...

    def update_printers(self, printers: PrinterSettings) -> Any: ...


def demo_printer_setup(settings: PrinterSettingsFile) -> PrinterSetup:
    """Adds the demo's virtual printer (once) and makes it the default when none is set."""

    def setup() -> str:
        printers: PrinterSettings = settings.load().printers
        changed = printers
        if printers.find(DEMO_PRINTER_URI) is None:
            demo = ConfiguredPrinter(DEMO_PRINTER_NAME, DEMO_PRINTER_URI, DEMO_PRINTER_MODEL)
            changed = replace(changed, configured=(*changed.configured, demo))
        if not changed.default:
            changed = replace(changed, default=DEMO_PRINTER_NAME)
        if changed != printers:
            settings.update_printers(changed)
        return DEMO_PRINTER_URI

    return setup
