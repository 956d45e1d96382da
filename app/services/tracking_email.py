"""Tracking emails: preview, and send once per order (recorded, throttled, resumable).

Every message is written down as `sending` before the SMTP call and as `sent` or `failed` after
it. An order with a `sent` or `sending` record is not emailed again unless asked (`again`): a
bulk send that was interrupted resumes with the orders it had not reached, and the one message
that may or may not have left when it stopped is reported "in doubt" rather than repeated.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from app.domain.emails import EmailTemplate, TrackingMessage, fields_for, render
from app.domain.errors import AppError, ErrorKind
from app.infra.email_settings import EmailSettings, SmtpPasswordStore, load_email_settings
from app.infra.settings import SettingsStore
from app.infra.smtp import SmtpConnection, build_message
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.email_repo import EmailTarget
from app.store.store import StoreTransaction


class MailSender(Protocol):
    """An open SMTP connection (app.infra.smtp.SmtpConnection)."""

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class EmailOutcome:
    """What happened to one order's email in a run."""

    order_id: int
    order: str
    to: str
    status: str  # sent | failed | skipped | already | in_doubt | would_send
    error: str = ""


@dataclass(frozen=True, slots=True)
class EmailRunReport:
    """A run's outcomes, and why it stopped early (the server went away), if it did."""

    outcomes: tuple[EmailOutcome, ...]
    stopped: str = ""

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    def to_json(self) -> dict[str, object]:
        statuses = ("sent", "failed", "skipped", "already", "in_doubt", "would_send")
        return {
            **{status: self.count(status) for status in statuses},
            "stopped": self.stopped,
            "orders": [
                {
                    "order_id": o.order_id,
                    "order": o.order,
                    "to": o.to,
                    "status": o.status,
                    "error": o.error,
                }
                for o in self.outcomes
            ],
        }


@dataclass(frozen=True, slots=True)
class EmailSelection:
    """Which orders: a batch's, some orders, or those whose label had its first scan."""

    batch: str | None = None
    order_ids: tuple[int, ...] = ()
    first_scan: bool = False


