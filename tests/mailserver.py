"""A real SMTP server on 127.0.0.1 for the tests of `pressgen send`: aiosmtpd in a thread of the test.

It keeps every message it accepts, and misbehaves on demand, as a real relay does: it refuses a
recipient or a message for a while (4xx) or for good (5xx), closes the connection in the middle of a
message (before its end: it was never delivered) or right after its end without a reply (the
message arrived, the client cannot know), and can speak TLS (from the start or after STARTTLS) and
ask for a login. Tests wait for what they expect with `wait_for`, never for a fixed time.
"""

from __future__ import annotations

import email
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


@dataclass
class Received:
    """One message the server accepted."""

    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Rule:
    """Misbehave for `recipient` (any if None) at `stage`: reply `reply`, or drop the connection if it is None.

    Stages: "MAIL" (the sender), "RCPT", "DATA" (the command: with no reply, the connection is closed after its 354,
    in the middle of the message), "END" (after the message's end: with no reply, the message is
    kept and the connection closed). `times` is how often (None: always).
    """

    stage: str
    reply: str | None
    recipient: str | None = None
    times: int | None = 1


@dataclass
class Handler:
    """aiosmtpd's handler: keeps what it accepts, applies the rules."""

    received: list[Received] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    condition: threading.Condition = field(default_factory=threading.Condition)

    def rule(self, stage: str, recipients: list[str]) -> Rule | None:
        with self.condition:
            for rule in self.rules:
                if rule.stage == stage and (rule.recipient is None or rule.recipient in recipients):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times == 0:
                            self.rules.remove(rule)
                    self.refusals[stage] += 1
                    return rule
        return None

    async def handle_MAIL(self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        rule = self.rule("MAIL", [])
        if rule is not None and rule.reply is not None:
            return rule.reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        rule = self.rule("RCPT", [address])
        if rule is not None and rule.reply is not None:
            return rule.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        rule = self.rule("END", list(envelope.rcpt_tos))
        if rule is not None and rule.reply is not None:
            return rule.reply
        with self.condition:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
            )
            self.condition.notify_all()
        if rule is not None and server.transport is not None:  # kept, but the client never hears so
            server.transport.close()
        return "250 Message accepted for delivery"


class _DroppingSMTP(SMTP):
    """aiosmtpd's SMTP, closing the connection in the middle of a message when a rule says so."""

    async def smtp_DATA(self, arg: str) -> None:
        handler = self.event_handler
        assert isinstance(handler, Handler)
        rule = handler.rule("DATA", list(self.envelope.rcpt_tos) if self.envelope is not None else [])
        if rule is None:
            await super().smtp_DATA(arg)
        elif rule.reply is not None:
            await self.push(rule.reply)
        else:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            if self.transport is not None:
                self.transport.close()


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _DroppingSMTP(self.handler, **self.SMTP_kwargs)


class MailServer:
    """The running server: its URL for `[mail] smtp`, what it received, and its rules."""

    def __init__(self, handler: Handler, url: str):
        self.handler = handler
        self.url = url

    @property
    def received(self) -> list[Received]:
        with self.handler.condition:
            return list(self.handler.received)

    def refuse(self, stage: str, reply: str | None, recipient: str | None = None, times: int | None = 1) -> None:
        with self.handler.condition:
            self.handler.rules.append(Rule(stage, reply, recipient, times))

    def by_recipient(self) -> Counter[str]:
        """Return how many messages each address received."""
        return Counter(address for message in self.received for address in message.recipients)

    def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 60) -> list[Received]:
        """Wait until what the server received meets `condition`; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.handler.condition:
            while not condition(self.handler.received):
                left = deadline - time.monotonic()
                assert left > 0, f"the server received {len(self.handler.received)} messages, not what was awaited"
                # Woken by each message; and now and then, for a condition on something else (a process).
                self.handler.condition.wait(min(left, 0.2))
            return list(self.handler.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _check_login(server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"press", b"s3cret")
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers a failure itself


@contextmanager
def mail_server(
    tls: ssl.SSLContext | None = None, implicit_tls: bool = False, login: bool = False
) -> Iterator[MailServer]:
    """Run an SMTP server on 127.0.0.1 (a free port) for the test; STARTTLS with `tls`, or TLS from the start."""
    handler = Handler()
    port = free_port()
    options: dict[str, Any] = {}
    if tls is not None and not implicit_tls:
        options.update(tls_context=tls, require_starttls=True)
    if login:
        # aiosmtpd counts only STARTTLS as TLS: over TLS from the start, its check must be off.
        options.update(authenticator=_check_login, auth_required=True, auth_require_tls=not implicit_tls)
    controller = _Controller(
        handler, hostname="127.0.0.1", port=port, ssl_context=tls if implicit_tls else None, **options
    )
    controller.start()
    try:
        yield MailServer(handler, f"{'smtps' if implicit_tls else 'smtp'}://127.0.0.1:{port}")
    finally:
        controller.stop()
