"""`pressgen serve` holds: against clients that send or read a byte at a time, that go away in the
middle of a download, that open more connections than it serves, and against links and unreadable
folders among the sources it watches.

Each test starts `pressgen serve` as a user does (a process of its own, on a free port) and talks
to it over raw sockets. Deadlines are generous (the machine is shared); every wait is for a
condition, and nothing here measures time.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conftest import SLUG
from helpers import add_release
from pressgen.serve import MAX_CONNECTIONS

DEADLINE = 90.0


@dataclass
class Served:
    """A running `pressgen serve`: its process, address and what it printed so far."""

    process: subprocess.Popen[str]
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    printed: threading.Condition = field(default_factory=threading.Condition)
    port: int = 0

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Wait until `condition()` holds (checked as lines are printed, and every 50 ms)."""
        ends = time.monotonic() + DEADLINE
        with self.printed:
            while not condition():
                assert self.process.poll() is None, f"serve ended: {self.out} {self.err}"
                left = ends - time.monotonic()
                assert left > 0, f"{what}: not within {DEADLINE} s; printed {self.out} {self.err}"
                self.printed.wait(min(left, 0.05))

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/task"))

    def get(self, path: str) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response


@contextmanager
def serving(project: Path, prefix: tuple[str, ...] = ()) -> Iterator[Served]:
    """Run `pressgen serve --port 0` in `project` until the block ends (`prefix`: a command that runs it)."""
    process = subprocess.Popen(
        [*prefix, sys.executable, "-m", "pressgen", "-C", str(project), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=project,
    )
    served = Served(process)

    def read(stream: object, lines: list[str]) -> None:  # all of it: serve never blocks on a full pipe
        for line in stream:  # type: ignore[attr-defined]
            with served.printed:
                lines.append(line.rstrip("\n"))
                served.printed.notify_all()

    readers = [
        threading.Thread(target=read, args=(process.stdout, served.out), daemon=True),
        threading.Thread(target=read, args=(process.stderr, served.err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        served.wait_for(lambda: any(" on http://127.0.0.1:" in line for line in served.out), "serve started")
        found = re.search(r"127\.0\.0\.1:(\d+)/", next(line for line in served.out if " on http://" in line))
        assert found is not None
        served.port = int(found.group(1))
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        for reader in readers:
            reader.join(10)


def closed_by_server(connection: socket.socket) -> bool:
    """Say whether the server has closed `connection` (read what it sent; a 503 counts as closing)."""
    try:
        while data := connection.recv(65536):
            if not data.startswith(b"HTTP/1.0 503"):
                return False
        return True
    except BlockingIOError:
        return False
    except OSError:  # reset
        return True


def test_half_sent_requests_are_dropped_and_connections_are_capped(project: Path) -> None:
    """1,000 half-sent requests once kept 1,006 threads for as long as their clients liked."""
    with serving(project) as served:
        base = served.threads()
        hanging = []
        for _ in range(2 * MAX_CONNECTIONS):
            connection = socket.create_connection(("127.0.0.1", served.port), timeout=DEADLINE)
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
            connection.setblocking(False)
            hanging.append(connection)
        most = 0
        open_ones = list(hanging)

        def all_closed() -> bool:
            nonlocal most, open_ones
            most = max(most, served.threads())
            open_ones = [c for c in open_ones if not closed_by_server(c)]
            return not open_ones

        served.wait_for(all_closed, "the server closes every half-sent request")
        for connection in hanging:
            connection.close()
        # A thread and a watchdog for each connection served, never one for each connection made.
        assert most <= base + 2 * MAX_CONNECTIONS + 4
        response = served.get("/")
        assert response.status == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Traceback" not in "\n".join(served.err)


def test_a_request_sent_a_byte_at_a_time_is_dropped_at_its_deadline(project: Path) -> None:
    with serving(project) as served:
        connection = socket.create_connection(("127.0.0.1", served.port), timeout=DEADLINE)
        request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
        sent = 0
        try:
            for byte in request:  # a byte every 20 ms: each read well within any socket timeout
                connection.sendall(bytes((byte,)))
                sent += 1
                time.sleep(0.02)
        except OSError:  # the server closed the connection
            pass
        assert sent < len(request)
        connection.close()
    assert "Traceback" not in "\n".join(served.err)


def test_a_client_that_resets_a_download_costs_no_traceback(project: Path) -> None:
    with serving(project) as served:
        (project / "preview" / "big.bin").write_bytes(os.urandom(32_000_000))
        base = served.threads()
        connection = socket.socket()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the server's writes block
        connection.connect(("127.0.0.1", served.port))
        connection.sendall(b"GET /big.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert connection.recv(1024).startswith(b"HTTP/1.0 200")
        served.wait_for(lambda: served.threads() > base, "the download is being sent")
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # a reset, in the middle of the download
        served.wait_for(lambda: served.threads() <= base, "the server lets go of the download")
        assert served.get("/").status == 200
    assert [line for line in served.err if "Traceback" in line or "Error" in line] == []


def rebuilds(served: Served) -> int:
    return sum(1 for line in served.out if line.startswith("rebuilt:"))


def test_the_watcher_skips_links_out_and_loops_and_keeps_watching(project: Path) -> None:
    """A link to / in locales/ once killed the watcher (PermissionError), and serve then kept a stale
    preview without saying so. Links made before serve starts, and while it runs."""
    (project / "locales" / "everything").symlink_to("/")
    (project / "locales" / "nl" / "loop").symlink_to(project / "locales")
    page = project / "preview" / "en" / SLUG / "index.html"
    release = project / "releases" / SLUG / "release.md"
    with serving(project) as served:

        def warnings() -> list[str]:
            return sorted(line for line in served.err if ": warning: " in line)

        served.wait_for(lambda: len(warnings()) >= 2, "the watcher's warnings")
        (project / "published" / "root").symlink_to("/")  # while it runs
        (project / "releases" / SLUG / "up").symlink_to(project / "releases")
        release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is evident."))
        served.wait_for(lambda: "is evident." in page.read_text(encoding="utf-8"), "a rebuild after a save")
        served.wait_for(lambda: len(warnings()) >= 4, "the watcher's warnings about the new links")
        release.write_text(release.read_text(encoding="utf-8").replace("is evident.", "is plain."))
        served.wait_for(lambda: "is plain." in page.read_text(encoding="utf-8"), "a rebuild after another save")
    out, loop = "is a link out of the project's sources", "is a link to a folder watched already (a loop?)"
    assert warnings() == [
        f"locales/everything: warning: {out}: not watched; changes inside it need a restart",
        f"locales/nl/loop: warning: {loop}: not watched; changes inside it need a restart",
        f"published/root: warning: {out}: not watched; changes inside it need a restart",
        f"releases/{SLUG}/up: warning: {loop}: not watched; changes inside it need a restart",
    ]
    assert "Traceback" not in "\n".join(served.err)


# Root reads every folder: as root, serve runs without the capabilities that let it (as a user would).
AS_A_USER = (
    ("setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search")
    if os.geteuid() == 0
    else ()
)


def test_the_watcher_skips_an_unreadable_folder_and_keeps_watching(project: Path) -> None:
    locked = project / "releases" / SLUG / "private"
    locked.mkdir()
    locked.chmod(0)
    try:
        with serving(project, AS_A_USER) as served:
            served.wait_for(lambda: any("private: warning: cannot be read" in line for line in served.err), "a warning")
            rebuilt = rebuilds(served)
            release = project / "releases" / SLUG / "release.md"
            release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is evident."))
            served.wait_for(lambda: rebuilds(served) > rebuilt, "a rebuild after a save")
    finally:
        locked.chmod(0o755)


def test_a_new_release_folder_is_watched_too(project: Path) -> None:
    """The watcher lists the folders itself and watches each alone: a folder made while it runs
    (a new release) must be listed and watched, and a save inside it rebuild the preview."""
    slug = "2024-06-12-new-radar"
    with serving(project) as served:
        rebuilt = rebuilds(served)
        add_release(project, slug, "A new radar")
        page = project / "preview" / "en" / slug / "index.html"
        served.wait_for(lambda: rebuilds(served) > rebuilt and page.is_file(), "the new release in the preview")
        release = project / "releases" / slug / "release.md"
        release.write_text(release.read_text(encoding="utf-8").replace("Body of", "The whole body of"))
        served.wait_for(
            lambda: "The whole body of A new radar" in page.read_text(encoding="utf-8"),
            "a rebuild after a save in the new folder",
        )
