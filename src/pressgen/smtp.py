"""The SMTP relay: one connection reused for every message, and an outcome for each.

`smtps://host[:465]` speaks TLS from the start; `smtp://host[:port]` upgrades with STARTTLS when
the server offers it, and must on the submission port 587. Certificates are always verified,
against the system's authorities or those of `[mail] ca_file`. Credentials come only from
PRESSGEN_SMTP_USER and PRESSGEN_SMTP_PASSWORD, and are never sent over a connection without TLS.

Each message is sent with smtplib's MAIL, RCPT and DATA, but the data itself is written in two
steps, because exactly-once delivery depends on the moment the server may take the message: the
message first (dot-stuffed), then, once the caller has recorded that it is being sent (`before_end`,
a commit of the delivery log), the final `.` line. Until that line the server must discard the
message; after it, a connection that dies before the reply leaves the outcome unknown
(`uncertain`). `smtplib.SMTP.sendmail` writes both at once, so a failure could not be told apart.
"""

from __future__ import annotations

import re
import select
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from pressgen.config import MailConfig
from pressgen.errors import PressgenError

SUBMISSION_PORT = 587  # where STARTTLS is required (RFC 8314)
_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class Outcome:
    """What became of one message: sent, failed (5xx), deferred (4xx, or not sent for a lost connection),
    or uncertain (the connection died after the end of the data, before the reply)."""

    state: str
    reply: str


class SenderRefused(PressgenError):
    """The server refuses the sender itself (MAIL FROM 5xx): no message can go; the run stops."""


