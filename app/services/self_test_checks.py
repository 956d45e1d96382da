"""The self-test's checks, and the installation's own: imports, database migrations, keyring.

Every check is tried for real in a scratch folder and touches nothing of the user's: the
migrations run on temporary profiles, the keyring is asked which backend it would use (never
for a key, which could pop up an unlock prompt). Devices (USB, Qt) are checked in
self_test_devices, labels and documents (sandbox, virtual printers, PDF) in self_test_labels.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from app.domain.errors import AppError, ErrorKind
from app.services.self_test import BUILD_FIX, Check, SelfTestWarning
from app.services.self_test_devices import QT_TIMEOUT_S, qt_check, usb_check
from app.services.self_test_labels import pdf_check, sandbox_and_print_checks

#: Modules loaded lazily or by name at run time, which a frozen build misses first.
LAZY_MODULES = (
    "easypost",
    "usb.backend.libusb1",
    "libusb_package",
    "keyring.backends.fail",
    "pypdfium2",
    "openpyxl",
    "reportlab.pdfbase.ttfonts",
)
#: Packages not imported by the imports check: Qt (its own child process) and Alembic's
#: migration scripts (Alembic loads them by path; importing env.py outside Alembic fails).
_NOT_IMPORTED = ("app.ui", "app.store.migrations", "app.resources")


def desk_checks(scratch: Path, qt_command: Sequence[str]) -> list[Check]:
    """Every check, in the order a desk depends on them; all scratch files go in `scratch`."""
    sandbox, print_virtual = sandbox_and_print_checks(scratch)
    return [
        Check("imports", import_check),
        Check("migration", lambda: migration_check(scratch)),
        Check(
            "keyring",
            keyring_check,
            timeout_s=10.0,
            stuck_fix="The keyring service (D-Bus Secret Service or KWallet) does not answer: "
            "log out and in again, or set EASYPOST_API_KEY for Packdesk.",
        ),
        Check("usb", usb_check),
        Check("qt", lambda: qt_check(qt_command, scratch), timeout_s=QT_TIMEOUT_S + 5),
        sandbox,
        print_virtual,
        Check("pdf", lambda: pdf_check(scratch)),
    ]


def import_check() -> str:
    """Import every module of app (but the UI) and printers, and the lazily loaded libraries."""
    count = 0
    for package_name in ("app", "printers"):
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            name = info.name
            if name.endswith(".__main__") or name.startswith(_NOT_IMPORTED):
                continue
            _import(name)
            count += 1
    for name in LAZY_MODULES:
        _import(name)
    return f"{count} modules of app and printers, {len(LAZY_MODULES)} lazily loaded libraries"


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except ImportError as error:
        raise AppError(
            f"Cannot import {name}: {error}", hint=BUILD_FIX, kind=ErrorKind.INTERNAL
        ) from error
    except Exception as error:  # a module that fails on import otherwise goes unnamed
        raise AppError(
            f"Importing {name} failed: {type(error).__name__}: {error}",
            hint=BUILD_FIX,
            kind=ErrorKind.INTERNAL,
        ) from error


def migration_check(scratch: Path) -> str:
    """A new profile database gets every packaged migration; a database at the oldest schema
    is backed up and upgraded, as a desk's is on the first start of a new version."""
    from app.infra.paths import profile_paths
    from app.store import head_revision, open_store
    from app.store.migrate import known_revisions
    from app.store.older_schema import create_at_revision, oldest_revision

    head = head_revision()
    store = open_store(profile_paths("self-test", scratch).database)
    try:
        created = store.migration.revision
    finally:
        store.close()
    _at_head(created, head)
    finding = f"new profile database: {len(known_revisions())} migrations up to schema {head}"
    oldest = oldest_revision()
    if oldest == head:
        return finding
    older = profile_paths("self-test-upgrade", scratch).database
    older.parent.mkdir(parents=True, exist_ok=True)
    create_at_revision(older, oldest)
    store = open_store(older)
    try:
        migration = store.migration
    finally:
        store.close()
    _at_head(migration.revision, head)
    if migration.backup is None or not migration.backup.is_file():
        raise AppError(
            f"Upgrading a schema-{oldest} database kept no backup.",
            hint=BUILD_FIX,
            kind=ErrorKind.DATABASE,
        )
    return f"{finding}; schema {oldest} upgraded, backup {migration.backup.name} kept"


def _at_head(revision: str, head: str) -> None:
    if revision != head:
        raise AppError(
            f"The database stopped at schema {revision}, not {head}.",
            hint=BUILD_FIX,
            kind=ErrorKind.DATABASE,
        )


def keyring_check() -> str:
    """The keyring backend Packdesk would store the EasyPost key in (never read or written)."""
    import keyring
    from keyring.backends import chainer, fail

    from app.infra.secrets import ENV_API_KEY

    backend = keyring.get_keyring()
    names = [_backend_name(b) for b in getattr(backend, "backends", [backend])]
    if not isinstance(backend, fail.Keyring) and not (
        isinstance(backend, chainer.ChainerBackend) and not names
    ):
        return ", ".join(names)
    shipped = ", ".join(_shipped_backends()) or "none"
    if os.environ.get(ENV_API_KEY, "").strip():
        return f"no keyring backend usable here (shipped: {shipped}); {ENV_API_KEY} is set"
    raise SelfTestWarning(
        f"no keyring backend usable here (shipped: {shipped}), so the EasyPost key cannot "
        "be stored on this PC",
        _keyring_fix(),
    )


def _shipped_backends() -> list[str]:
    """This platform's keyring backends present in this installation, usable here or not."""
    candidates = {"win32": ("Windows",), "darwin": ("macOS",)}.get(
        sys.platform, ("SecretService", "libsecret", "kwallet")
    )
    found = []
    for module in candidates:
        try:
            importlib.import_module(f"keyring.backends.{module}")
        except ImportError:
            continue
        found.append(module)
    return found


def _backend_name(backend: object) -> str:
    priority = getattr(backend, "priority", None)
    label = getattr(backend, "name", type(backend).__name__)
    return f"{label} (priority {priority:g})" if isinstance(priority, int | float) else str(label)


def _keyring_fix() -> str:
    if sys.platform.startswith("linux"):
        return (
            "Log in to a desktop session with a keyring (GNOME Keyring or KWallet; "
            "`sudo apt install gnome-keyring`), or set EASYPOST_API_KEY for Packdesk "
            "(the sandbox and --demo need no key)."
        )
    return "Set EASYPOST_API_KEY for Packdesk (the sandbox and --demo need no key)."
