"""An order's content fingerprint: equal fingerprints mean a re-import has nothing to change."""

from __future__ import annotations

import hashlib

from app.domain.orders import Order

# Separators that cannot appear in CSV-derived text after normalisation are not guaranteed, so
# every field is length-prefixed: ("ab","c") and ("a","bc") must not hash alike.


def order_fingerprint(order: Order) -> str:
    """A hex digest of everything an order file says about `order` (not its status or label)."""
    r = order.recipient
    fields: list[str] = [
        order.source.value,
        order.external_id,
        r.name,
        r.company,
        r.street1,
        r.street2,
        r.city,
        r.state,
        r.postal_code,
        r.country,
        r.phone,
        r.email,
        order.notes,
        str(len(order.lines)),
    ]
    for line in order.lines:
        fields.append(line.sku)
        fields.append(str(line.quantity))
    for key in sorted(order.extra):
        fields.append(key)
        fields.append(order.extra[key])
    text = "".join(f"{len(field)}:{field}" for field in fields)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
