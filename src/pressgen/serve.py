"""`pressgen serve`: a local preview of the site that rebuilds when a source changes."""

from __future__ import annotations

import functools
import ipaddress
import os
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pressgen.build import BuildOptions, BuildReport, build, output_dir
from pressgen.cache import inputs_fingerprint
from pressgen.config import Config, load_config
from pressgen.errors import Diagnostic, PressgenError


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serve the preview's files, and nothing else: no folder listings, no other host names.

    A web page elsewhere can point a DNS name of its own at 127.0.0.1 (DNS rebinding) to read
    a local server; such requests carry that name as their Host, so only `localhost` and IP
    addresses are answered.
    """

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        if not host_allowed(self.headers.get("Host")):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "Unknown host: open the address pressgen serve printed")
            return None
        try:
            return super().send_head()
        except ValueError:  # a NUL byte or another character no file name may hold
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request path")
            return None

    def list_directory(self, path: str | os.PathLike[str]) -> Any:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None


def host_allowed(host: str | None) -> bool:
    """Accept a Host header that names this machine by `localhost` or an IP address (any port)."""
    if not host:
        return False
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Preview:
    """Serve the output folder and rebuild it whenever a release, catalog, template or the config changes."""

    def __init__(
        self,
        config: Config,
        options: BuildOptions,
        host: str,
        port: int,
        say: Callable[[str], None],
        show: Callable[[Diagnostic], None],
        interval: float = 0.5,
    ):
        self.config = config
        self.options = options
        self.say = say
        self.show = show
        self.interval = interval
        self.out_dir = output_dir(config, options)
        self.stop = threading.Event()
        self.builds = 0
        handler = functools.partial(PreviewHandler, directory=str(self.out_dir))
        self.host = host
        self.server = ThreadingHTTPServer((host, port), handler)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_port}/"

    def rebuild(self) -> BuildReport | None:
        """Build once; report errors and keep serving the previous output."""
        try:
            self.config = load_config(self.config.root)
            report = build(self.config, self.options)
        except PressgenError as exc:
            for diagnostic in exc.diagnostics:
                self.show(diagnostic)
            self.say("build failed: still serving the previous output")
            return None
        self.builds += 1
        for warning in report.warnings:
            self.show(warning)
        if not report.unchanged:
            self.say(f"rebuilt: {report.pdfs} PDFs ({report.rendered} rendered) in {report.seconds:.1f} s")
        return report

    def watch(self) -> None:
        """Poll the sources' fingerprint and rebuild when it changes."""
        seen = inputs_fingerprint(self.config, {})
        while not self.stop.wait(self.interval):
            current = inputs_fingerprint(self.config, {})
            if current != seen:
                seen = current
                self.rebuild()

    def run(self) -> None:
        """Build, then serve until interrupted."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.rebuild()
        watcher = threading.Thread(target=self.watch, daemon=True)
        watcher.start()
        what = (
            "the preview of the current sources (not the public site)"
            if self.options.preview
            else "the public site (the publication record)"
        )
        self.say(f"serving {what} on {self.url} (Ctrl+C to stop); rebuilding when a source changes")
        try:
            self.server.serve_forever(poll_interval=0.25)
        finally:
            self.stop.set()
            self.server.server_close()
