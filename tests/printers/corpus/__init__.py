"""A script-made corpus of synthetic USPS-style 4x6 labels for printer round-trip tests."""
