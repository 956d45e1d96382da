"""`--deadline SECONDS` for the commands that talk to EasyPost (estimate, track, refund, ...)."""

from __future__ import annotations

import argparse

from app.domain.deadline import Deadline


def add_deadline_argument(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument(
        "--deadline",
        type=float,
        default=default,
        metavar="SECONDS",
        help=f"stop asking EasyPost after this many seconds overall (default {default:g}); "
        "a server that never answers then fails fast instead of after every retry",
    )


def deadline_from(args: argparse.Namespace, what: str) -> Deadline:
    """The command's deadline, starting now; `what` names the phase in the error."""
    return Deadline(float(args.deadline), what=what)
