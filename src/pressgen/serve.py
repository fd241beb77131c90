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
- It holds against clients that misbehave: a request must arrive whole within `HEADER_DEADLINE`
  and its answer be taken within `ANSWER_DEADLINE` (each read and write within
  `SOCKET_TIMEOUT`), at most `MAX_CONNECTIONS` are served at once (the others are told 503 at
  once), and a client that goes away costs no message. Every answer says
  `X-Content-Type-Options: nosniff`: a browser takes each file for what its name says.
- The watcher lists the folders it watches itself, without following links out of the sources
  or round in a loop, and skips with a warning a folder it cannot read; if watching fails, it
  says so and starts again.
"""

from __future__ import annotations

import contextlib
import functools
import io
import ipaddress
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pressgen.build import build, output_dir
from pressgen.cache import INPUT_FOLDERS
from pressgen.config import CONFIG_NAME, Config, load_config
from pressgen.errors import Diagnostic, PressgenError, plural
from pressgen.options import BuildOptions, BuildReport
from pressgen.pool import PdfPool

RELOAD_PATH = "/.pressgen/reload"
# How long a browser's question "is there a newer build?" waits for an answer before it asks again.
RELOAD_WAIT = 25.0
# Seconds a client has to send its whole request, and then to take the whole answer (a long poll
# waits RELOAD_WAIT for it); and for each read or write on its connection.
HEADER_DEADLINE = 10.0
ANSWER_DEADLINE = RELOAD_WAIT + 30.0
SOCKET_TIMEOUT = 10.0
# Connections served at once: a browser opens six or so per page; the others are answered 503.
MAX_CONNECTIONS = 64
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


class DeadlineHandler(BaseHTTPRequestHandler):
    """A connection that closes unless its request arrives whole within `HEADER_DEADLINE` and its
    answer is taken within `ANSWER_DEADLINE`, each read and write within `SOCKET_TIMEOUT`."""

    timeout = SOCKET_TIMEOUT  # each read and write (StreamRequestHandler sets it on the socket)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.watchdog: threading.Timer | None = None
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        self.expire_in(HEADER_DEADLINE)

    def expire_in(self, seconds: float) -> None:
        """Close the connection in `seconds` unless it is done by then (a client sending or reading a
        byte at a time keeps every read and write within the socket's timeout)."""
        if self.watchdog is not None:
            self.watchdog.cancel()
        self.watchdog = threading.Timer(seconds, self.expire)
        self.watchdog.daemon = True
        self.watchdog.start()

    def expire(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.expire_in(ANSWER_DEADLINE)
        return parsed

    def finish(self) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        with contextlib.suppress(OSError):  # a client gone: nothing to flush to
            super().finish()


class PreviewHandler(DeadlineHandler, SimpleHTTPRequestHandler):
    """Serve the preview's files, and nothing else: no folder listings, no other host names.

    A web page elsewhere can point a DNS name of its own at 127.0.0.1 (DNS rebinding) to read
    a local server; such requests carry that name as their Host, so only `localhost` and IP
    addresses are answered. With `builds`, HTML pages get the live-reload script.
    """

    builds: Builds | None = None

    def __init__(self, *args: Any, builds: Builds | None = None, **kwargs: Any) -> None:
        self.builds = builds
        super().__init__(*args, **kwargs)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

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
        self.server = PreviewServer((host, port), handler, lambda text: show(Diagnostic(text, severity="warning")))
        self.watcher = SourceWatcher(config.root, self.rebuild, show, self.stop)

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

    def run(self) -> None:
        """Build, then serve until interrupted."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        jobs = self.options.jobs or os.cpu_count() or 1
        with PdfPool(self.config.root, self.options.pdf_variant, jobs) as pool:
            self.pool = pool
            self.rebuild()
            watcher = threading.Thread(target=self.watcher.watch, daemon=True, name="watch sources")
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


class SourceWatcher:
    """Watch the sources of a project, and call `rebuild` when one changes (inotify, via watchfiles)."""

    def __init__(
        self, root: Path, rebuild: Callable[[], object], show: Callable[[Diagnostic], None], stop: threading.Event
    ):
        self.root = root
        self.rebuild = rebuild
        self.show = show
        self.stop = stop
        self.warned: set[tuple[Path, str]] = set()  # folders the watcher skips, once said

    def sources(self) -> list[Path]:
        """Return the config file and every folder whose changes make a rebuild: the input folders,
        and the folders inside them (listed here, not by the watcher, which would follow links).

        A link to a folder is followed only into the sources, and only to a folder not listed yet
        (a link back up would list them for ever); a folder that cannot be read is left out. Each
        is said once, as a warning.
        """
        root = self.root
        found = [root / CONFIG_NAME]
        tops = [root / name for name in INPUT_FOLDERS if (root / name).is_dir() and not (root / name).is_symlink()]
        inputs = [os.path.realpath(top) for top in tops]
        seen: set[str] = set()
        links: list[Path] = []
        for top, real in zip(tops, inputs, strict=True):
            found += self._folders(top, real, seen, links)
        while links:
            link = links.pop(0)
            real = os.path.realpath(link)
            if real in seen:
                self._skip(link, "is a link to a folder watched already (a loop?)")
            elif not any(os.path.commonpath([inside, real]) == inside for inside in inputs):
                self._skip(link, "is a link out of the project's sources")
            else:
                found += self._folders(link, real, seen, links)
        return found

    def _folders(self, top: Path, real: str, seen: set[str], links: list[Path]) -> Iterator[Path]:
        """Yield `top` (whose real path is `real`) and the real folders under it, in order; add the
        links to folders met on the way to `links`. No folder but a link is resolved: at N = 1000
        there are some 5,000 of them."""
        stack = [(top, real)]
        while stack:
            folder, real = stack.pop()
            if real in seen:
                continue
            seen.add(real)
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name, reverse=True)
            except OSError as exc:
                self._skip(folder, f"cannot be read ({exc.strerror})")
                continue
            yield folder
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), f"{real}/{entry.name}"))
                elif entry.is_symlink() and entry.is_dir():
                    links.append(Path(entry.path))

    def _skip(self, folder: Path, why: str) -> None:
        if (folder, why) not in self.warned:
            self.warned.add((folder, why))
            self.show(Diagnostic(f"{why}: not watched; changes inside it need a restart", folder, severity="warning"))

    def watch(self) -> None:
        """Rebuild whenever the file system reports a change in the sources (inotify, via watchfiles).

        If watching fails (a folder gone while it was added, the system's limit of watches), it
        says so and starts again: the preview never goes stale in silence.
        """
        while not self.stop.is_set():
            try:
                self._watch_once()
            except Exception as exc:  # whatever the watcher meets, the preview keeps watching
                self.show(Diagnostic(f"watching the sources failed ({exc}); watching again", None, severity="warning"))
                self.stop.wait(1.0)

    def _watch_once(self) -> None:
        import watchfiles

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
            recursive=False,  # the folders are listed in `sources`
        ):
            # The first answer comes once the watch is on: a change saved before that is caught
            # by a rebuild then (which does nothing if nothing changed).
            if changes or first:
                self.rebuild()
            # A new folder (a new release, the first `publish` makes published/) or one gone, or
            # the config saved as a new file (editors write a copy and rename it): watch again. So
            # too if the folders changed between their listing and the start of the watch.
            if (
                _identity(watched[0]) != config
                or _folders_changed(changes, set(watched))
                or (first and self.sources() != watched)
            ):
                return
            first = False


def _folders_changed(changes: set[tuple[Any, str]], watched: set[Path]) -> bool:
    """Say whether watchfiles' `changes` add a folder or remove a watched one."""
    from watchfiles import Change

    return any(
        (kind == Change.added and os.path.isdir(path)) or (kind == Change.deleted and Path(path) in watched)
        for kind, path in changes
    )


class PreviewServer(ThreadingHTTPServer):
    """The preview's HTTP server: a thread per connection, at most `MAX_CONNECTIONS` at once, and
    no traceback when a client goes away."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: Callable[..., PreviewHandler],
        report: Callable[[str], None],
    ):
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.report = report  # says what went wrong with a request, in one line
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.settimeout(1.0)
                request.sendall(BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the client went away, or took too long: its business
        self.report(f"a request failed: {type(error).__name__}: {error}")


BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"X-Content-Type-Options: nosniff\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    b"Too many connections at once; try again.\n"
)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_dev
