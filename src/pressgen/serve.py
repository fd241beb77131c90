"""`pressgen serve`: a local preview of the site that rebuilds as soon as a source is saved, and
reloads the pages open in the browser once the rebuild is done.

- Changes come from the file system's notifications (inotify, through watchfiles), not from
  polling: a save is seen within milliseconds.
- The preview keeps its PDF workers between rebuilds, and a rebuild does only what the change
  calls for (`build`).
- Live reload, as MkDocs does it: every HTML page the server sends gets a small script that
  asks the server (a long poll on `/.pressgen/reload`) whether a newer build exists, and reloads
  the page when one does. The script is added to the response only: it is never in a file of the
  preview folder, nor in anything `build` publishes.
"""

from __future__ import annotations

import functools
import io
import ipaddress
import os
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pressgen.build import BuildOptions, BuildReport, build, output_dir
from pressgen.cache import INPUT_FOLDERS
from pressgen.config import CONFIG_NAME, Config, load_config
from pressgen.errors import Diagnostic, PressgenError, plural
from pressgen.pool import PdfPool

RELOAD_PATH = "/.pressgen/reload"
# How long a browser's question "is there a newer build?" waits for an answer before it asks again.
RELOAD_WAIT = 25.0
# The script added to each page the server sends; BUILD is the build the page comes from.
RELOAD_SCRIPT = """<script>
/* Added by pressgen serve, not part of the site: reload this page when a newer build is there. */
(function () {
  var build = BUILD;
  function ask() {
    fetch("PATH?build=" + build, {cache: "no-store"})
      .then(function (answer) { return answer.text(); })
      .then(function (text) { if (parseInt(text, 10) > build) { location.reload(); } else { ask(); } })
      .catch(function () { setTimeout(ask, 1000); });
  }
  ask();
})();
</script>
"""


class Builds:
    """The number of the latest build, and a way to wait for the next one."""

    def __init__(self) -> None:
        # Numbers start at this moment in milliseconds, not at 0: a page still open from an
        # earlier run of `serve` has a smaller number, and so reloads from this one too.
        self.number = time.time_ns() // 1_000_000
        self.changed = threading.Condition()

    def done(self) -> None:
        with self.changed:
            self.number += 1
            self.changed.notify_all()

    def wait_after(self, number: int, timeout: float) -> int:
        """Return the latest build's number once it is past `number`, or after `timeout` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.number > number, timeout)
            return self.number


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serve the preview's files, and nothing else: no folder listings, no other host names.

    A web page elsewhere can point a DNS name of its own at 127.0.0.1 (DNS rebinding) to read
    a local server; such requests carry that name as their Host, so only `localhost` and IP
    addresses are answered. With `builds`, HTML pages get the live-reload script.
    """

    builds: Builds | None = None

    def __init__(self, *args: Any, builds: Builds | None = None, **kwargs: Any) -> None:
        self.builds = builds
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.builds is not None and urlsplit(self.path).path == RELOAD_PATH:
            self.answer_reload()
            return
        super().do_GET()

    def answer_reload(self) -> None:
        """Answer the live-reload script: the latest build's number, once it is newer than the page's."""
        if not host_allowed(self.headers.get("Host")):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "Unknown host: open the address pressgen serve printed")
            return
        assert self.builds is not None
        try:
            seen = int(parse_qs(urlsplit(self.path).query).get("build", ["0"])[0])
        except ValueError:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad build number")
            return
        body = str(self.builds.wait_after(seen, RELOAD_WAIT)).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def send_head(self) -> Any:
        if not host_allowed(self.headers.get("Host")):
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "Unknown host: open the address pressgen serve printed")
            return None
        try:
            page = self.page_file()
            if page is not None and self.builds is not None:
                return self.send_page(page)
            return super().send_head()
        except ValueError:  # a NUL byte or another character no file name may hold
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request path")
            return None

    def page_file(self) -> Path | None:
        """Return the HTML file a request asks for (a folder's index.html), None for anything else."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return None  # SimpleHTTPRequestHandler redirects to the folder's URL
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def send_page(self, path: Path) -> io.BytesIO:
        """Send an HTML page with the live-reload script added before its end."""
        assert self.builds is not None
        # The build number is read before the page: a rebuild finishing in between then costs one
        # reload more, where the other order would give an old page the new number, and it would
        # never reload.
        number = self.builds.number
        html = path.read_bytes()
        script = RELOAD_SCRIPT.replace("BUILD", str(number)).replace("PATH", RELOAD_PATH).encode()
        end = html.rfind(b"</body>")
        body = html[:end] + script + html[end:] if end >= 0 else html + script
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return io.BytesIO(body)

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
    """Serve the output folder; rebuild it whenever a release, catalog, template, the record or the config changes."""

    def __init__(
        self,
        config: Config,
        options: BuildOptions,
        host: str,
        port: int,
        say: Callable[[str], None],
        show: Callable[[Diagnostic], None],
    ):
        self.config = config
        self.options = options
        self.say = say
        self.show = show
        self.out_dir = output_dir(config, options)
        self.stop = threading.Event()
        self.builds = Builds()
        self.failed = False  # the last build failed: the next that works says so
        self.pool: PdfPool | None = None
        handler = functools.partial(PreviewHandler, directory=str(self.out_dir), builds=self.builds)
        self.host = host
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_port}/"

    def rebuild(self) -> BuildReport | None:
        """Build once; report errors and keep serving the previous output (and say when the errors are gone)."""
        try:
            self.config = load_config(self.config.root)
            report = build(self.config, self.options, pool=self.pool)
        except PressgenError as exc:
            for diagnostic in exc.diagnostics:
                self.show(diagnostic)
            self.say("build failed: still serving the previous output")
            self.failed = True
            return None
        for warning in report.warnings:
            self.show(warning)
        if self.failed:
            # What broke the last build is fixed: say so, even if the output is what it was before.
            self.failed = False
            self.say("fixed: the sources build again; serving the new output")
        if not report.unchanged:
            self.builds.done()
            self.say(f"rebuilt: {plural(report.pdfs, 'PDF')} ({report.rendered} rendered) in {report.seconds:.2f} s")
        return report

    def sources(self) -> list[Path]:
        """Return the files and folders whose changes make a rebuild: the config and the input folders."""
        root = self.config.root
        return [root / CONFIG_NAME, *(root / name for name in INPUT_FOLDERS if (root / name).is_dir())]

    def watch(self) -> None:
        """Rebuild whenever the file system reports a change in the sources (inotify, via watchfiles)."""
        import watchfiles

        while not self.stop.is_set():
            watched = self.sources()
            config = _identity(watched[0])
            first = True
            for changes in watchfiles.watch(
                *watched,
                stop_event=self.stop,
                debounce=400,  # at most this long to gather the events of one save
                step=30,  # and this long without a new event
                rust_timeout=500,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                # The first answer comes once the watch is on: a change saved before that is caught
                # by a rebuild then (which does nothing if nothing changed).
                if changes or first:
                    self.rebuild()
                first = False
                # A new input folder (the first `publish` makes published/), or the config saved as a
                # new file (editors write a copy and rename it): watch again.
                if self.sources() != watched or _identity(watched[0]) != config:
                    break

    def run(self) -> None:
        """Build, then serve until interrupted."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        jobs = self.options.jobs or os.cpu_count() or 1
        with PdfPool(self.config.root, self.options.pdf_variant, jobs) as pool:
            self.pool = pool
            self.rebuild()
            watcher = threading.Thread(target=self.watch, daemon=True, name="watch sources")
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
                watcher.join(5)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_dev
