"""Live reload in `pressgen serve`: pages open in the browser reload by themselves after a rebuild.

Each test starts `pressgen serve` as a user does (a process of its own, on a free port) and talks
to it over HTTP, or through Debian's Chromium driven by Playwright. Deadlines are generous (the
machine is shared); nothing here measures time.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import SLUG, Cli
from test_site_quality import chromium_browser

RELOAD = "/.pressgen/reload"
DEADLINE = 60.0
CLOSING = "is palpable."


@contextmanager
def serving(project: Path, *args: str, lines: list[str] | None = None) -> Iterator[str]:
    """Run `pressgen serve --port 0 ARGS…` in `project` until the block ends; yield the URL it prints.

    What it prints is added to `lines`, if given, as it comes.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "pressgen", "-C", str(project), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    found: list[str] = []
    started = threading.Event()

    def read() -> None:  # read all it prints, so that it never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            if lines is not None:
                lines.append(line.rstrip("\n"))
            match = re.search(r" on (http://127\.0\.0\.1:\d+/) \(Ctrl\+C to stop\)", line)
            if match:
                found.append(match.group(1))
                started.set()
        started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        started.wait(DEADLINE)
        assert found, "serve did not start"
        yield found[0]
    finally:
        process.terminate()
        process.wait(timeout=20)
        reader.join(5)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=DEADLINE + 30) as response:
        return str(response.read().decode("utf-8"))


def build_number(html: str) -> int:
    """Return the build a served page comes from, as its live-reload script says."""
    found = re.search(r"var build = (\d+);", html)
    assert found, "the page has no live-reload script"
    return int(found.group(1))


def files_with(folder: Path, text: bytes) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and text in path.read_bytes()]


def edit_release(project: Path, new: str) -> None:
    release = project / "releases" / SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    assert CLOSING in text
    release.write_text(text.replace(CLOSING, new), encoding="utf-8")


def status_of(url: str, path: str, host: str | None = None) -> int:
    """Return the HTTP status `serve` answers to GET `path`, with another Host header if given."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=DEADLINE)
    try:
        connection.request("GET", path, headers={"Host": host} if host else {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_served_pages_carry_the_reload_script_and_no_file_does(project: Path, cli: Cli) -> None:
    with serving(project) as url:
        for path in (f"en/{SLUG}/", f"en/{SLUG}/index.html", "en/", ""):
            html = get(url + path)
            assert f'fetch("{RELOAD}?build=" + build' in html, path
            assert html.count("/* Added by pressgen serve") == 1, path
            assert html.index("/* Added by pressgen serve") < html.rindex("</script>\n</body>"), path
            build_number(html)
        css = get(url + "static/style.css")
        assert RELOAD not in css
        preview = project / "preview"
        assert (preview / "en" / SLUG / "index.html").is_file()
        assert files_with(preview, RELOAD.encode()) == []
    assert cli(project, "build").code == 0
    assert files_with(project / "public", RELOAD.encode()) == []
    assert files_with(project / "preview", RELOAD.encode()) == []


def test_a_long_poll_answers_once_the_rebuild_after_a_save_is_done(project: Path) -> None:
    with serving(project) as url:
        page = get(f"{url}en/{SLUG}/")
        before = build_number(page)
        answers: list[int] = []

        def poll() -> None:
            deadline = time.monotonic() + DEADLINE
            while time.monotonic() < deadline:  # each question waits up to 25 s for a newer build
                answers.append(int(get(f"{url}{RELOAD[1:]}?build={before}")))
                if answers[-1] > before:
                    return

        asking = threading.Thread(target=poll)
        asking.start()
        edit_release(project, "is plainly palpable.")
        asking.join(DEADLINE + 30)
        assert answers and answers[-1] > before, answers
        assert all(answer == before for answer in answers[:-1])
        # Once the answer came, the rebuilt page is there, and it says what build it comes from.
        after = get(f"{url}en/{SLUG}/")
        assert "is plainly palpable." in after
        assert build_number(after) == answers[-1]
        # A page from an older build is told at once that a newer one is there.
        assert int(get(f"{url}{RELOAD[1:]}?build={before}")) == answers[-1]


def test_the_reload_endpoint_refuses_other_hosts_and_bad_numbers(project: Path) -> None:
    with serving(project) as url:
        assert status_of(url, f"{RELOAD}?build=0", host="attacker.example") == 421
        assert status_of(url, f"{RELOAD}?build=0", host="attacker.example:8000") == 421
        assert status_of(url, f"/en/{SLUG}/", host="attacker.example") == 421
        assert status_of(url, f"{RELOAD}?build=abc") == 400
        assert status_of(url, f"{RELOAD}?build=0") == 200


def test_a_page_from_an_earlier_run_of_serve_reloads_from_the_next(project: Path) -> None:
    with serving(project) as url:
        before = build_number(get(f"{url}/en/{SLUG}/"))
    with serving(project) as url:
        # The page a browser still shows from the first run asks; it is answered at once.
        assert int(get(f"{url}{RELOAD}?build={before}")) > before


@pytest.mark.browser
def test_an_open_page_reloads_itself_after_an_edit(project: Path) -> None:
    with serving(project) as url, chromium_browser() as browser:
        page = browser.new_page()
        page.goto(f"{url}en/{SLUG}/")
        assert page.get_by_text("is palpable.", exact=False).count() == 1
        page.evaluate("window.openedBeforeTheEdit = true")
        edit_release(project, "is visibly palpable.")
        page.wait_for_function(
            "document.body && document.body.innerText.includes('is visibly palpable.')", timeout=DEADLINE * 1000
        )
        assert page.evaluate("window.openedBeforeTheEdit === undefined")  # a new page: it reloaded
        assert page.url == f"{url}en/{SLUG}/"
        page.close()


def wait_for_line(lines: list[str], text: str, after: int = 0) -> int:
    """Wait until serve has printed a line holding `text` (after the first `after` lines); return its index."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = next((n for n, line in enumerate(lines[after:], after) if text in line), None)
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError(f"serve never printed {text!r}: {lines}")


def test_serve_says_when_a_broken_file_is_fixed(project: Path) -> None:
    lines: list[str] = []
    release = project / "releases" / SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    with serving(project, lines=lines):
        release.write_text(text.replace("title:", "title: [unclosed", 1), encoding="utf-8")
        failed = wait_for_line(lines, "build failed: still serving the previous output")
        assert any(f"releases/{SLUG}/release.md:" in line and ": error: " in line for line in lines[:failed])
        release.write_text(text, encoding="utf-8")  # fixed: as it was before it broke
        fixed = wait_for_line(lines, "fixed: the sources build again; serving the new output", failed)
        assert fixed > failed
