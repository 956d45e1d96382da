"""Offline EasyPost-compatible HTTP server for training, demos and tests."""
