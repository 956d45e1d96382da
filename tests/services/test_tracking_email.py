"""Tracking emails against a real local SMTP server: once per order, per-order refusals,
throttling, an interrupted bulk send that resumes without repeating anything."""

from __future__ import annotations

import dataclasses
import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.orders import OrderStatus
from app.infra.email_settings import EmailSettings, Security, load_email_settings
from app.infra.smtp import SmtpConnection
from app.services.audit import AuditLog
from app.services.manual_ship import ManualShipService
from app.services.tracking_email import EmailSelection, TrackingEmailService
from tests.documents.world import NOW, DocWorld, make_order, world  # noqa: F401
from tests.services.smtp_capture import SmtpServer, smtp_server  # noqa: F401


def _settings(server: SmtpServer) -> EmailSettings:
    return EmailSettings(
        host=server.host,
        port=server.port,
        security=Security.NONE,
        from_address="shop@example.com",
        per_minute=0,
    )


def _make(server: SmtpServer, world: DocWorld, **changes: object) -> TrackingEmailService:  # noqa: F811
    settings = dataclasses.replace(_settings(server), **changes)  # type: ignore[arg-type]
    return TrackingEmailService(
        world.store, lambda: settings, lambda s: SmtpConnection(s, None), clock=lambda: NOW
    )


@pytest.fixture
def batch(world: DocWorld) -> str:  # noqa: F811
    orders = [
        make_order(str(100 + n), [("TEE-M", 1)], name=f"Backer {n}", email=f"b{n}@example.com")
        for n in range(5)
    ]
    orders.append(make_order("199", [("TEE-M", 1)], name="No Mail"))
    world.add_orders(orders, OrderStatus.READY_TO_SHIP)
    reference = world.batch()
    for order in orders:
        world.label(order.external_id, batch=reference)
    return reference


def test_bulk_send_emails_each_order_once_with_its_tracking_link(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    batch: str,
) -> None:
    service = _make(smtp_server, world)
    report = service.send(EmailSelection(batch=batch))
    assert report.count("sent") == 5 and report.count("skipped") == 1
    messages = smtp_server.capture.messages
    assert sorted(smtp_server.capture.to()) == [f"b{n}@example.com" for n in range(5)]
    first = messages[0]
    assert first["Subject"] == "Your order 100 has shipped"
    body = first.get_content()
    assert "Hello Backer 0" in body
    assert "https://tools.usps.com/go/TrackConfirmAction?tLabels=94" in body
    again = service.send(EmailSelection(batch=batch))
    assert again.count("sent") == 0 and again.count("already") == 5
    assert len(messages) == 5
    forced = service.send(EmailSelection(order_ids=(world.ids["100"],)), again=True)
    assert forced.count("sent") == 1 and len(messages) == 6
    with world.store.transaction() as tx:
        records = tx.emails.records()
    assert {r.status for r in records} == {"sent", "skipped"}


def test_a_refused_recipient_fails_alone_and_is_retried_next_run(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    batch: str,
) -> None:
    smtp_server.capture.refuse.add("b2@example.com")
    service = _make(smtp_server, world)
    report = service.send(EmailSelection(batch=batch))
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert [o.order for o in failed] == ["102"]
    assert "550" in failed[0].error
    assert report.count("sent") == 4
    smtp_server.capture.refuse.clear()
    retry = service.send(EmailSelection(batch=batch))
    assert retry.count("sent") == 1 and retry.count("already") == 4


class _Interrupting:
    """An SMTP connection whose third message never returns (the program is killed)."""

    def __init__(self, inner: SmtpConnection) -> None:
        self.inner = inner
        self.calls = 0

    def send(self, message: EmailMessage) -> None:
        self.calls += 1
        if self.calls == 3:
            self.inner.send(message)  # it left, but we never hear back
            raise KeyboardInterrupt
        self.inner.send(message)

    def close(self) -> None:
        self.inner.close()


def test_an_interrupted_bulk_send_resumes_without_repeating(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    batch: str,
) -> None:
    settings = _settings(smtp_server)
    interrupted = TrackingEmailService(
        world.store, lambda: settings, lambda s: _Interrupting(SmtpConnection(s, None))
    )
    with pytest.raises(KeyboardInterrupt):
        interrupted.send(EmailSelection(batch=batch))
    assert len(smtp_server.capture.messages) == 3
    resumed = _make(smtp_server, world).send(EmailSelection(batch=batch))
    assert resumed.count("sent") == 2
    assert resumed.count("already") == 2 and resumed.count("in_doubt") == 1
    recipients = smtp_server.capture.to()
    assert len(recipients) == len(set(recipients)) == 5  # nobody got two


