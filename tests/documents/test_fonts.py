"""Fonts and fitting: every script gets a glyph, right-to-left text is shaped, nothing is cut."""

from __future__ import annotations

import unicodedata

from reportlab.lib.units import inch

from app.documents import fonts, pdf
from app.documents.text import MIN_SIZE, draw_box, fit
from tests.documents.pdf_reading import compact, font_names, page_texts
from tests.documents.world import ARABIC_NAME, HEBREW_NAME, JAPANESE_NAME, LONG_STREET


def _covered(text: str) -> bool:
    fonts.register_fonts()
    for font, chunk in fonts.runs(fonts.visual(text)):
        face = fonts._registered[font].face
        if not all(ord(char) in face.charToGlyph for char in chunk if not char.isspace()):
            return False
    return True


def test_every_script_of_real_names_has_a_glyph() -> None:
    for name in (
        JAPANESE_NAME,
        "王小明",
        "김민준",
        ARABIC_NAME,
        HEBREW_NAME,
        "Дмитрий",
        "Ἀλέξανδρος",
        "Zoë Åström-Øster",
        "Łukasz Żółć",
    ):
        assert _covered(name), name


def test_cjk_goes_to_the_cjk_font_and_latin_stays_in_dejavu() -> None:
    assert fonts.runs("Ann 山田") == ((fonts.REGULAR, "Ann "), (fonts.CJK, "山田"))


def test_arabic_is_shaped_and_reordered_for_drawing() -> None:
    shown = fonts.visual(ARABIC_NAME)
    # Joined (presentation) forms, drawn right to left: the last logical letter comes first.
    assert all("FORM" in unicodedata.name(char) for char in shown if not char.isspace()), shown
    assert unicodedata.name(shown[0]).startswith("ARABIC LETTER HEH")  # "الله" ends with heh
    assert fonts.visual("1 Main St") == "1 Main St"


def test_hebrew_is_reversed_but_numbers_keep_their_order() -> None:
    assert fonts.visual("רחוב הרצל 15") == "15 לצרה בוחר"


def test_a_60_character_street_wraps_in_a_narrow_box_and_keeps_every_character() -> None:
    fitted = fit(LONG_STREET, 2 * inch, 10)
    assert len(fitted.lines) >= 2
    assert " ".join(fitted.lines) == LONG_STREET
    assert all(fonts.width(line, fitted.size) <= 2 * inch for line in fitted.lines)


def test_a_name_a_little_too_long_shrinks_onto_one_line() -> None:
    name = "Bartholomew Fitzgerald-Montgomery"
    wide = fonts.width(name, 12)
    fitted = fit(name, wide * 0.9, 12)
    assert fitted.lines == (name,)
    assert fitted.size < 12


def test_a_word_longer_than_the_box_is_split_between_characters() -> None:
    fitted = fit("山田太郎山田太郎山田太郎山田太郎", 0.5 * inch, 10)
    assert "".join(fitted.lines) == "山田太郎山田太郎山田太郎山田太郎"
    assert fitted.size >= MIN_SIZE


def test_pdf_text_reads_back_with_embedded_fonts_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    canvas, buffer = pdf.new_canvas(pdf.PAGE_SIZES["letter"], "fonts")
    top = 10 * inch
    for text in (JAPANESE_NAME, HEBREW_NAME, "Дмитрий", LONG_STREET):
        top = draw_box(canvas, inch, top, text, 3 * inch, 12)
    data = pdf.finish(canvas, buffer)
    text = page_texts(data)[0]
    assert compact(JAPANESE_NAME) in compact(text)
    assert "Дмитрий" in text
    assert all("not embedded" not in name for name in font_names(data)), font_names(data)


def test_parentheses_and_backslashes_survive_in_the_pdf() -> None:
    canvas, buffer = pdf.new_canvas(pdf.PAGE_SIZES["letter"], "escapes")
    draw_box(canvas, inch, 10 * inch, "Smith (Jr.) \\ O'Neil", 4 * inch, 12)
    draw_box(canvas, inch, 9 * inch, "Zoë (née Åström)", 4 * inch, 12)
    text = page_texts(pdf.finish(canvas, buffer))[0]
    assert "Smith (Jr.) \\ O'Neil" in text
    assert "Zoë (née Åström)" in text
