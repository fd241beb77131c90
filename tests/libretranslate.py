"""A local server that speaks LibreTranslate's HTTP API, for testing the real client.

It answers `POST /translate` (parameters in the query string, a form or JSON, as
LibreTranslate accepts) with `{"translatedText": …}` and `GET /languages`. Its "translation"
is deterministic: known phrases from a small glossary, anything else tagged with the target
language. It can be told to fail the next N requests (transient) or every request, to answer
after N requests only once released (a server that hangs), to answer something that is not a
translation (a JSON list, a huge text), to trickle its answers a byte at a time (a server that
never times out a read, and never finishes), and to run a hook as each request arrives (a
translator saving a catalog while `translate` waits).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GLOSSARY = {
    ("ro", "en", "Guvernul anunță un nou program."): "The government announces a new programme.",
    ("ro", "nl", "Guvernul anunță un nou program."): "De regering kondigt een nieuw programma aan.",
}
LANGUAGES = ["en", "nl", "ro", "de", "fr"]


class FakeLibreTranslate(ThreadingHTTPServer):
    """The server, with what it received and how it should misbehave."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict[str, str]] = []
        self.fail_next = 0
        self.fail_always = False
        self.hang_after: int | None = None  # requests after this many wait for `release`
        self.release = threading.Event()
        self.payload: object = None  # answered instead of a translation, if set
        self.on_request: Callable[[int], None] | None = None  # called with each request's number
        self.trickle: float | None = None  # seconds between two bytes of each answer, if set
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def __enter__(self) -> FakeLibreTranslate:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.release.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: FakeLibreTranslate

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.server.trickle is None:
            self.wfile.write(body)
            return
        for byte in body:  # each within any read timeout; the whole answer, never soon
            if self.server.stopping.wait(self.server.trickle):
                return
            try:
                self.wfile.write(bytes((byte,)))
                self.wfile.flush()
            except OSError:  # the client gave up
                return

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/languages":
            self._send(200, [{"code": c, "name": c, "targets": LANGUAGES} for c in LANGUAGES])
        else:
            self._send(404, {"error": "Not Found"})

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/translate":
            self._send(404, {"error": "Not Found"})
            return
        fields = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        if body and self.headers.get("Content-Type", "").startswith("application/json"):
            fields.update(json.loads(body))
        elif body:
            fields.update({k: v[0] for k, v in parse_qs(body).items()})
        with self.server.lock:
            self.server.received.append(fields)
            number = len(self.server.received)
            failing = self.server.fail_always or self.server.fail_next > 0
            if self.server.fail_next > 0:
                self.server.fail_next -= 1
        if self.server.on_request is not None:
            self.server.on_request(number)
        if self.server.hang_after is not None and number > self.server.hang_after:
            self.server.release.wait(60)
        if self.server.payload is not None:
            self._send(200, self.server.payload)
            return
        if failing:
            self._send(503, {"error": "Service Unavailable"})
            return
        source, target, text = fields.get("source", ""), fields.get("target", ""), fields.get("q", "")
        if not text or target not in LANGUAGES or source not in LANGUAGES:
            self._send(400, {"error": "Invalid request: missing q, source or target"})
            return
        self._send(200, {"translatedText": GLOSSARY.get((source, target, text), f"[{target}] {text}")})
