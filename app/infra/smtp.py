"""An SMTP connection (plain, STARTTLS or SSL) that sends one message at a time."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from app.domain.emails import TrackingMessage
from app.domain.errors import AppError, ErrorKind
from app.infra.email_settings import EmailSettings, Security

TIMEOUT_S = 30.0


def build_message(message: TrackingMessage, sender: str) -> EmailMessage:
    """The MIME message of `message` (UTF-8 text, its own Message-ID)."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=True)
    domain = sender.rpartition("@")[2] or "packdesk.local"
    mime["Message-ID"] = make_msgid(domain=domain)
    mime.set_content(message.body)
    return mime


class SmtpConnection:
    """One open connection to the desk's SMTP server; reconnects once when dropped."""

    def __init__(self, settings: EmailSettings, password: str | None) -> None:
        self._settings = settings
        self._password = password
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        try:
            client: smtplib.SMTP
            if s.security is Security.SSL:
                client = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=TIMEOUT_S, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_S)
                if s.security is Security.STARTTLS:
                    client.starttls(context=ssl.create_default_context())
            if s.user:
                client.login(s.user, self._password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise AppError(
                "The SMTP server refused the user name or password.",
                hint="Check the user, then store the password again with `packdesk-cli email "
                "setup --password-stdin` (or set $PACKDESK_SMTP_PASSWORD).",
                kind=ErrorKind.AUTH,
                details={"code": error.smtp_code},
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise AppError(
                f"Cannot reach the SMTP server {s.host}:{s.port}: {type(error).__name__}.",
                hint="Check the host, port and security (none, starttls or ssl) with "
                "`packdesk-cli email setup`, and the network.",
                kind=ErrorKind.NETWORK,
                details={"host": s.host, "port": s.port},
            ) from None
        return client

    def send(self, message: EmailMessage) -> None:
        """Send one message; SMTP refusals raise smtplib errors for the caller to record."""
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self._client = self._connect()
            self._client.send_message(message)

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                self._client.close()
            self._client = None
