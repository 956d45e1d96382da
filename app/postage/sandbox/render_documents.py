"""Letter-size shipment documents from POST /shipments/:id/forms (invoice, packing slip, ...)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from app.domain.usps_services import service_title
from app.postage.sandbox.label_files import label_address
from app.postage.sandbox.render_layout import SANDBOX_MARK, address_lines

JsonObj = dict[str, Any]
PAGE_W, PAGE_H = LETTER
TITLES = {
    "commercial_invoice": "COMMERCIAL INVOICE",
    "return_packing_slip": "RETURN PACKING SLIP",
    "cn22": "CUSTOMS DECLARATION CN 22",
    "cp72": "CUSTOMS DECLARATION CP 72",
    "high_value_report": "HIGH VALUE REPORT",
    "label_qr_code": "LABEL QR CODE",
    "rma_qr_code": "RMA QR CODE",
    "order_summary": "ORDER SUMMARY",
}
_COLUMNS = ((36, "Description"), (190, "Qty"), (220, "Value USD"), (280, "HS code"),
            (350, "Origin"), (390, "Code"), (450, "Mfr product id"), (520, "Barcode"))  # fmt: skip


def _address_block(canvas: Canvas, x: float, y: float, title: str, body: JsonObj | None) -> None:
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(x, y, title)
    canvas.setFont("Helvetica", 10)
    address = label_address(body)
    for n, line in enumerate(address_lines(address, international=address.country != "US")):
        canvas.drawString(x, y - 13 * (n + 1), line)


def render_shipment_document(shipment: JsonObj, form_type: str) -> bytes:
    """A one-page PDF of `form_type` for a bought shipment: parties, identifiers, items."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=True, pageCompression=1)
    title = TITLES.get(form_type, form_type.upper())
    canvas.setTitle(f"{title} {shipment.get('id', '')}")
    canvas.setCreator("Packdesk sandbox")
    y = PAGE_H - 54
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(36, y, title)
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(PAGE_W - 36, y, SANDBOX_MARK)
    y -= 22
    rate = shipment.get("selected_rate") or {}
    options = shipment.get("options") or {}
    canvas.setFont("Helvetica", 10)
    canvas.drawString(36, y, f"Tracking: {shipment.get('tracking_code') or '-'}")
    canvas.drawString(250, y, f"Service: {service_title(str(rate.get('service') or ''))}")
    incoterm = str(options.get("incoterm") or "DDU").upper()
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawRightString(PAGE_W - 36, y, f"Incoterm: {incoterm}")
    y -= 30
    _address_block(canvas, 36, y, "Sender", shipment.get("from_address"))
    _address_block(canvas, 320, y, "Recipient", shipment.get("to_address"))
    y -= 100
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(36, y, "Tax identifiers")
    canvas.setFont("Helvetica", 10)
    identifiers = shipment.get("tax_identifiers") or []
    if not identifiers:
        y -= 13
        canvas.drawString(36, y, "none")
    for entry in identifiers:
        y -= 13
        canvas.drawString(
            36,
            y,
            f"{entry.get('entity')}  {entry.get('tax_id_type')}  {entry.get('tax_id')}  "
            f"(issued by {entry.get('issuing_country')})",
        )
    y -= 28
    customs = shipment.get("customs_info") or {}
    canvas.setFont("Helvetica-Bold", 9)
    for x, name in _COLUMNS:
        canvas.drawString(x, y, name)
    canvas.line(36, y - 4, PAGE_W - 36, y - 4)
    canvas.setFont("Helvetica", 8.5)
    total = 0.0
    for item in customs.get("customs_items") or []:
        y -= 14
        value = float(item.get("value") or 0)
        total += value
        cells = (
            str(item.get("description") or "")[:30],
            str(item.get("quantity") or ""),
            f"{value:.2f}",
            str(item.get("hs_tariff_number") or ""),
            str(item.get("origin_country") or ""),
            str(item.get("code") or ""),
            str(item.get("manufacturer_product_id") or ""),
            str(item.get("standardized_product_id") or ""),
        )
        for (x, _), cell in zip(_COLUMNS, cells, strict=True):
            canvas.drawString(x, y, cell)
    y -= 22
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(36, y, f"Total declared value: USD {total:.2f}")
    if customs.get("customs_signer"):
        y -= 16
        canvas.setFont("Helvetica", 10)
        canvas.drawString(36, y, f"Certified by {customs['customs_signer']}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
