"""Hostile and broken input: one clear error, exit 1, and the previous output untouched.

Also: nothing is fetched from the network, no script from a source or a translation reaches a
page, and a build killed at any moment or run twice at once leaves the output whole.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import DATA, SLUG, Cli, publish_all, tree_digest
from pressgen.files import write_atomic

CASES = sorted((DATA / "bad-inputs").iterdir())
BAD = "releases/2024-06-01-bad-input/release.md"
FRONT = b"---\ntitle: A release\ndate: 2024-06-01\n---\n\n"


@pytest.fixture
def built_project(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled project, built once, with the current folder in it (paths print relative)."""
    monkeypatch.chdir(project)
    assert cli(project, "build").code == 0
    return project


def assert_one_error(cli: Cli, project: Path, expected: str) -> None:
    """A build stops at `expected`, one error line, and leaves its previous output as it was.

    The public build renders the record alone: a problem of the current sources (`releases/`,
    `locales/`) stops only the preview, which renders them; the public build says it as a warning
    and publishes what the record holds, unchanged.
    """
    for folder in ("preview", "public"):
        before = tree_digest(project / folder) if (project / folder).is_dir() else {}
        result = cli(project, "build", *(["--drafts"] if folder == "preview" else []))
        assert "Traceback" not in result.out + result.err
        if folder == "public" and expected.startswith(("releases/", "locales/")) and "refused to fetch" not in expected:
            assert result.code == 0, result.err
            assert expected.replace(": error: ", ": warning: ", 1) in result.err.splitlines(), result.err
        else:
            assert result.code == 1, (folder, result.err)
            assert result.err.splitlines() == [expected], folder
        assert (tree_digest(project / folder) if (project / folder).is_dir() else {}) == before, folder


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_corpus(case: Path, built_project: Path, cli: Cli) -> None:
    shutil.copytree(case / "files", built_project, dirs_exist_ok=True)
    assert_one_error(cli, built_project, (case / "expected").read_text(encoding="utf-8").strip())


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "huge body",
            FRONT + b"word " * 250_000,
            f"{BAD}: error: release.md is 1.3 MB; a release is at most 1 MB of text",
        ),
        ("UTF-16", "---\ntitle: A\n---\n".encode("utf-16"), f"{BAD}:1: error: the file is UTF-16; save it as UTF-8"),
        (
            "byte order mark",
            b"\xef\xbb\xbf" + FRONT + b"Body.\n",
            f"{BAD}:1: error: the file starts with a byte order mark (BOM); save it as UTF-8 without BOM",
        ),
        (
            "binary junk",
            FRONT + bytes(range(256)) * 4,
            f"{BAD}:6: error: not a text file (it contains NUL bytes); save it as UTF-8 text",
        ),
        (
            "Latin-1",
            FRONT + "Caf\xe9.\n".encode("latin-1"),
            f"{BAD}:6: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
        ),
    ],
)
def test_unreadable_release_files(name: str, content: bytes, expected: str, built_project: Path, cli: Cli) -> None:
    folder = built_project / "releases" / "2024-06-01-bad-input"
    folder.mkdir()
    (folder / "release.md").write_bytes(content)
    assert_one_error(cli, built_project, expected)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{% if release.subtitle %}", "{% if release.subtitle %", "template syntax error: unexpected '<'"),
        (
            "{{ release.title }}</h1>",
            "{{ release.headline }}</h1>",
            "template error: 'pressgen.localise.LocalisedRelease object' has no attribute 'headline'",
        ),
    ],
    ids=["syntax", "undefined"],
)
def test_template_errors(old: str, new: str, message: str, built_project: Path, cli: Cli) -> None:
    template = built_project / "templates" / "release.html"
    lines = template.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, start=1) if old in line)
    template.write_text(template.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert_one_error(cli, built_project, f"templates/release.html:{number}: error: {message}")


def test_image_linked_out_of_the_release_folder(built_project: Path, cli: Cli, tmp_path: Path) -> None:
    from PIL import Image

    secret = tmp_path / "secret.png"
    Image.new("RGB", (10, 10)).save(secret)
    folder = built_project / "releases" / "2024-06-01-bad-input"
    folder.mkdir()
    (folder / "photo.png").symlink_to(secret)
    (folder / "release.md").write_bytes(FRONT + b"Text.\n\n![A photo](photo.png)\n")
    assert_one_error(
        cli, built_project, f"{BAD}:8: error: image 'photo.png' is a link to a file outside the release folder"
    )


class _Listener(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Record)
        self.requests: list[str] = []


class _Record(BaseHTTPRequestHandler):
    server: _Listener

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[_Listener]:
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_nothing_is_fetched_from_the_network(built_project: Path, cli: Cli, listener: _Listener) -> None:
    url = f"http://127.0.0.1:{listener.server_address[1]}"
    folder = built_project / "releases" / "2024-06-01-bad-input"
    folder.mkdir()
    # An image in the front matter, one in the body, one in a translation, one in the stylesheet.
    (folder / "release.md").write_text(
        f"---\ntitle: A\ndate: 2024-06-01\nimage:\n  src: {url}/a.png\n  alt: A\n---\n\nText.\n"
    )
    assert_one_error(
        cli, built_project, f"{BAD}:5: error: image '{url}/a.png' is a URL; assets must be files beside release.md"
    )
    (folder / "release.md").write_text(f"---\ntitle: A\ndate: 2024-06-01\n---\n\nText.\n\n![B]({url}/b.png)\n")
    assert_one_error(
        cli, built_project, f"{BAD}:8: error: image '{url}/b.png' is a URL; assets must be files beside release.md"
    )
    shutil.rmtree(folder)
    catalog = built_project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    text = catalog.read_text(encoding="utf-8")
    heading = 'msgstr "Eensgezind tegen cyberdreigingen"'
    assert heading in text
    catalog.write_text(text.replace(heading, f'msgstr "Eensgezind ![c]({url}/c.png) tegen cyberdreigingen"'))
    drafts = cli(built_project, "build", "--drafts")
    assert drafts.code == 0, drafts.err
    page = (built_project / "preview" / "nl" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Eensgezind c tegen cyberdreigingen" in page  # the picture a translation added is only its text
    assert url not in page
    css = built_project / "templates" / "pdf.css"
    css.write_text(css.read_text(encoding="utf-8") + f'\nbody {{ background: url("{url}/d.png"); }}\n')
    assert_one_error(
        cli,
        built_project,
        f"releases/{SLUG}/release.md: error: refused to fetch '{url}/d.png': only files inside the project are read",
    )
    assert listener.requests == []


@pytest.mark.slow
def test_killed_build_leaves_the_previous_output_whole(built_project: Path, cli: Cli) -> None:
    for number in range(12):  # enough long PDFs that the build takes several seconds
        folder = built_project / "releases" / f"2024-06-{number + 10:02d}-filler"
        folder.mkdir()
        (folder / "release.md").write_text(
            f"---\ntitle: Filler {number}\ndate: 2024-06-{number + 10:02d}\n---\n\n" + "A long paragraph. " * 3000
        )
    publish_all(cli, built_project)
    before = tree_digest(built_project / "public")
    cache = built_project / ".pressgen-cache"

    def staged_pdfs() -> int:  # PDFs written into the next generation (a hidden folder beside public/)
        return sum(1 for p in built_project.glob(".*/**/*.pdf") if not p.is_relative_to(cache))

    moments: dict[str, Callable[[], bool]] = {
        "before anything is written": cache.is_dir,
        "after the first PDF": lambda: staged_pdfs() >= 1,
        "half-way through the PDFs": lambda: staged_pdfs() >= 12,
    }
    for moment, reached in moments.items():
        shutil.rmtree(cache, ignore_errors=True)
        process = subprocess.Popen(
            [sys.executable, "-m", "pressgen", "-C", str(built_project), "build", "--jobs", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        while not reached() and process.poll() is None:
            time.sleep(0.005)
        assert process.poll() is None, f"the build finished {moment}: nothing was interrupted"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert tree_digest(built_project / "public") == before, f"output changed by a build killed {moment}"


def test_a_second_build_at_once_stops_with_a_clear_message(built_project: Path, cli: Cli) -> None:
    before = tree_digest(built_project / "public")
    release = built_project / "releases" / SLUG / "release.md"  # a change, so that the build runs
    release.write_text(release.read_text(encoding="utf-8") + "\nAn unpublished paragraph.\n", encoding="utf-8")
    with open(built_project / ".pressgen-cache" / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = cli(built_project, "build")
    assert result.code == 1
    assert result.err.strip() == (
        ".pressgen-cache/lock: error: another pressgen command is writing in this project; wait for it to finish"
    )
    assert tree_digest(built_project / "public") == before


def test_interrupted_catalog_write_keeps_the_old_catalog(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"half a catal")
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
