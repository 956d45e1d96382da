"""A small fsync'd file beside the database for bought labels the database could not take.

When the database cannot be written at all (disk full, read-only file, I/O error), a label
EasyPost just sold is appended here, one JSON line each, so its shipment, tracking number and
cost survive; the next run folds the lines back into the journal (`unrecorded` rows) and empties
the file. Written only on that failure path, so it costs nothing on a normal run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SideEntry:
    """One bought label the database refused, as it will be folded back."""

    purchase_id: int
    reference: str
    order_id: int
    shipment_id: str
    tracking_code: str
    rate_id: str
    service: str
    amount_usd: str  # exact decimal text
    reason: str

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_usd)


def side_journal_path(database: Path) -> Path:
    """Beside the database file itself (symlinks resolved: every alias finds the same file)."""
    real = database.resolve()
    return real.with_name(real.name + ".unrecorded.jsonl")


class SideJournal:
    """Append-only JSON lines, fsync'd on every append; read and cleared by the next run."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: SideEntry) -> bool:
        """Write `entry` durably; False when even this file cannot be written (logged)."""
        line = json.dumps(asdict(entry), sort_keys=True) + "\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as error:
            log.critical(
                "bought label %s (shipment %s) could not be written anywhere: %s; "
                "the next run finds it at EasyPost by its journal row",
                entry.tracking_code,
                entry.shipment_id,
                error.strerror,
            )
            return False
        return True

    def entries(self) -> list[SideEntry]:
        """Every entry written and not folded back yet (a torn last line is skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found: list[SideEntry] = []
        for line in text.splitlines():
            try:
                found.append(SideEntry(**json.loads(line)))
            except (ValueError, TypeError):
                log.warning("skipping a torn line in %s", self.path.name)
        return found

    def clear(self) -> None:
        """Empty the file once its entries are in the database."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
