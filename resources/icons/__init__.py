"""Packdesk's icon (SVG, and a 256-pixel PNG for the window and the Linux desktop entry)."""
