"""Emulated printers (a pyusb backend and a TCP 9100 server) that decode what they receive."""
