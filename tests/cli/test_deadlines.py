"""Deadlines (issue 8 item 8): `estimate` against a server that accepts and never answers
stops within its deadline, with a clear error and a non-zero exit (it took 246 s, exit 0)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.exit_codes import EXIT_TOTAL_FAILURE
from app.cli.main import main
from app.domain.deadline import Deadline, active_deadline, in_scope
from app.domain.errors import AppError, ErrorKind
from app.domain.groups import group_id_for
from app.store import Store, open_store
from tests.services.purchase_world import seed, us_order

TEE_GROUP = group_id_for((("TEE-M", 1),))


class SilentServer:
    """Accepts every connection on 127.0.0.1 and never reads or answers."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = self._socket.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


def test_estimate_against_a_silent_server_stops_at_its_deadline(
    store: Store, silent: SilentServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(store, [us_order(n) for n in range(16)])
    api_base = f"http://127.0.0.1:{silent.port}/v2"
    started = time.monotonic()
    where = ["--home", str(tmp_path / "home"), "--db", str(store.path), "--sandbox"]
    code = main(
        [*where, "--api-base", api_base, "estimate", "--group", TEE_GROUP, "--deadline", "2"]
    )
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == EXIT_TOTAL_FAILURE
    assert elapsed < 6, elapsed  # measured 3.1 s: the deadline, then one back-off pause
    assert "deadline (2 s): 0 of 16 orders priced" in err
    assert "--deadline SECONDS" in err


def test_a_deadline_reaches_worker_threads_and_a_cancel_ends_it() -> None:
    deadline = Deadline(60)
    seen: list[Deadline | None] = []
    with deadline.scope():
        worker = threading.Thread(target=in_scope(lambda: seen.append(active_deadline())))
        worker.start()
        worker.join()
    assert seen == [deadline] and active_deadline() is None
    deadline.check("quote")
    deadline.cancel.set()
    with pytest.raises(AppError) as cancelled:
        deadline.check("quote")
    assert cancelled.value.kind is ErrorKind.NETWORK and deadline.remaining() == 0


def test_a_passed_deadline_names_itself_and_a_bad_one_is_refused() -> None:
    now = [0.0]
    deadline = Deadline(5, clock=lambda: now[0], what="EasyPost (tracking)")
    now[0] = 5.5
    with pytest.raises(AppError) as late:
        deadline.check("tracker.retrieve")
    assert "No answer from EasyPost (tracking) within 5 s" in late.value.message
    with pytest.raises(AppError):
        Deadline(0)
