"""Tests for the printers library."""
