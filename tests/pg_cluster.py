"""A throwaway PostgreSQL cluster for the tests: initdb in a temp folder, once per session.

The store, services and fault tests run on SQLite and on this server. Set
PACKDESK_TEST_PG=skip to leave PostgreSQL out (the runs are then reported as skipped, never
dropped silently), or PACKDESK_TEST_PG=postgresql://user@host:port/db to use a server of yours
(a role that may CREATE DATABASE).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from app.store import open_store

ENV = "PACKDESK_TEST_PG"
TEST_USER = "packdesk-test"  # postgres refuses to run as root
ROLE = "packdesk"
TEMPLATE = "packdesk_template"
INSTALL_HINT = (
    "PostgreSQL is needed for the PostgreSQL half of the tests: install it with "
    "`apt-get install -y postgresql` (Debian/Ubuntu), or set PACKDESK_TEST_PG=skip to skip "
    "those runs, or PACKDESK_TEST_PG=postgresql://user@host:port/db to use your own server."
)


@dataclass(frozen=True, slots=True)
class PgServer:
    """A running server where tests may create databases."""

    host: str
    port: int
    user: str
    _counter: itertools.count[int]
    restart_command: tuple[str, ...] = ()  # only for a cluster these tests started

    def restart(self, mode: str = "immediate") -> None:
        """Stop the server and start it again: `immediate` is like a crash, `fast` is an
        administrator's restart (sessions cut, open transactions rolled back, a checkpoint)."""
        if not self.restart_command:
            pytest.skip("restarting needs the throwaway cluster (not PACKDESK_TEST_PG=URL)")
        command = list(self.restart_command)
        command[command.index("-m") + 1] = mode
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        )

    def fresh_database(self) -> str:
        """A new database at the current schema (a copy of the migrated template)."""
        name = f"t{os.getpid()}_{next(self._counter)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}')
        return name

    def empty_database(self) -> str:
        """A new database with no tables at all."""
        name = f"e{os.getpid()}_{next(self._counter)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_unprivileged() -> list[str]:
    """The command prefix that runs the server as an ordinary user (we may be root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
            check=True,
            capture_output=True,
        )
    return ["runuser", "-u", TEST_USER, "--"]


def _start_cluster(folder: Path) -> tuple[PgServer, list[str]]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.fail(f"initdb was not found. {INSTALL_HINT}", pytrace=False)
    prefix = _as_unprivileged()
    if prefix:
        shutil.chown(folder, user=TEST_USER)
    data = folder / "data"
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                ROLE,
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
            **run,  # type: ignore[call-overload]
        )
        port = _free_port()
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        stop = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                "30",
                "start",
            ],
            **run,  # type: ignore[call-overload]
        )
    except (subprocess.CalledProcessError, OSError) as error:
        log = folder / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        detail = getattr(error, "stderr", "") or str(error)
        pytest.fail(f"Could not start PostgreSQL: {detail}\n{tail}\n{INSTALL_HINT}", pytrace=False)
    restart = (
        *prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
        "-l", str(folder / "server.log"), "-m", "immediate", "-w", "-t", "30", "restart",
    )  # fmt: skip
    return PgServer("127.0.0.1", port, ROLE, itertools.count(1), restart), stop


def _make_template(server: PgServer) -> None:
    with server.admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
    store = open_store(server.url(TEMPLATE), anchor=Path(tempfile.gettempdir()) / "pg.local")
    store.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The session's PostgreSQL server (started here unless PACKDESK_TEST_PG names one)."""
    setting = os.environ.get(ENV, "").strip()
    if setting.lower() == "skip":
        pytest.skip(f"{ENV}=skip: the PostgreSQL runs are skipped on purpose")
    if setting.startswith("postgresql://"):
        info = psycopg.conninfo.conninfo_to_dict(setting)
        server = PgServer(
            str(info.get("host", "127.0.0.1")),
            int(info.get("port", 5432)),
            str(info.get("user", ROLE)),
            itertools.count(1),
        )
        _make_template(server)
        yield server
        return
    folder = Path(tempfile.mkdtemp(prefix="packdesk-pg-"))
    server, stop = _start_cluster(folder)
    try:
        _make_template(server)
        yield server
    finally:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(stop, capture_output=True, timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh database at the current schema, dropped after the test."""
    name = pg_server.fresh_database()
    yield pg_server.url(name)
    pg_server.drop(name)


#: The engines a store-backed test runs on (see `db_target`).
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | Path]:
    """A fresh database on each engine: a SQLite file, or a new PostgreSQL database's URL."""
    if request.param == "sqlite":
        yield tmp_path / "packdesk.sqlite3"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.fresh_database()
    yield server.url(name)
    server.drop(name)
