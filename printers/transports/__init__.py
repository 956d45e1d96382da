"""Transports: usb (pyusb), tcp (9100), spooler, file, virtual."""
