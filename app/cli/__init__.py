"""packdesk-cli: every headless operation, over the same services as the GUI."""
