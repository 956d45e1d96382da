"""Packaged data: icons, style sheets, sounds, sample order files."""
