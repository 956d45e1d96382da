"""Emulated printer tests."""
