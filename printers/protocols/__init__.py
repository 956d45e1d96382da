"""Printer families: one encoder and one decoder per protocol (zpl, epl2, dymo_lw, dymo_550)."""
