"""Generated sample order files (see generate.py)."""
