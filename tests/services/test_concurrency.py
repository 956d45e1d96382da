"""Worker threads and a second process share the database: writers wait, nobody fails."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from app.domain.order_flow import StatusAction
from app.services.catalog import CatalogService, ItemChanges
from app.services.grouping import GroupingService
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.store import open_store
from tests.services.factories import order, parsed

ROUNDS = 15


def test_concurrent_importers_status_changes_and_readers(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    gui = open_store(path)
    cli = open_store(path)  # a second engine on the same file, like packdesk-cli beside the GUI
    try:
        files = [
            parsed([order(str(n), street1=f"{n} Road, take {take}") for n in range(1, 60)])
            for take in range(2)
        ]
        importer = ImportService(cli, lambda path, **_: files[0])
        importer.apply(files[0])
        orders = OrderService(gui)
        grouping = GroupingService(gui)
        catalog = CatalogService(gui)
        start = threading.Barrier(4, timeout=30)
        failures: list[BaseException] = []

        def worker(step: Callable[[int], object]) -> Callable[[], None]:
            def run() -> None:
                try:
                    start.wait()
                    for round_ in range(ROUNDS):
                        step(round_)
                except BaseException as error:  # reported to the test thread
                    failures.append(error)

            return run

        steps: list[Callable[[int], object]] = [
            lambda r: importer.apply(files[r % 2]),
            lambda r: orders.change_status(
                StatusAction.READY if r % 2 == 0 else StatusAction.HOLD, OrderSelection(all=True)
            ),
            lambda r: catalog.update_item("TEE-M", ItemChanges(name=f"Tee {r}")),
            lambda r: (grouping.groups(), grouping.customs_blocked()),
        ]
        threads = [threading.Thread(target=worker(step)) for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
        assert failures == []
        final = files[(ROUNDS - 1) % 2]
        stored = {o.external_id: o for o in orders.list_orders()}
        assert {o.external_id: o.recipient.street1 for o in final.orders} == {
            ext: o.recipient.street1 for ext, o in stored.items()
        }
        assert catalog.get_item("TEE-M").name == f"Tee {ROUNDS - 1}"
    finally:
        gui.close()
        cli.close()
