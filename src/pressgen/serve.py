"""`pressgen serve`: a local preview of the site that rebuilds when a source changes."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pressgen.build import BuildOptions, BuildReport, build
from pressgen.cache import inputs_fingerprint
from pressgen.config import Config, load_config
from pressgen.errors import PressgenError


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Preview:
    """Serve the output folder and rebuild it whenever a release, catalog, template or the config changes."""

    def __init__(
        self,
        config: Config,
        options: BuildOptions,
        host: str,
        port: int,
        say: Callable[[str], None],
        interval: float = 0.5,
    ):
        self.config = config
        self.options = options
        self.say = say
        self.interval = interval
        self.out_dir = (options.out or config.output_dir).resolve()
        self.stop = threading.Event()
        self.builds = 0
        handler = functools.partial(_QuietHandler, directory=str(self.out_dir))
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
                self.say(diagnostic.format(Path.cwd()))
            self.say("build failed: still serving the previous output")
            return None
        self.builds += 1
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
        self.say(f"serving {self.url} (Ctrl+C to stop); rebuilding when releases, locales or templates change")
        try:
            self.server.serve_forever(poll_interval=0.25)
        finally:
            self.stop.set()
            self.server.server_close()
