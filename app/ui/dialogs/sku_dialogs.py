"""Dialogs for SKUs: edit one SKU's weight, value and customs data; apply an HTS code by pattern."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from fnmatch import fnmatchcase

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.items import Item, normalize_hts

_HTS_INPUT = QRegularExpression(r"[0-9.\s]{0,14}")
_COUNTRY_INPUT = QRegularExpression(r"[A-Za-z]{0,2}")


def _money_box(parent: QWidget, maximum: float, suffix: str, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setDecimals(decimals)
    box.setRange(0.0, maximum)
    box.setSuffix(suffix)
    box.setKeyboardTracking(False)
    return box


class SkuEditDialog(QDialog):
    """Edit one SKU. `ask` returns the edited Item, or None when cancelled."""

    def __init__(self, item: Item, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit SKU {item.sku}")
        self._item = item
        self.weight = _money_box(self, 1120.0, " oz")  # 70 lb, USPS's limit
        self.weight.setValue(float(item.weight_oz))
        self.value = _money_box(self, 100_000.0, " USD")
        self.value.setValue(float(item.value_usd))
        self.hts = QLineEdit(item.hts_code, self)
        self.hts.setValidator(QRegularExpressionValidator(_HTS_INPUT, self))
        self.hts.setPlaceholderText("6 to 10 digits, e.g. 6109.10.0012")
        self.description = QLineEdit(item.customs_description, self)
        self.description.setPlaceholderText("what a customs officer reads, e.g. Cotton t-shirt")
        self.origin = QLineEdit(item.origin_country, self)
        self.origin.setValidator(QRegularExpressionValidator(_COUNTRY_INPUT, self))
        self.origin.setPlaceholderText("ISO code, e.g. US, CN")
        self.origin.setMaxLength(2)
        self.media_mail = QCheckBox("Eligible for Media Mail (books, recorded media)", self)
        self.media_mail.setChecked(item.media_mail_eligible)
        self.problem = QLabel("", self)
        self.problem.setStyleSheet("color:#a4161a;")
        self.problem.setWordWrap(True)

        form = QFormLayout()
        form.addRow("SKU", QLabel(f"<b>{item.sku}</b> {item.name}", self))
        form.addRow("Unit &weight", self.weight)
        form.addRow("Unit &value", self.value)
        form.addRow("&HTS code", self.hts)
        form.addRow("Customs &description", self.description)
        form.addRow("Country of &origin", self.origin)
        form.addRow("", self.media_mail)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.weight.setFocus()
        self.weight.selectAll()

    def edited_item(self) -> Item:
        """The item as entered. Raises ValueError naming the field that is wrong."""
        hts_text = self.hts.text().strip()
        hts = normalize_hts(hts_text) if hts_text else ""
        origin = self.origin.text().strip().upper()
        if origin and len(origin) != 2:
            raise ValueError("Country of origin must be a two-letter ISO code, like US or CN.")
        return dataclasses.replace(
            self._item,
            weight_oz=Decimal(str(round(self.weight.value(), 2))),
            value_usd=Decimal(str(round(self.value.value(), 2))),
            hts_code=hts,
            customs_description=self.description.text().strip(),
            origin_country=origin,
            media_mail_eligible=self.media_mail.isChecked(),
        )

    def accept(self) -> None:
        try:
            self.edited_item()
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        super().accept()

    @classmethod
    def ask(cls, item: Item, parent: QWidget | None = None) -> Item | None:
        dialog = cls(item, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.edited_item()


@dataclass(frozen=True, slots=True)
class HtsBatch:
    """Apply `hts_code` and `description` to every SKU matching `pattern` (shell-style)."""

    pattern: str
    hts_code: str
    description: str


class ApplyHtsDialog(QDialog):
    """BackerKit-style batch apply: one HTS code and description for all variants of an item."""

    def __init__(self, skus: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Apply HTS code to matching SKUs")
        self._skus = skus
        self.pattern = QLineEdit(self)
        self.pattern.setPlaceholderText("e.g. TSHIRT-*  (* any text, ? one character)")
        self.hts = QLineEdit(self)
        self.hts.setValidator(QRegularExpressionValidator(_HTS_INPUT, self))
        self.hts.setPlaceholderText("6 to 10 digits")
        self.description = QLineEdit(self)
        self.matches = QLabel("", self)
        self.matches.setWordWrap(True)
        self.problem = QLabel("", self)
        self.problem.setStyleSheet("color:#a4161a;")
        self.problem.setWordWrap(True)
        self.pattern.textChanged.connect(self._on_pattern_text_changed)
        form = QFormLayout()
        form.addRow("SKU &pattern", self.pattern)
        form.addRow("", self.matches)
        form.addRow("&HTS code", self.hts)
        form.addRow("Customs &description", self.description)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def matching(self) -> list[str]:
        pattern = self.pattern.text().strip()
        if not pattern:
            return []
        # Exactly the service's rule (case-sensitive shell glob), so the preview is the truth.
        return [sku for sku in self._skus if fnmatchcase(sku, pattern)]

    def _on_pattern_text_changed(self, _text: str) -> None:
        found = self.matching()
        preview = ", ".join(found[:8]) + (" …" if len(found) > 8 else "")
        if not found:
            self.matches.setText("No SKU matches (patterns are case-sensitive).")
        else:
            noun = "SKU matches" if len(found) == 1 else "SKUs match"
            self.matches.setText(f"{len(found)} {noun}: {preview}")

    def batch(self) -> HtsBatch:
        """What was entered. Raises ValueError naming the field that is wrong."""
        pattern = self.pattern.text().strip()
        if not pattern:
            raise ValueError("Enter a SKU pattern, e.g. TSHIRT-*.")
        description = self.description.text().strip()
        if not description:
            raise ValueError("Enter the customs description that goes with the HTS code.")
        return HtsBatch(pattern, normalize_hts(self.hts.text()), description)

    def accept(self) -> None:
        try:
            self.batch()
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        super().accept()

    @classmethod
    def ask(cls, skus: list[str], parent: QWidget | None = None) -> HtsBatch | None:
        dialog = cls(skus, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.batch()
