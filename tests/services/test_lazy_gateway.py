"""Forms and pickups are listed and printed without an API key; EasyPost calls build it."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path

import pytest

from app.bootstrap import AppContext, RuntimeOptions
from app.domain.errors import AppError, ErrorKind
from app.postage.gateway import EasyPostGateway

T0 = datetime(2026, 11, 25, 17, 0)


class NoKeyContext(AppContext):
    """A desk without an EasyPost API key: building the gateway fails like the real one."""

    gateway_builds = 0

    @cached_property
    def gateway(self) -> EasyPostGateway:
        self.gateway_builds += 1
        raise AppError("No EasyPost API key is stored.", kind=ErrorKind.AUTH)


def test_forms_and_pickups_are_listed_and_printed_without_a_key(tmp_path: Path) -> None:
    with NoKeyContext(RuntimeOptions(home=tmp_path, db=str(tmp_path / "x.sqlite3"))) as ctx:
        pdf = tmp_path / "SF_1.pdf"
        pdf.write_bytes(b"%PDF-1.4 form")
        with ctx.store.transaction(write=True) as tx:
            done = tx.scan_forms.add(
                easypost_id="sf_1",
                batch_id=None,
                from_address_key="studio",
                status="created",
                created_at=T0,
                label_count=3,
            )
            tx.scan_forms.update(done, status="created", form_path=str(pdf))
            tx.scan_forms.add(
                easypost_id="sf_2",
                batch_id=None,
                from_address_key="studio",
                status="creating",
                created_at=T0,
                label_count=1,
            )
            pickup_id = tx.pickups.add(
                easypost_id="pickup_1",
                status="unknown",
                min_datetime=T0,
                max_datetime=T0,
                instructions="",
                package_count=2,
                created_at=T0,
            )

        forms, pickups = ctx.scan_form_service, ctx.pickup_service
        assert sorted(f.easypost_id for f in forms.list()) == ["sf_1", "sf_2"]
        assert forms.get(done).label_count == 3
        printed = forms.print_form(done, str(tmp_path / "out"))
        assert Path(printed.destination).read_bytes() == b"%PDF-1.4 form"
        assert [p.easypost_id for p in pickups.list()] == ["pickup_1"]
        assert ctx.gateway_builds == 0

        # What reaches EasyPost builds the gateway, and says why it cannot.
        with pytest.raises(AppError) as no_key:
            forms.resume()
        assert no_key.value.kind is ErrorKind.AUTH
        with pytest.raises(AppError) as no_key:
            pickups.rates(pickup_id)
        assert no_key.value.kind is ErrorKind.AUTH
        assert ctx.gateway_builds == 2  # a failed build is tried again, not remembered
