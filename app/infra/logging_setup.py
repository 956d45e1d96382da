"""Logging: a rotating file log per profile and WARNING+ on stderr. Secrets never reach it.

Every handler carries one RedactingFilter, so a key that a server echoed into an exception
message or a traceback is masked before any handler formats it. The log file and its folder
are private to the user (0600 and 0700): records name orders and file paths.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TextIO

from app.domain.redaction import redact
from app.infra.private_files import private_dir, private_file

SecretValues = Callable[[], Iterable[str]]


def _environment_key() -> Iterable[str]:
    key = os.environ.get("EASYPOST_API_KEY", "").strip()
    return (key,) if key else ()


class RedactingFilter(logging.Filter):
    """Masks EasyPost keys (and the configured key values) in a record's message and traceback."""

    def __init__(self, secrets: SecretValues = _environment_key) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = tuple(self._secrets())
        message = record.getMessage()
        clean = redact(message, secrets)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


def install_redaction(handler: logging.Handler, secrets: SecretValues = _environment_key) -> None:
    """Give `handler` the redacting filter once."""
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter(secrets))


def configure_logging(log_dir: Path | None, *, verbose: bool = False) -> None:
    """Set up the root logger once; a file handler when `log_dir` is given."""
    root = logging.getLogger()
    if getattr(root, "_packdesk_configured", False):
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = _ConsoleHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    if log_dir is not None:
        try:
            root.addHandler(_file_handler(log_dir))
        except OSError as error:
            # No log file (the profile folder is a file, or read-only): the run goes on and
            # whatever opens the profile next says what is wrong, with the fix.
            logging.getLogger(__name__).warning(
                "no log file in %s: %s", log_dir, error.strerror or type(error).__name__
            )
    for handler in root.handlers:
        install_redaction(handler)
    # A bug's traceback goes through the same handlers (so the same filter), never raw to
    # stderr where an echoed key would be printed as it is.
    sys.excepthook = _log_uncaught
    root._packdesk_configured = True  # type: ignore[attr-defined]


class _ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the stderr of the moment, not the one there was at setup.

    A host that swaps stderr (a test's capture, an IDE console, a redirect) may close the first
    one; a handler bound to it then printed "--- Logging error ---" and a traceback for every
    warning instead of the warning.
    """

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """StreamHandler's constructor sets the stream; the current stderr is always used."""


def _file_handler(log_dir: Path) -> logging.Handler:
    """The rotating log file of a profile, private to the user."""
    private_dir(log_dir)
    log_file = log_dir / "packdesk.log"
    private_file(log_file)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    return handler


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("app").critical(
        "unexpected error (a bug): please report it with this log", exc_info=(kind, error, trace)
    )
