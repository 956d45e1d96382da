"""Tracking emails: the template (subject and body with $fields) and what fills it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Template

from app.domain.exports import CARRIER, tracking_url

DEFAULT_SUBJECT = "Your order $order has shipped"
DEFAULT_BODY = """Hello $name,

your order $order is on its way.

$tracking

Thank you!
"""
#: The fields a template may use, each with what it means (shown in the setup help).
FIELDS = {
    "name": "the recipient's name",
    "order": "the order number",
    "carrier": "USPS",
    "service": "the USPS service",
    "tracking_number": "the tracking number, or 'no tracking'",
    "tracking_link": "the USPS tracking link, or 'no tracking'",
    "tracking": "one line: 'USPS tracking <number>: <link>', or that it has no tracking",
}
NO_TRACKING = "no tracking"
_LINE_BREAKS = re.compile(r"[\r\n]+")


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    subject: str = DEFAULT_SUBJECT
    body: str = DEFAULT_BODY


@dataclass(frozen=True, slots=True)
class TrackingMessage:
    """A rendered email for one order."""

    order_id: int
    order: str
    to: str
    subject: str
    body: str
    tracking_code: str | None


def fields_for(
    *, name: str, order: str, tracking_code: str | None, service: str | None
) -> dict[str, str]:
    """The template fields of one order (without tracking: says so, never a blank link)."""
    if tracking_code:
        link = tracking_url(tracking_code)
        line = f"{CARRIER} tracking {tracking_code}: {link}"
    else:
        link = NO_TRACKING
        line = "This parcel was sent without tracking (no tracking number)."
    return {
        "name": name,
        "order": order,
        "carrier": CARRIER,
        "service": service or "",
        "tracking_number": tracking_code or NO_TRACKING,
        "tracking_link": link,
        "tracking": line,
    }


def render(
    template: EmailTemplate, fields: dict[str, str], *, order_id: int, to: str
) -> TrackingMessage:
    """Fill `template`; unknown $fields stay as written. The subject is one line (a name with
    a line break must not add a header)."""
    subject = _LINE_BREAKS.sub(" ", Template(template.subject).safe_substitute(fields)).strip()
    body = Template(template.body).safe_substitute(fields)
    tracking = fields.get("tracking_number")
    return TrackingMessage(
        order_id=order_id,
        order=fields.get("order", ""),
        to=to,
        subject=subject,
        body=body,
        tracking_code=None if tracking in (None, NO_TRACKING) else tracking,
    )
