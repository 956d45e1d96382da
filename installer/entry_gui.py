"""Frozen-app entry point: the GUI (`packdesk`); the CLI stays `packdesk-cli` from pip."""

from app.__main__ import gui_main

gui_main()
