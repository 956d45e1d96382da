"""The exit codes of packdesk-cli, in one place (shown by `packdesk-cli --help`).

0  done: everything asked for was done (or there was nothing to do).
1  a known error stopped the command (message and hint on stderr); for `refund`, a label was
   refused.
2  partly done: some orders or labels were done and some were not (failed, blocked, unknown,
   not started; `print`: the queue paused). Run the same command again: an interrupted buy
   resumes without buying twice. argparse also exits 2 on a bad command line (with usage).
3  not confirmed: `buy`/`relabel` without --yes showed what it would do and did nothing
   (`scan`: the parcel was not marked shipped).
4  nothing done: every order or label asked for failed (a wrong key, 401, fails them all), or a
   network phase reached its deadline (`--deadline`) with nothing to show.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_APP_ERROR = 1
EXIT_PARTIAL = 2
EXIT_NOT_CONFIRMED = 3
EXIT_TOTAL_FAILURE = 4

EPILOG = (
    "exit codes: 0 done; 1 error; 2 partly done (some orders or labels failed: see the "
    "report, run again) or a bad command line; 3 not confirmed (add --yes); 4 nothing done "
    "(every order or label failed, or the deadline passed)"
)


def outcome(done: int, failed: int) -> int:
    """The exit code of a command that did `done` things and failed `failed` others."""
    if failed == 0:
        return EXIT_OK
    return EXIT_PARTIAL if done else EXIT_TOTAL_FAILURE
