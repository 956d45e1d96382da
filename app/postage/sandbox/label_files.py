"""Label and form files the sandbox serves: rendered on first fetch, cached, never stored."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from app.postage.sandbox.label_data import LabelAddress, LabelCustomsItem, LabelData, LabelFormat

JsonObj = dict[str, Any]

FORMAT_EXTENSIONS: dict[str, str] = {"PNG": "png", "PDF": "pdf", "ZPL": "zpl", "EPL2": "epl2"}
EXTENSION_FORMATS = {ext: fmt for fmt, ext in FORMAT_EXTENSIONS.items()}
CONTENT_TYPES: dict[str, str] = {
    "png": "image/png",
    "pdf": "application/pdf",
    "zpl": "application/zpl",
    "epl2": "application/epl2",
}
#: label_file_type as EasyPost reports it per format.
FILE_TYPES: dict[str, str] = {
    "PNG": "image/png",
    "PDF": "application/pdf",
    "ZPL": "application/zpl",
    "EPL2": "application/epl2",
}
_CACHE_SIZE = 256


def _decimal(value: Any, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else default))
    except ArithmeticError:
        return Decimal(default)


def label_address(body: JsonObj | None) -> LabelAddress:
    """An EasyPost Address body as printed on a label."""
    body = body or {}

    def text(key: str) -> str:
        value = body.get(key)
        return "" if value is None else str(value)

    return LabelAddress(
        name=text("name") or text("company"),
        street1=text("street1"),
        city=text("city"),
        state=text("state"),
        zip=text("zip"),
        country=text("country") or "US",
        company=text("company") if text("name") else "",
        street2=text("street2"),
    )


def label_data_for(shipment: JsonObj) -> LabelData:
    """What S2's renderer needs, from a bought shipment body."""
    rate = shipment.get("selected_rate") or {}
    label = shipment.get("postage_label") or {}
    parcel = shipment.get("parcel") or {}
    customs = shipment.get("customs_info") or {}
    options = shipment.get("options") or {}
    label_day = _label_day(str(label.get("label_date") or ""))
    items = tuple(
        LabelCustomsItem(
            description=str(item.get("description") or ""),
            quantity=int(item.get("quantity") or 1),
            value_usd=_decimal(item.get("value")),
            weight_oz=_decimal(item.get("weight")),
            hs_tariff_number=str(item.get("hs_tariff_number") or ""),
            origin_country=str(item.get("origin_country") or ""),
        )
        for item in customs.get("customs_items") or ()
    )
    return LabelData(
        from_address=label_address(shipment.get("from_address")),
        to_address=label_address(shipment.get("to_address")),
        service=str(rate.get("service") or ""),
        weight_oz=_decimal(parcel.get("weight")),
        tracking_code=str(shipment.get("tracking_code") or ""),
        label_date=label_day,
        reference=str(options.get("print_custom_1") or shipment.get("reference") or ""),
        shipment_id=str(shipment.get("id") or ""),
        customs_items=items,
        customs_signer=str(customs.get("customs_signer") or ""),
        contents_type=str(customs.get("contents_type") or "merchandise"),
        tax_ids=tuple(
            f"{t.get('tax_id_type')} {t.get('tax_id')}"
            for t in shipment.get("tax_identifiers") or ()
            if isinstance(t, dict)
        ),
        incoterm=str(options.get("incoterm") or "").upper(),
    )


def _label_day(text: str) -> date:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return datetime.now(UTC).date()


def _default_label_renderer(data: LabelData, fmt: LabelFormat) -> bytes:
    from app.postage.sandbox.labels import render_label  # S2's module, imported when first used

    return render_label(data, fmt)


class FileCache:
    """Renders each (key, format) once, at most one render per key at a time, LRU-bounded."""

    def __init__(self, renderer: Callable[[LabelData, LabelFormat], bytes] | None = None) -> None:
        self._render = renderer or _default_label_renderer
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    def label(self, key: str, data: LabelData, fmt: str) -> bytes:
        """The label file for `key` (a postage label id) in `fmt` (PNG, PDF, ZPL, EPL2)."""
        return self.get(f"{key}.{fmt}", lambda: self._render(data, cast(LabelFormat, fmt)))

    def get(self, key: str, produce: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            content = produce()
            with self._lock:
                self._cache[key] = content
                self._key_locks.pop(key, None)
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
            return content
