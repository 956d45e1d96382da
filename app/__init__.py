"""Packdesk: a desktop shipping station for packing desks."""

__version__ = "0.1.0"
