"""A 4x6 alignment test label drawn at a model's native dpi (border, rulers, bar ladder)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from printers.models import PrinterModel


def calibration_label(model: PrinterModel) -> Image.Image:
    """The printable area of `model`, 1 dot = 1 pixel, in black and white.

    A 2-dot border shows where the printable area lies on the label; tick marks every
    quarter inch measure offsets; the ladder of 1- to 4-dot bars shows the head resolves
    single dots (a blurred or missing rung means darkness or speed need adjusting).
    """
    width, height = model.printable_width_dots, model.printable_height_dots
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=2)
    quarter = model.dpi / 4
    for i in range(1, int(width / quarter) + 1):
        x = round(i * quarter)
        length = 40 if i % 4 == 0 else 20
        draw.line((x, 2, x, 2 + length), fill=0, width=2)
    for i in range(1, int(height / quarter) + 1):
        y = round(i * quarter)
        length = 40 if i % 4 == 0 else 20
        draw.line((2, y, 2 + length, y), fill=0, width=2)
    x = width // 8
    y = height // 6
    for bar in (1, 2, 3, 4):
        for _ in range(12):
            draw.rectangle((x, y, x + bar - 1, y + model.dpi // 2), fill=0)
            x += 2 * bar
        x += model.dpi // 8
    lines = [
        "Packdesk test label",
        model.display_name,
        f"{model.name} / {model.family.value} / {model.dpi} dpi",
        f"printable {width} x {height} dots",
    ]
    font = ImageFont.load_default(size=model.dpi // 8)
    text_y = height // 6 + model.dpi
    for line in lines:
        draw.text((width // 8, text_y), line, fill=0, font=font)
        text_y += model.dpi // 5
    return image.point(lambda v: 0 if v < 128 else 255, mode="1")


def calibration_label_png(model: PrinterModel) -> bytes:
    """The test label as PNG bytes tagged with the model's dpi (so it is not rescaled)."""
    out = io.BytesIO()
    calibration_label(model).save(out, format="PNG", dpi=(model.dpi, model.dpi))
    return out.getvalue()