def _smtp_error(error: smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [
            f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values()
        ]
        return "recipient refused: " + "; ".join(codes)
    code = getattr(error, "smtp_code", None)
    reply = getattr(error, "smtp_error", b"")
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip() if code else type(error).__name__


class TrackingEmailService:
    """One use case for `packdesk-cli email preview|send` and the panels' email actions."""

    def __init__(
        self,
        store: Store,
        settings: Callable[[], EmailSettings],
        connect: Callable[[EmailSettings], MailSender],
        *,
        clock: Clock = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._settings = settings
        self._connect = connect
        self._clock = clock
        self._sleep = sleep
        self._monotonic = monotonic

    # -- choosing and rendering -----------------------------------------------------------

    def _targets(self, tx: StoreTransaction, selection: EmailSelection) -> list[EmailTarget]:
        if selection.batch:
            batch_id = tx.emails.batch_id(selection.batch)
            if batch_id is None:
                raise AppError(
                    f"There is no batch {selection.batch}.",
                    hint="See `packdesk-cli batches` for the batch references.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"batch": selection.batch},
                )
            return tx.emails.targets_of_batch(batch_id)
        if selection.order_ids:
            return tx.emails.targets_of_orders(selection.order_ids)
        if selection.first_scan:
            return tx.emails.targets_first_scanned()
        raise AppError(
            "Choose the orders to email.",
            hint="Pass --batch B, --order N, or --first-scan.",
            kind=ErrorKind.INVALID_INPUT,
        )

    @staticmethod
    def _message(template: EmailTemplate, target: EmailTarget) -> TrackingMessage:
        fields = fields_for(
            name=target.name,
            order=target.external_id,
            tracking_code=target.tracking_code,
            service=target.service,
        )
        return render(template, fields, order_id=target.order_id, to=target.email)

    def preview(self, selection: EmailSelection) -> list[TrackingMessage]:
        """The messages the selection's orders would get (nothing is sent or recorded)."""
        settings = self._settings()
        template = EmailTemplate(settings.subject, settings.body)
        with self._store.transaction() as tx:
            targets = self._targets(tx, selection)
        return [self._message(template, target) for target in targets if target.email]

    # -- automatic sends ------------------------------------------------------------------

    def notify_shipped(self, order_ids: Sequence[int]) -> EmailRunReport | None:
        """After "mark shipped": email those orders if the desk asked for it (None if not).

        Never raises for SMTP trouble: shipping is done either way; the report says why
        the email did not go, and `email send` retries later.
        """
        settings = self._settings()
        if not (settings.on_ship and settings.configured and order_ids):
            return None
        try:
            return self.send(EmailSelection(order_ids=tuple(order_ids)), trigger="shipped")
        except AppError as error:
            return EmailRunReport((), error.message)

    def notify_first_scans(self) -> EmailRunReport | None:
        """After a tracking refresh: email orders whose label had its first carrier scan."""
        settings = self._settings()
        if not (settings.on_first_scan and settings.configured):
            return None
        try:
            return self.send(EmailSelection(first_scan=True), trigger="first_scan")
        except AppError as error:
            return EmailRunReport((), error.message)

    # -- sending --------------------------------------------------------------------------

    def send(
        self,
        selection: EmailSelection,
        *,
        trigger: str = "bulk",
        again: bool = False,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> EmailRunReport:
        """Email each selected order once (`again`: even if it already had its email).

        SMTP refusals are recorded per order and the run goes on; when the server cannot be
        reached the run stops (`stopped` says why) and a later run resumes where it stopped.

        Raises:
            AppError: INVALID_INPUT when email is not set up or nothing is selected.
        """
        settings = self._settings()
        if not settings.configured and not dry_run:
            raise AppError(
                "Tracking emails are not set up.",
                hint="Run `packdesk-cli email setup --host H --port P --security starttls "
                "--from ADDRESS` first.",
                kind=ErrorKind.INVALID_INPUT,
            )
        template = EmailTemplate(settings.subject, settings.body)
        with self._store.transaction() as tx:
            targets = self._targets(tx, selection)
            emailed = set() if again else tx.emails.emailed_order_ids([t.order_id for t in targets])
            in_doubt = {
                r.order_id
                for t in targets
                if t.order_id in emailed
                for r in tx.emails.records(t.order_id, limit=1)
                if r.status == "sending"
            }
        run = _Run(self, settings, trigger, dry_run)
        outcomes: list[EmailOutcome] = []
        stopped = ""
        try:
            for index, target in enumerate(targets):
                if progress is not None:
                    progress(index, len(targets))
                if target.order_id in emailed:
                    status = "in_doubt" if target.order_id in in_doubt else "already"
                    outcomes.append(
                        EmailOutcome(target.order_id, target.external_id, target.email, status)
                    )
                    continue
                message = self._message(template, target)
                outcome = run.deliver(target, message)
                outcomes.append(outcome)
                if run.stopped:
                    stopped = run.stopped
                    break
        finally:
            run.close()
        if progress is not None:
            progress(len(targets), len(targets))
        return EmailRunReport(tuple(outcomes), stopped)


def tracking_email_service(
    store: Store, settings_store: SettingsStore, profile: str, *, clock: Clock = utc_now
) -> TrackingEmailService:
    """The service wired to the profile's saved settings, SMTP server and keyring password."""
    passwords = SmtpPasswordStore(profile)

    def connect(settings: EmailSettings) -> SmtpConnection:
        return SmtpConnection(settings, passwords.get() if settings.user else None)

    return TrackingEmailService(
        store, lambda: load_email_settings(settings_store.load().other), connect, clock=clock
    )


class _Run:
    """One sending run: a connection opened on first need, throttling, and the records."""

    def __init__(
        self, service: TrackingEmailService, settings: EmailSettings, trigger: str, dry_run: bool
    ) -> None:
        self._service = service
        self._settings = settings
        self._trigger = trigger
        self._dry_run = dry_run
        self._sender: MailSender | None = None
        self._last_sent: float | None = None
        # The previous message's result, written in the same transaction as the next
        # message's "sending" record: one commit per message.
        self._pending: tuple[int, str, str | None, str | None] | None = None
        self.stopped = ""

    def _record(
        self, target: EmailTarget, message: TrackingMessage, status: str, error: str | None
    ) -> int:
        service = self._service
        with service._store.transaction(write=True) as tx:
            self._flush(tx)
            return tx.emails.start(
                order_id=target.order_id,
                trigger=self._trigger,
                batch_id=target.batch_id,
                tracking_code=message.tracking_code,
                recipient=message.to,
                subject=message.subject,
                now=service._clock(),
                status=status,
                error=error,
            )

    def _flush(self, tx: StoreTransaction) -> None:
        if self._pending is not None:
            send_id, status, error, message_id = self._pending
            tx.emails.finish(
                send_id,
                status=status,
                now=self._service._clock(),
                error=error,
                message_id=message_id,
            )
            self._pending = None

    def _throttle(self) -> None:
        per_minute = self._settings.per_minute
        if per_minute <= 0 or self._last_sent is None:
            return
        wait = 60.0 / per_minute - (self._service._monotonic() - self._last_sent)
        if wait > 0:
            self._service._sleep(wait)

    def deliver(self, target: EmailTarget, message: TrackingMessage) -> EmailOutcome:
        base = (target.order_id, target.external_id, target.email)
        if not target.email:
            if not self._dry_run:
                self._record(target, message, "skipped", "no email address")
            return EmailOutcome(*base, "skipped", "no email address")
        if self._dry_run:
            return EmailOutcome(*base, "would_send")
        mime = build_message(message, self._settings.from_address)
        send_id = self._record(target, message, "sending", None)
        self._throttle()
        try:
            if self._sender is None:
                self._sender = self._service._connect(self._settings)
            self._sender.send(mime)
        except smtplib.SMTPException as error:
            if isinstance(error, smtplib.SMTPServerDisconnected):
                self.stopped = "the SMTP server closed the connection"
            text = _smtp_error(error)
            self._pending = (send_id, "failed", text, None)
            return EmailOutcome(*base, "failed", text)
        except OSError as error:  # the connection broke mid-message: it may not have left
            self.stopped = f"the connection to the SMTP server broke ({type(error).__name__})"
            self._pending = (send_id, "failed", self.stopped, None)
            return EmailOutcome(*base, "failed", self.stopped)
        except AppError as error:  # cannot connect or log in: nothing more will go out
            self.stopped = error.message
            self._pending = (send_id, "failed", error.message, None)
            return EmailOutcome(*base, "failed", error.message)
        finally:
            self._last_sent = self._service._monotonic()
        self._pending = (send_id, "sent", None, str(mime["Message-ID"]))
        return EmailOutcome(*base, "sent")

    def close(self) -> None:
        if self._pending is not None:
            with self._service._store.transaction(write=True) as tx:
                self._flush(tx)
        if self._sender is not None:
            self._sender.close()