def test_sending_is_throttled_to_the_messages_per_minute(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    batch: str,
) -> None:
    waits: list[float] = []
    slow = dataclasses.replace(_settings(smtp_server), per_minute=30)
    service = TrackingEmailService(
        world.store,
        lambda: slow,
        lambda s: SmtpConnection(s, None),
        sleep=waits.append,
        monotonic=lambda: 100.0,  # no time passes between messages
    )
    service.send(EmailSelection(batch=batch))
    assert waits == [2.0] * 4  # 5 messages, 2 s apart


def test_preview_renders_without_sending(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    batch: str,
) -> None:
    service = _make(smtp_server, world, subject="Order $order\r\nBcc: x@evil.example")
    messages = service.preview(EmailSelection(batch=batch))
    assert len(messages) == 5
    assert messages[0].subject == "Order 100 Bcc: x@evil.example"  # one line, no new header
    assert smtp_server.capture.messages == []


def test_manual_ship_without_tracking_says_no_tracking(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
) -> None:
    world.add_orders(
        [make_order("300", [("PIN", 1)], name="Hand Off", email="h@example.com")],
        OrderStatus.READY_TO_SHIP,
    )
    mail = _make(smtp_server, world)
    shipper = ManualShipService(
        world.store,
        AuditLog(world.store, "desk-1", "ann"),
        on_shipped=lambda ids: mail.send(EmailSelection(order_ids=tuple(ids)), trigger="shipped"),
    )
    shipper.ship(["300"])
    (message,) = smtp_server.capture.messages
    assert "without tracking" in message.get_content()


def test_cli_email_setup_preview_and_send(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    batch: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["--home", str(tmp_path / "home"), "--db", str(world.store.path), "email"]
    assert (
        main(
            [
                *base,
                "setup",
                "--host",
                smtp_server.host,
                "--port",
                str(smtp_server.port),
                "--security",
                "none",
                "--from",
                "shop@example.com",
                "--per-minute",
                "0",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main([*base, "preview", "--batch", batch]) == 0
    assert "Subject: Your order 100 has shipped" in capsys.readouterr().out
    assert main([*base, "send", "--batch", batch, "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["would_send"] == 5
    assert smtp_server.capture.messages == []
    assert main([*base, "send", "--batch", batch, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"] == 5
    assert len(smtp_server.capture.messages) == 5
    assert load_email_settings({"email": {"port": "25", "security": "ssl"}}).port == 25


def test_cli_ship_emails_when_the_desk_asked_for_it(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world.add_orders(
        [make_order("400", [("PIN", 1)], name="Cli Ship", email="c@example.com")],
        OrderStatus.READY_TO_SHIP,
    )
    base = ["--home", str(tmp_path / "home"), "--db", str(world.store.path)]
    setup = ["email", "setup", "--host", smtp_server.host, "--port", str(smtp_server.port)]
    setup += ["--security", "none", "--from", "shop@example.com", "--on-ship"]
    assert main([*base, *setup]) == 0
    capsys.readouterr()
    assert main([*base, "ship", "--order", "400", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["shipped"] == [world.ids["400"]] and shown["emails"]["sent"] == 1
    assert smtp_server.capture.to() == ["c@example.com"]


def test_cli_scan_to_ship_emails_when_the_desk_asked_for_it(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world.add_orders(
        [make_order("500", [("PIN", 1)], name="Scanned", email="s@example.com")],
        OrderStatus.READY_TO_SHIP,
    )
    tracking = world.label("500")
    base = ["--home", str(tmp_path / "home"), "--db", str(world.store.path)]
    setup = ["email", "setup", "--host", smtp_server.host, "--port", str(smtp_server.port)]
    setup += ["--security", "none", "--from", "shop@example.com", "--on-ship"]
    assert main([*base, *setup]) == 0
    capsys.readouterr()
    assert main([*base, "scan", tracking]) == 0
    assert "tracking emails: 1 sent" in capsys.readouterr().out
    (message,) = smtp_server.capture.messages
    assert tracking in message.get_content()


def test_first_carrier_scan_emails_once_when_the_desk_asked_for_it(
    smtp_server: SmtpServer,  # noqa: F811
    world: DocWorld,  # noqa: F811
    batch: str,
) -> None:
    quiet = _make(smtp_server, world)
    assert quiet.notify_first_scans() is None  # not asked for: nothing happens
    with world.store.transaction(write=True) as tx:
        record = tx.labels.live_for_order(world.ids["101"])
        assert record is not None
        tx.labels.update(record.id, first_scan_at=NOW, tracking_status="in_transit")
    service = _make(smtp_server, world, on_first_scan=True)
    report = service.notify_first_scans()
    assert report is not None and report.count("sent") == 1
    assert smtp_server.capture.to() == ["b1@example.com"]
    again = service.notify_first_scans()
    assert again is not None and again.count("sent") == 0 and again.count("already") == 1
