"""Printers of every station: each station publishes the printers in its settings to the
database, and any desk can send labels to any of them (the owning station prints them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import AppError, ErrorKind
from app.infra.settings import PrinterSettings
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.station_printers_repo import StationPrinter
from printers.uri import parse_uri

__all__ = ["PrinterChoice", "StationPrinter", "StationPrinterDirectory", "split_station"]


@dataclass(frozen=True, slots=True)
class PrinterChoice:
    """One printer a desk may print on: its own (`here`), or another station's."""

    printer: StationPrinter
    here: bool

    @property
    def text(self) -> str:
        """What a picker shows: the name, and the station for another station's printer."""
        return (
            self.printer.name if self.here else f"{self.printer.name} (at {self.printer.station})"
        )

    @property
    def spec(self) -> str:
        """What `buy --printer` takes for it: the URI here, NAME@STATION elsewhere."""
        return self.printer.uri if self.here else self.printer.label


def split_station(spec: str) -> tuple[str, str | None]:
    """`NAME@STATION` -> (NAME, STATION); anything else (a URI, a plain name) -> (spec, None)."""
    if "://" in spec or "@" not in spec:
        return spec, None
    name, _, station = spec.rpartition("@")
    return (name, station) if name and station else (spec, None)


def _canonical(uri: str) -> str:
    try:
        return str(parse_uri(uri))
    except Exception:  # noqa: BLE001 (a URI the queue would refuse anyway: kept as typed)
        return uri


class StationPrinterDirectory:
    """The `printers` table seen from one station."""

    def __init__(
        self,
        store: Store,
        station: Callable[[], str],
        printers: Callable[[], PrinterSettings],
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._station = station
        self._printers = printers
        self._clock = clock

    @property
    def station(self) -> str:
        return self._station()

    def own(self) -> list[StationPrinter]:
        """This station's printers as its settings say (the default printer included)."""
        station = self._station()
        settings = self._printers()
        found = {
            p.name: StationPrinter(station, p.name, _canonical(p.uri), p.model)
            for p in settings.configured
        }
        default = settings.resolve(None)
        if default.name not in found:
            found[default.name] = StationPrinter(
                station, default.name, _canonical(default.uri), default.model
            )
        return sorted(found.values(), key=lambda p: p.name)

    def publish(self) -> None:
        """Write this station's printers to the database, only when they changed (every write
        wakes the other desks' windows)."""
        station, mine = self._station(), self.own()
        with self._store.transaction() as tx:
            if tx.printers.of_station(station) == mine:
                return
        with self._store.transaction(write=True) as tx:
            tx.printers.replace_station(station, mine, self._clock())

    def everywhere(self) -> list[PrinterChoice]:
        """This station's printers first, then every other station's (published first)."""
        self.publish()
        station = self._station()
        with self._store.transaction() as tx:
            rows = tx.printers.all()
        here = [PrinterChoice(p, True) for p in rows if p.station == station]
        there = [PrinterChoice(p, False) for p in rows if p.station != station]
        return here + there

    def elsewhere(self, spec: str) -> StationPrinter | None:
        """Another station's printer named `spec` (`NAME@STATION`, or a name only one other
        station has); None when it is not another station's.

        Raises:
            AppError: NOT_FOUND for NAME@STATION that station has not published; INVALID_INPUT
                for a plain name several other stations have.
        """
        name, station = split_station(spec)
        own = self._station()
        if station == own:
            return None
        with self._store.transaction() as tx:
            rows = [p for p in tx.printers.all() if p.station != own and p.name == name]
        if station is not None:
            for printer in rows:
                if printer.station == station:
                    return printer
            raise AppError(
                f"Station {station!r} has no printer called {name!r}.",
                hint="`packdesk-cli printers list` shows every station's printers (a station "
                "shows its printers once its Packdesk has run with them).",
                kind=ErrorKind.NOT_FOUND,
                details={"printer": spec},
            )
        if len(rows) > 1:
            where = ", ".join(p.label for p in rows)
            raise AppError(
                f"Several stations have a printer called {name!r}: {where}.",
                hint="Name it with its station, e.g. " + rows[0].label + ".",
                kind=ErrorKind.INVALID_INPUT,
                details={"printer": spec},
            )
        return rows[0] if rows else None
