"""Package types: a USPS predefined package or a custom box, with its empty weight."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class PackageType:
    """What the items go in. Either `predefined` (EasyPost's USPS name) or all three dimensions.

    Dimensions are inches, weight ounces.
    """

    name: str
    predefined: str | None = None
    length_in: Decimal | None = None
    width_in: Decimal | None = None
    height_in: Decimal | None = None
    empty_weight_oz: Decimal = Decimal(0)
    machinable: bool = True
    irregular: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        dims = (self.length_in, self.width_in, self.height_in)
        if self.predefined is None and any(d is None or d <= 0 for d in dims):
            raise ValueError(f"package type {self.name!r} needs a predefined package or L x W x H")
        if self.empty_weight_oz < 0:
            raise ValueError(f"package type {self.name!r} has a negative empty weight")
