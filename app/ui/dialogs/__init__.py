"""Dialogs; each has an `ask` classmethod so tests can answer it without a modal loop."""
