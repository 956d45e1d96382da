"""Fonts embedded in every PDF: DejaVu Sans (Latin, Greek, Cyrillic, Hebrew, Arabic) and
WenQuanYi Micro Hei (Chinese, Japanese, Korean). Licences beside them."""
