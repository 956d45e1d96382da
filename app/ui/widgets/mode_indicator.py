"""The status bar's EasyPost mode: always visible; production in a colour nobody can miss."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.infra.settings import EasyPostMode

# Words first (never colour alone), then a colour per mode; production is white on strong red.
_STYLES = {
    EasyPostMode.SANDBOX: ("SANDBOX · nothing is bought", "#e3f2fd", "#0d47a1", "normal"),
    EasyPostMode.TEST: ("TEST MODE · no real postage", "#fff8e1", "#6d4c00", "bold"),
    EasyPostMode.PRODUCTION: ("PRODUCTION · REAL POSTAGE", "#c62828", "#ffffff", "bold"),
}


class ModeIndicator(QLabel):
    """Shows the mode this run talks to, and the saved one when it differs (next start)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("EasyPost: …", parent)
        self.setObjectName("modeIndicator")
        self.mode: EasyPostMode | None = None

    def show_mode(self, running: EasyPostMode, saved: EasyPostMode | None = None) -> None:
        self.mode = running
        text, background, foreground, weight = _STYLES[running]
        if saved is not None and saved is not running:
            text += f" (next start: {saved})"
        self.setText(f" {text} ")
        self.setStyleSheet(
            f"QLabel#modeIndicator {{ background: {background}; color: {foreground}; "
            f"font-weight: {weight}; border-radius: 3px; padding: 1px 6px; }}"
        )
        self.setToolTip(
            "EasyPost mode of this window. Change it under Setup > EasyPost "
            "(takes effect at the next start)."
        )
