"""`db migrate-to`: a desk's SQLite profile (orders, a bought batch, audit) is copied into an
empty PostgreSQL database with COPY, verified table by table, and the profile switched; a
non-empty target or a non-PostgreSQL address is refused and nothing is switched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import AppContext, RuntimeOptions
from app.domain.errors import AppError, ErrorKind
from app.postage.gateway import EasyPostGateway
from app.services.buy_plan import Selection
from app.services.database_move import DatabaseMoveService
from app.store import Store, open_store
from tests.pg_cluster import PgServer
from tests.services.purchase_world import purchase_service, seed, us_order


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[AppContext, Store]]:
    ctx = AppContext(RuntimeOptions(home=tmp_path / "home"))
    store = ctx.store
    yield ctx, store
    ctx.close()


def test_a_desk_moves_onto_postgresql_with_every_row_verified(
    desk: tuple[AppContext, Store],
    pg_server: PgServer,
    gateway: EasyPostGateway,
    tmp_path: Path,
) -> None:
    ctx, store = desk
    ids = seed(store, [us_order(n) for n in range(8)])
    bought = purchase_service(store, gateway, tmp_path / "labels").buy(
        Selection(order_ids=tuple(ids[:5]))
    )
    assert len(bought.bought) == 5
    name = pg_server.empty_database()
    url = pg_server.url(name)
    try:
        report = DatabaseMoveService(store, ctx.settings_store, tmp_path / "pg.local").migrate_to(
            url
        )
        counts = {t.name: t.rows for t in report.copy.tables}
        assert counts["orders"] == 8 and counts["labels"] == 5 and counts["purchases"] == 5
        assert counts["audit_log"] > 0
        # The profile now opens the server (its URL stored without password).
        moved = AppContext(RuntimeOptions(home=tmp_path / "home"))
        try:
            assert moved.database_url == url
            with moved.store.transaction() as tx:
                assert tx.orders.count() == 8
                assert len(tx.labels.list()) == 5
            # New rows continue after the copied ids.
            more = seed(moved.store, [us_order(100)])
            assert more[0] > max(ids)
        finally:
            moved.close()
        # A second move into the now filled database is refused.
        again = open_store(store.path)
        try:
            with pytest.raises(AppError) as refused:
                DatabaseMoveService(again, ctx.settings_store, tmp_path / "x").migrate_to(url)
            assert refused.value.kind is ErrorKind.DATABASE
            assert "not empty" in refused.value.message
        finally:
            again.close()
    finally:
        pg_server.drop(name)


def test_a_non_postgresql_address_is_refused(
    desk: tuple[AppContext, Store], tmp_path: Path
) -> None:
    ctx, store = desk
    with pytest.raises(AppError) as refused:
        DatabaseMoveService(store, ctx.settings_store, tmp_path / "pg.local").migrate_to(
            "mysql://desk@db/campaign"
        )
    assert refused.value.kind is ErrorKind.INVALID_INPUT
    assert ctx.settings_store.load().other.get("database") is None
