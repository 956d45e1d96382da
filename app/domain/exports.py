"""Tracking-upload CSV layouts of the crowdfunding and shop platforms, and the USPS link.

Columns follow what each platform documents for its tracking upload (reference
order-formats.md §2):

* BackerKit "Tracking Number Upload Template": Tracking Numbers, Carrier Information (optional),
  Tracking URL (optional); the backer columns before them identify the backer.
* Kickstarter Pledge Manager: one tracking number per backer, keyed by the backer report's
  Backer Number / Backer UID (the template's exact tracking header is undocumented).
* Indiegogo Perks Claimed re-import: `Carrier` (EasyPost string, `USPS`) and `Tracking Number`,
  keyed by Order No. / Pledge ID.
* PledgeBox shipping-info template: PledgeBox ID (PBID), Courier Code, Tracking Code,
  Partial Shipped (Optional).
* Shopify has no CSV tracking import: the columns mirror its fulfillment API (tracking company,
  number, url) keyed by the order Name (`#1005`), which bulk-fulfilment apps read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

CARRIER = "USPS"
_TRACKING_URL = "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"


def tracking_url(number: str) -> str:
    """USPS's public tracking page for `number`."""
    return _TRACKING_URL.format(number=number)


class TrackingFormat(StrEnum):
    BACKERKIT = "backerkit"
    KICKSTARTER = "kickstarter"
    INDIEGOGO = "indiegogo"
    PLEDGEBOX = "pledgebox"
    SHOPIFY = "shopify"
    GENERIC = "generic"


HEADERS: dict[TrackingFormat, tuple[str, ...]] = {
    TrackingFormat.BACKERKIT: (
        "Backer Number",
        "Email",
        "Name",
        "Tracking Numbers",
        "Carrier Information (optional)",
        "Tracking URL (optional)",
    ),
    TrackingFormat.KICKSTARTER: (
        "Backer Number",
        "Backer UID",
        "Backer Name",
        "Email",
        "Carrier",
        "Tracking Number",
        "Tracking URL",
    ),
    TrackingFormat.INDIEGOGO: (
        "Order No.",
        "Pledge ID",
        "Name",
        "Email",
        "Carrier",
        "Tracking Number",
    ),
    TrackingFormat.PLEDGEBOX: (
        "PledgeBox ID (PBID)",
        "Courier Code",
        "Tracking Code",
        "Partial Shipped (Optional)",
    ),
    TrackingFormat.SHOPIFY: ("Name", "Tracking Company", "Tracking Number", "Tracking URL"),
    TrackingFormat.GENERIC: (
        "Order",
        "Source",
        "Recipient",
        "Email",
        "Country",
        "Carrier",
        "Service",
        "Tracking Number",
        "Tracking URL",
        "Bought At",
        "Shipped At",
        "Batch",
    ),
}


@dataclass(frozen=True, slots=True)
class TrackingLine:
    """One live label's order and tracking number, as the exports need it."""

    external_id: str
    source: str
    name: str
    email: str
    country: str
    tracking_code: str
    service: str
    bought_at: datetime
    shipped_at: datetime | None
    batch: str
    extra_json: str = "{}"

    def extra(self, key: str) -> str:
        if self.extra_json in ("", "{}"):
            return ""
        value = json.loads(self.extra_json).get(key, "")
        return str(value)


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def tracking_row(fmt: TrackingFormat, line: TrackingLine) -> tuple[str, ...]:
    """The row of `line` in the platform's layout (same order as HEADERS[fmt])."""
    number = line.tracking_code
    url = tracking_url(number)
    if fmt is TrackingFormat.BACKERKIT:
        return (line.external_id, line.email, line.name, number, CARRIER, url)
    if fmt is TrackingFormat.KICKSTARTER:
        uid = line.extra("backer_uid")
        return (line.external_id, uid, line.name, line.email, CARRIER, number, url)
    if fmt is TrackingFormat.INDIEGOGO:
        pledge = line.extra("pledge_id")
        return (line.external_id, pledge, line.name, line.email, CARRIER, number)
    if fmt is TrackingFormat.PLEDGEBOX:
        return (line.external_id, CARRIER, number, "")
    if fmt is TrackingFormat.SHOPIFY:
        name = line.external_id if line.external_id.startswith("#") else f"#{line.external_id}"
        return (name, CARRIER, number, url)
    return (
        line.external_id,
        line.source,
        line.name,
        line.email,
        line.country,
        CARRIER,
        line.service,
        number,
        url,
        _time(line.bought_at),
        _time(line.shipped_at),
        line.batch,
    )
