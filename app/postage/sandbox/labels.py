"""Sandbox label files: a bought shipment's label (PNG, PDF, ZPL, EPL2) and its customs form.

`render_label` returns the 4x6 label alone; international shipments also get
`render_customs_form` (a CN22-style 4x6 page in the same format), which the sandbox serves
as the shipment's form. `render_scan_form_pdf` draws a SCAN form. Every file carries a
"SANDBOX - NOT VALID POSTAGE" mark.
"""

from __future__ import annotations

from collections.abc import Callable

from app.postage.sandbox.label_data import LabelData, LabelFormat
from app.postage.sandbox.render_epl2 import render_epl2
from app.postage.sandbox.render_forms import render_scan_form_pdf
from app.postage.sandbox.render_layout import Layout, customs_layout, label_layout
from app.postage.sandbox.render_pdf import render_pdf
from app.postage.sandbox.render_png import render_png
from app.postage.sandbox.render_zpl import render_zpl

__all__ = ["LABEL_FILE_TYPES", "render_customs_form", "render_label", "render_scan_form_pdf"]

#: MIME type and file extension per label format (EasyPost's label_file_type values).
LABEL_FILE_TYPES: dict[str, tuple[str, str]] = {
    "PNG": ("image/png", "png"),
    "PDF": ("application/pdf", "pdf"),
    "ZPL": ("application/zpl", "zpl"),
    "EPL2": ("application/epl2", "epl2"),
}


def _backend(fmt: LabelFormat) -> Callable[[Layout], bytes]:
    backends: dict[str, Callable[[Layout], bytes]] = {
        "PNG": render_png,
        "PDF": lambda layout: render_pdf(layout, title="Sandbox shipping label"),
        "ZPL": render_zpl,
        "EPL2": render_epl2,
    }
    key = fmt.upper()
    if key not in backends:
        raise ValueError(f"unknown label format {fmt!r}; use PNG, PDF, ZPL or EPL2")
    return backends[key]


def render_label(data: LabelData, fmt: LabelFormat) -> bytes:
    """The 4x6 label for `data` in `fmt` (PNG 300 dpi, PDF 4x6 in, ZPL/EPL2 203 dpi)."""
    return _backend(fmt)(label_layout(data))


def render_customs_form(data: LabelData, fmt: LabelFormat) -> bytes:
    """The CN22-style customs declaration (4x6) for an international label, in `fmt`."""
    if not data.is_international:
        raise ValueError("customs forms are only for international shipments")
    return _backend(fmt)(customs_layout(data))
