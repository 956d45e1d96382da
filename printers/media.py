"""Label stock a printer is loaded with: size and how the printer finds the next label."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from printers.errors import PrinterError, PrinterErrorKind
from printers.models import PrinterModel, Protocol


class Sensing(StrEnum):
    """How the printer finds where a label starts."""

    GAP = "gap"  # die-cut labels on a liner: the gap (web) between labels
    CONTINUOUS = "continuous"  # one long strip: the printer feeds exactly the label length


@dataclass(frozen=True)
class Media:
    """One kind of label stock; `gap_mm` is the liner gap between die-cut labels."""

    name: str
    width_in: float
    height_in: float
    sensing: Sensing
    gap_mm: float = 3.0

    def gap_dots(self, dpi: int) -> int:
        """The gap in printer dots (0 on continuous stock, which EPL2 reads as continuous)."""
        if self.sensing is Sensing.CONTINUOUS:
            return 0
        return round(self.gap_mm / 25.4 * dpi)


#: The stock a desk loads for USPS labels (all 4x6: that is the size EasyPost sells).
MEDIA: dict[str, Media] = {
    m.name: m
    for m in (
        Media("4x6 roll", 4, 6, Sensing.GAP),
        Media("4x6 fan-fold", 4, 6, Sensing.GAP),
        Media("4x6 continuous", 4, 6, Sensing.CONTINUOUS),
    )
}
DEFAULT_MEDIA = MEDIA["4x6 roll"]


def get_media(name: str) -> Media:
    """The media called `name` ("" = the 4x6 die-cut roll).

    Raises:
        PrinterError: UNSUPPORTED for a name not in MEDIA.
    """
    if not name.strip():
        return DEFAULT_MEDIA
    found = MEDIA.get(name.strip())
    if found is None:
        raise PrinterError(
            PrinterErrorKind.UNSUPPORTED,
            f"unknown label media {name!r}",
            hint="Use one of: " + ", ".join(MEDIA),
        )
    return found


def check_media(media: Media, model: PrinterModel) -> None:
    """Refuse stock `model`'s driver cannot print on.

    Raises:
        PrinterError: UNSUPPORTED (DYMO LabelWriters find labels by their die-cut holes, so
            they print on die-cut stock only).
    """
    dymo = model.family in (Protocol.DYMO_LW, Protocol.DYMO_550)
    if dymo and media.sensing is not Sensing.GAP:
        raise PrinterError(
            PrinterErrorKind.UNSUPPORTED,
            f"the {model.display_name} cannot print on {media.name} stock",
            hint="Load die-cut 4x6 labels and set this printer's media to '4x6 roll'.",
        )