class _Connection:
    """The connection to the configured SMTP server: TLS, login, and closing it (politely or not)."""

    def __init__(self, mail: MailConfig, environ: Mapping[str, str]):
        self.mail = mail
        parts = urlsplit(mail.smtp)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = environ.get("PRESSGEN_SMTP_USER") or None
        self.password = environ.get("PRESSGEN_SMTP_PASSWORD") or None
        if (self.user is None) != (self.password is None):
            raise PressgenError("set both PRESSGEN_SMTP_USER and PRESSGEN_SMTP_PASSWORD, or neither")
        self.smtp: smtplib.SMTP | None = None
        self.busy = False  # inside a mail transaction: a QUIT now would be read as the message's data

    @property
    def where(self) -> str:
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"

    def _tls(self) -> ssl.SSLContext:
        cafile = str(self.mail.ca_file) if self.mail.ca_file is not None else None
        return ssl.create_default_context(cafile=cafile)

    def connect(self) -> None:
        """Open the connection (TLS, then log in with the credentials of the environment, if any)."""
        self.close()
        try:
            if self.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.mail.timeout, context=self._tls()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.mail.timeout)
            try:
                self._greet(smtp)
            except BaseException:
                smtp.close()
                raise
        except ssl.SSLCertVerificationError as exc:
            raise PressgenError(
                f"the certificate of {self.where} is not trusted: {exc.verify_message} (name the authority that "
                "signed it with [mail] ca_file)"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            raise PressgenError(f"{self.where} refused the login of PRESSGEN_SMTP_USER: {reply}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise PressgenError(f"cannot connect to {self.where}: {_describe(exc)}") from None
        self.smtp = smtp

    def _greet(self, smtp: smtplib.SMTP) -> None:
        """Say hello on a new connection, upgrade it to TLS where it is not yet, and log in."""
        # The end of a message is a line of its own, written after the log's commit: without
        # TCP_NODELAY, Nagle's algorithm holds it back until the server acknowledges the data
        # (a delayed ACK: 40 ms a message).
        if smtp.sock is not None:
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp.ehlo()
        if not self.implicit_tls:
            if smtp.has_extn("starttls"):
                smtp.starttls(context=self._tls())
                smtp.ehlo()
            elif self.port == SUBMISSION_PORT:
                raise PressgenError(f"{self.where} offers no STARTTLS, which the submission port requires")
            elif self.user is not None:
                raise PressgenError(
                    f"{self.where} offers no STARTTLS: credentials are never sent without TLS "
                    "(use smtps:// or a server with STARTTLS)"
                )
        if self.user is not None and self.password is not None:
            smtp.login(self.user, self.password)

    def close(self) -> None:
        """Say goodbye (QUIT) if the connection is still there, and close it."""
        if self.smtp is None:
            return
        if self.busy:  # stopped in the middle of a message (Ctrl+C): the server must not take it
            self.drop()
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def drop(self) -> None:
        """Forget a connection that failed (the next message opens a new one)."""
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None
        self.busy = False


class Relay(_Connection):
    """A connection to the configured SMTP server, opened when first needed and opened again when lost.

    Its methods below send a message and tell what became of it.
    """

    def deliver(self, sender: str, recipient: str, message: bytes, before_end: Callable[[], None]) -> Outcome:
        """Send one message (CRLF line ends) to one recipient; call `before_end` just before its final line."""
        if self.smtp is None:
            self.connect()
        smtp = self.smtp
        assert smtp is not None
        self.busy = True
        outcome = self._transaction(smtp, sender, recipient, message, before_end)
        self.busy = False
        return outcome

    def _transaction(
        self, smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes, before_end: Callable[[], None]
    ) -> Outcome:
        try:
            code, text = smtp.mail(sender)
            if code >= 500:
                smtp.rset()
                raise SenderRefused(f"{self.where} refuses the sender {sender}: {_reply(code, text)}")
            if code < 400:
                code, text = smtp.rcpt(recipient)
            if code < 400:
                code, text = smtp.docmd("DATA")
                if code != 354 and code < 400:
                    code = 451  # a server that does not want the data now
            if code >= 400:
                return self._refused(smtp, code, text)
            smtp.send(_LEADING_DOT.sub(b"..", message if message.endswith(b"\r\n") else message + b"\r\n"))
            early = _early_reply(smtp)
            if early is not None:  # the server answered before the end: it refuses the message
                self.drop()
                return Outcome("failed" if early[0] >= 500 else "deferred", _reply(*early))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.drop()
            return Outcome("deferred", f"the connection was lost before the message was complete: {_describe(exc)}")
        try:
            before_end()
        except BaseException:
            self.drop()  # the server never sees the end of the message: it is not delivered
            raise
        try:
            smtp.send(b".\r\n")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.drop()  # the end was never handed over: the server cannot have taken the message
            return Outcome("deferred", f"the connection was lost before the message was complete: {_describe(exc)}")
        try:
            code, text = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.drop()
            return Outcome("uncertain", f"the connection was lost after the message was sent: {_describe(exc)}")
        if code >= 400:
            return self._refused(smtp, code, text, reset=False)
        return Outcome("sent", _reply(code, text))

    def _refused(self, smtp: smtplib.SMTP, code: int, text: bytes, reset: bool = True) -> Outcome:
        """Return the outcome of a refusal: failed for good (5xx), deferred (4xx); 421 closes the connection."""
        if code == 421:
            self.drop()
        elif reset:
            try:
                smtp.rset()
            except (smtplib.SMTPException, OSError):
                self.drop()
        return Outcome("failed" if code >= 500 else "deferred", _reply(code, text))


def _early_reply(smtp: smtplib.SMTP) -> tuple[int, bytes] | None:
    """Return a reply the server gave before the end of the data (an error), if it gave one.

    A server that closed the connection during the data raises here, before the end is sent:
    the message was not delivered, and is sent again; only a connection lost after the end
    leaves the outcome unknown.
    """
    sock = smtp.sock
    if sock is None:
        raise smtplib.SMTPServerDisconnected("the connection was closed")
    buffered = isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
    if not buffered and not select.select([sock], [], [], 0)[0]:
        return None
    code, text = smtp.getreply()  # raises if what is there is the end of the connection
    return (code if code >= 400 else 451), text


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(message.split())}".strip()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
