"""The console log handler writes to the stderr of the moment, not the one it was made with."""

from __future__ import annotations

import contextlib
import io
import logging

from app.infra.logging_setup import configure_logging


def test_a_warning_after_stderr_was_swapped_reaches_the_new_stderr(fresh_logging: None) -> None:
    # A CLI run inside a host that swaps stderr (pytest's capture, an IDE, a redirect) used to
    # keep the first stderr; once that was closed, each warning printed "--- Logging error ---"
    # with a traceback instead of the warning.
    first = io.StringIO()
    with contextlib.redirect_stderr(first):
        configure_logging(None)
    first.close()
    second = io.StringIO()
    with contextlib.redirect_stderr(second):
        logging.getLogger("app.test").warning("the printer is out of labels")
    shown = second.getvalue()
    assert "the printer is out of labels" in shown
    assert "Logging error" not in shown and "Traceback" not in shown
