"""Safety: pressgen never deletes what it did not make, and no catalog text ever runs in a browser.

Each test reproduces an attack or a fault found by an adversarial review of the output swap,
the escaping of translations, the cache, the workers and the preview server.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from conftest import SLUG, Cli, publish_all, tree_digest
from helpers import cache_json, pdf_text, set_translation

NEEDS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root")


def sources_digest(project: Path) -> dict[str, str]:
    """Digest every source a user wrote: config, releases, catalogs, templates, and a file of git's."""
    digest = {"pressgen.toml": tree_digest(project)["pressgen.toml"]}
    for part in ("releases", "locales", "templates", ".git"):
        digest |= {f"{part}/{name}": value for name, value in tree_digest(project / part).items()}
    return digest


@pytest.fixture
def guarded(project: Path) -> Path:
    """The bundled project with a .git folder of its own, inside a parent folder holding a bystander file."""
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project.parent / "bystander.txt").write_text("not pressgen's\n")
    return project


# 1. --out never replaces the project, its sources or a folder pressgen did not make.


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("releases", "--out releases: the output folder lies inside releases/, which pressgen never replaces"),
        ("locales", "--out locales: the output folder lies inside locales/, which pressgen never replaces"),
        ("templates", "--out templates: the output folder lies inside templates/, which pressgen never replaces"),
        ("releases/" + SLUG, f"--out releases/{SLUG}: the output folder lies inside releases/"),
        (".git", "--out .git: the output folder lies inside .git/, which pressgen never replaces"),
        (".pressgen-cache", "--out .pressgen-cache: the output folder lies inside .pressgen-cache/"),
        (".", "--out .: that is the project itself; the output needs a folder of its own, such as public"),
        ("..", "--out ..: that folder contains the project"),
        ("/", "--out /: that folder contains the project"),
    ],
)
def test_build_refuses_an_output_that_would_replace_sources(
    out: str, message: str, guarded: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(guarded)
    (guarded / ".pressgen-cache").mkdir(exist_ok=True)
    before = sources_digest(guarded)
    result = cli(guarded, "build", "--out", out)
    assert result.code == 2
    assert result.err.startswith(f"error: {message}")
    assert len(result.err.splitlines()) == 1
    assert sources_digest(guarded) == before
    assert (guarded.parent / "bystander.txt").read_text() == "not pressgen's\n"


def test_review_and_output_dir_obey_the_same_rules(guarded: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(guarded)
    before = sources_digest(guarded)
    review = cli(guarded, "review", "--out", "locales")
    assert review.code == 2
    assert "the output folder lies inside locales/" in review.err
    config = guarded / "pressgen.toml"
    config.write_text(config.read_text().replace('output_dir = "public"', 'output_dir = "templates"'))
    build = cli(guarded, "build")
    assert build.code == 2
    assert build.err.startswith("error: site.output_dir templates: the output folder lies inside templates/")
    assert sources_digest(guarded) | {"pressgen.toml": ""} == before | {"pressgen.toml": ""}


def test_an_existing_folder_is_replaced_only_if_pressgen_made_it(project: Path, cli: Cli) -> None:
    foreign = project / "site"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n")
    refused = cli(project, "build", "--out", str(foreign))
    assert refused.code == 2
    assert "the folder exists and was not made by pressgen (it has no .pressgen-output file)" in refused.err
    assert (foreign / "notes.txt").read_text() == "mine\n"

    empty = project / "empty"
    empty.mkdir()
    assert cli(project, "build", "--out", str(empty)).code == 0
    assert (empty / ".pressgen-output").is_file() and (empty / "index.html").is_file()
    (empty / "stale.html").write_text("left by an earlier build")
    assert cli(project, "build", "--out", str(empty)).code == 0  # its own folder: replaced whole
    assert not (empty / "stale.html").exists()
    # Beside it, only its previous generation, which the next build brings up to date.
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".empty")) == [".empty.previous"]
    assert (project / ".empty.previous" / ".pressgen-output").is_file()


def test_output_that_is_a_symbolic_link_is_refused(project: Path, cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    (project / "public").symlink_to(target)
    result = cli(project, "build")
    assert result.code == 2
    assert "the output folder is a symbolic link; give its real path" in result.err
    assert (target / "keep.txt").read_text() == "keep"


@pytest.mark.parametrize("pack", ["public/pack", "public/en/pack"])
def test_embargoed_pack_is_never_inside_the_public_output(pack: str, project: Path, cli: Cli) -> None:
    result = cli(project, "build", "--embargoed", "--out", str(project / pack))
    assert result.code == 2
    assert "the output folder must be apart from the public output" in result.err


def test_public_output_inside_the_pack_is_refused(project: Path, cli: Cli) -> None:
    config = project / "pressgen.toml"
    config.write_text(config.read_text().replace('output_dir = "public"', 'output_dir = "pack/public"'))
    result = cli(project, "build", "--embargoed", "--out", str(project / "pack"))
    assert result.code == 2
    assert "the output folder must be apart from the public output" in result.err


@NEEDS_ROOT
def test_output_on_a_mount_point_is_replaced_by_its_contents(project: Path, cli: Cli) -> None:
    public = project / "public"
    public.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(public)], check=True)
    try:
        first = cli(project, "build")
        assert first.code == 0, first.err
        assert (public / "en" / SLUG / "index.html").is_file()
        (public / "en" / "stale.html").write_text("old")
        release = project / "releases" / SLUG / "release.md"
        release.write_text(release.read_text().replace("is palpable.", "is clearly palpable."))
        assert cli(project, "publish", SLUG, "--lang", "en", "--minor").code == 0
        second = cli(project, "build")
        assert second.code == 0, second.err
        assert "clearly palpable" in (public / "en" / SLUG / "index.html").read_text()
        assert not (public / "en" / "stale.html").exists()
        assert [p.name for p in public.iterdir() if p.name.endswith(".tmp")] == []
        assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []
    finally:
        subprocess.run(["umount", str(public)], check=True)


# 3. A hostile checkout cannot make pressgen delete or truncate files outside it.


def test_symlinked_cache_folder_is_refused_and_its_target_untouched(project: Path, cli: Cli, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "thesis.pdf").write_bytes(b"%PDF-1.7 precious")
    (victim / ("0" * 64)).write_text("a name like a cache key")
    (project / ".pressgen-cache").mkdir()
    (project / ".pressgen-cache" / "pdf").symlink_to(victim)
    result = cli(project, "build")
    assert result.code == 1
    assert result.err.strip().endswith(
        ".pressgen-cache/pdf: error: is a symbolic link; pressgen writes only into real folders it made"
    )
    assert sorted(p.name for p in victim.iterdir()) == ["0" * 64, "thesis.pdf"]


def test_symlinked_lock_file_is_refused_and_its_target_not_truncated(project: Path, cli: Cli, tmp_path: Path) -> None:
    victim = tmp_path / "diary.txt"
    victim.write_text("dear diary\n")
    (project / ".pressgen-cache").mkdir()
    (project / ".pressgen-cache" / "lock").symlink_to(victim)
    result = cli(project, "build")
    assert result.code == 1
    assert result.err.strip().endswith(".pressgen-cache/lock: error: the lock file is a symbolic link; remove it")
    assert victim.read_text() == "dear diary\n"


def test_cache_prune_deletes_only_its_own_entries(project: Path, cli: Cli) -> None:
    assert cli(project, "build").code == 0
    cache = project / ".pressgen-cache" / "pdf"
    (cache / "README.txt").write_text("a file pressgen did not write")
    stale = cache / ("f" * 64 + ".pdf")
    stale.write_bytes(b"%PDF stale")
    release = project / "releases" / SLUG / "release.md"
    release.write_text(release.read_text().replace("is palpable.", "is clearly palpable."))
    assert cli(project, "build").code == 0
    assert (cache / "README.txt").exists()
    assert not stale.exists()


# 2. No script from a catalog or a source runs in any output.

VECTORS = [
    "<script>alert(1)</script>",
    "<svg/onload=alert(document.domain)>",
    "<img src=x onerror=alert(2)>",
    '"><iframe srcdoc="<script>alert(3)</script>">',
    "</title><script>alert(4)</script>",
    "<a href=javascript:alert(5)>x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(6)>",
    "<!--<script>alert(7)//-->",
]


class _Executable(HTMLParser):
    """Collect what would run in a browser: scripts, event handlers, javascript: URLs, embedded frames."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_data_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("type") != "application/ld+json":
            self.found.append("<script>")
        if tag in ("iframe", "object", "embed", "svg", "math", "base", "form"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def executable(html: str) -> list[str]:
    parser = _Executable()
    parser.feed(html)
    return parser.found


def every_page(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".xml"))


def plant(project: Path, vector: str) -> None:
    """Put `vector` into every kind of catalog of Dutch: interface, release title, body; and an English source."""
    interface = project / "locales" / "nl" / "LC_MESSAGES" / "messages.po"
    set_translation(interface, "Press releases", f"Persberichten {vector}")
    set_translation(interface, "Skip to content", f"Naar de inhoud {vector}")
    release = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    set_translation(release, "Continuing NATO Cooperation", f"Voortzetting {vector}")
    set_translation(release, "A United Front", f"Eensgezind {vector}")
    folder = project / "releases" / "2024-06-02-vector"
    folder.mkdir(exist_ok=True)
    (folder / "release.md").write_text(
        f"---\ntitle: {json.dumps('Vector ' + vector)}\ndate: 2024-06-02\n"
        f"summary: {json.dumps('Summary ' + vector)}\n---\n\nBody {vector}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("vector", VECTORS)
def test_check_reports_html_in_every_catalog(vector: str, project: Path, cli: Cli) -> None:
    plant(project, vector)
    result = cli(project, "check")
    assert result.code == 1
    html_errors = [line for line in result.out.splitlines() if ": error: html: " in line]
    assert len(html_errors) == 4, result.out  # two interface messages, the title and the heading
    assert all("in a translation is not allowed (it is shown as text, never run)" in e for e in html_errors)
    status = cli(project, "status", "--format", "json")
    versions = {(v["release"], v["lang"]): v for v in json.loads(status.out)["versions"]}
    assert versions[(SLUG, "nl")]["approved"] is False


def test_no_vector_runs_in_any_output(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    plant(project, " ".join(VECTORS))
    published = publish_all(cli, project)
    assert f"not published: {SLUG} [nl]: " in published.err  # its check errors keep it out
    public = cli(project, "build")
    assert public.code == 0, public.err
    drafts = cli(project, "build", "--drafts", "--out", "drafts")
    assert drafts.code == 0, drafts.err
    review = cli(project, "review")
    assert review.code == 0, review.err
    pages = every_page(project / "public") + every_page(project / "drafts") + every_page(project / "review")
    assert len(pages) > 20
    for page in pages:
        assert executable(page.read_text(encoding="utf-8")) == [], page
    for feed in (project / "public").rglob("feed.xml"):
        for entry in feedparser.parse(feed.read_bytes()).entries:
            for content in entry.get("content", []):
                assert executable(content["value"]) == [], feed
    # The texts are shown, as text: in the draft page, the English page and the PDFs.
    nl_page = (project / "drafts" / "nl" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Persberichten &lt;script&gt;alert(1)&lt;/script&gt;" in nl_page or "&lt;script&gt;alert(1)" in nl_page
    assert "Eensgezind &lt;script&gt;alert(1)&lt;/script&gt;" in nl_page
    en_page = (project / "public" / "en" / "2024-06-02-vector" / "index.html").read_text(encoding="utf-8")
    assert "Body &lt;script&gt;alert(1)&lt;/script&gt;" in en_page
    nl_pdf = " ".join(pdf_text(project / "drafts" / "nl" / SLUG / f"{SLUG}-nl.pdf").split())
    assert "Voortzetting <script>alert(1)</script>" in nl_pdf
    en_pdf = " ".join(pdf_text(project / "public" / "en" / "2024-06-02-vector" / "2024-06-02-vector-en.pdf").split())
    assert "Body <script>alert(1)</script>" in en_pdf


# 6. Link checks compare the parsed links, in order.


def test_check_catches_a_link_hidden_in_an_autolink(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    release = project / "releases" / SLUG / "release.md"
    release.write_text(
        release.read_text().replace(
            "protect our shared future.",
            "protect our shared future. Read the [statement](https://example.org/statement) and the "
            "[annex](https://example.org/annex).",
        )
    )
    assert cli(project, "update").code == 0
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    text = nl.read_text(encoding="utf-8")
    start = text.index("protect our shared future")
    fuzzy = text.rindex("#, fuzzy", 0, start)
    nl.write_text(text[:fuzzy] + text[fuzzy:].replace("#, fuzzy\n", "", 1), encoding="utf-8")
    line = set_translation(
        nl,
        "The NATO Cyber Defence Pledge Conference 2024 is a testament",
        "De conferentie is een bewijs. Lees de <HTTPS://evil.example/?[](https://example.org/statement)> en de "
        "[bijlage](https://example.org/annex).",
    )
    hidden = cli(project, "check")
    assert hidden.code == 1
    where = f"locales/nl/releases/{SLUG}.po:{line}: error: links: "
    assert f"{where}link target 'https://example.org/statement' of the source is missing or changed" in hidden.out
    assert f"{where}link target 'HTTPS://evil.example/?%5B%5D(https://example.org/statement)' is not in the source" in (
        hidden.out
    )
    set_translation(
        nl,
        "The NATO Cyber Defence Pledge Conference 2024 is a testament",
        "De conferentie is een bewijs. Lees de [verklaring](https://example.org/annex) en de "
        "[bijlage](https://example.org/statement).",
    )
    swapped = cli(project, "check")
    assert swapped.code == 1
    assert f"{where}the links are in another order than in the source" in swapped.out


# 8. Killing a build or pressing Ctrl+C leaves no process behind and the output whole.


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child in Path("/proc").glob("[0-9]*"):
            try:
                ppid = int((child / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == parent and int(child.name) not in found:
                found.add(int(child.name))
                frontier.append(int(child.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def slow_project(project: Path) -> Path:
    for number in range(8):
        folder = project / "releases" / f"2024-06-{number + 10:02d}-filler"
        folder.mkdir()
        (folder / "release.md").write_text(
            f"---\ntitle: Filler {number}\ndate: 2024-06-{number + 10:02d}\n---\n\n" + "A long paragraph. " * 2500
        )
    return project


def _start_build(project: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pressgen", "-C", str(project), "build", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(_descendants(process.pid)) < 3:  # the fork server and its workers are there
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert time.monotonic() < deadline, "the build never started its workers"
        time.sleep(0.1)
    return process


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killed_build_leaves_no_process_behind(how: signal.Signals, project: Path) -> None:
    process = _start_build(slow_project(project))
    family = _descendants(process.pid)
    process.send_signal(how)
    assert process.stdout is not None
    # The output pipe reaches its end only when every process holding it has ended.
    process.stdout.read()
    process.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in family if _alive(pid)] == []


_STARTS_THE_FORK_SERVER = """
import multiprocessing.forkserver, os, sys
from pressgen.pool import start_fork_server
assert start_fork_server()
print(multiprocessing.forkserver._forkserver._forkserver_pid, flush=True)
os._exit(0)  # a build that needed no PDF after all, done while WeasyPrint still loads
"""


@pytest.mark.slow
def test_the_fork_server_ends_with_its_build_even_while_it_loads_weasyprint(tmp_path: Path) -> None:
    """It does not hold the build's output pipe open (a script reading it would wait) nor run on."""
    stuck = tmp_path / "stuck" / "weasyprint"  # a WeasyPrint that never finishes loading
    stuck.mkdir(parents=True)
    (stuck / "__init__.py").write_text("import time\ntime.sleep(600)\n")
    path = os.pathsep.join([str(tmp_path / "stuck"), *sys.path])
    done = subprocess.run(
        [sys.executable, "-c", _STARTS_THE_FORK_SERVER],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=60,  # the pipe ends only when the fork server has ended too
    )
    assert done.returncode == 0, done.stderr
    fork_server = int(done.stdout)
    deadline = time.monotonic() + 30
    while _alive(fork_server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(fork_server)


@pytest.mark.slow
def test_ctrl_c_stops_in_one_line_and_changes_nothing(project: Path, cli: Cli) -> None:
    assert cli(project, "build").code == 0
    before = tree_digest(project / "public")
    slow_project(project)
    publish_all(cli, project)  # PDFs to render: workers start only for a build that renders something
    process = _start_build(project)
    family = _descendants(process.pid)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole foreground group
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130
    assert output.decode() == "interrupted: nothing was changed\n"
    assert tree_digest(project / "public") == before
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []
    deadline = time.monotonic() + 30  # the workers end once they notice their parent is gone
    while any(_alive(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in family if _alive(pid)] == []


# 9. Faults give one clear line, exit 1, and leave the output as it was.


def assert_clean_failure(cli: Cli, project: Path, *args: str, expected: str) -> None:
    """The command stops at `expected`, one line, and leaves the public output as it was.

    Without `args`: the preview, which renders the current sources, stops at it; the public build,
    which renders the record alone, says it as a warning and publishes what the record holds.
    """
    before = tree_digest(project / "public")
    result = cli(project, *(args or ("build", "--drafts")))
    assert result.code == 1, result.err
    assert result.err.splitlines() == [expected]
    assert tree_digest(project / "public") == before
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []
    if not args:
        public = cli(project, "build")
        assert public.code == 0, public.err
        assert public.err.splitlines() == [expected.replace(": error: ", ": warning: ", 1)]
        assert tree_digest(project / "public") == before


@pytest.fixture
def built_here(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    assert cli(project, "build").code == 0
    return project


def add_release(project: Path, body: str, front: str = "") -> str:
    folder = project / "releases" / "2024-06-01-fault"
    folder.mkdir(exist_ok=True)
    (folder / "release.md").write_text(f"---\ntitle: A fault\ndate: 2024-06-01\n{front}---\n\n{body}\n")
    return "releases/2024-06-01-fault/release.md"


def test_deeply_nested_emphasis_is_an_error(built_here: Path, cli: Cli) -> None:
    path = add_release(built_here, "Intro.\n\n" + "*" * 2000 + "x" + "*" * 2000)
    assert_clean_failure(
        cli, built_here, expected=f"{path}:8: error: emphasis or links nested 1000 levels deep; at most 16"
    )


def test_deeply_nested_emphasis_in_a_translation_is_shown_as_text(built_here: Path, cli: Cli) -> None:
    nl = built_here / "locales" / "nl" / "releases" / f"{SLUG}.po"
    set_translation(nl, "A United Front", "*" * 500 + "Eensgezind" + "*" * 500)
    result = cli(built_here, "build", "--drafts", "--out", "drafts")
    assert result.code == 0, result.err
    assert "*" * 500 + "Eensgezind" in (built_here / "drafts" / "nl" / SLUG / "index.html").read_text()


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`×`height` pixels (a decompression bomb needs no more to be refused)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height", "what"), [(30000, 30000, "900"), (12000, 12000, "144")])
def test_a_picture_too_large_to_decode_is_an_error(
    width: int, height: int, what: str, built_here: Path, cli: Cli
) -> None:
    path = add_release(built_here, "![A bomb](bomb.png)")
    (built_here / "releases" / "2024-06-01-fault" / "bomb.png").write_bytes(_png_header(width, height))
    assert_clean_failure(
        cli,
        built_here,
        expected=f"{path}:6: error: image 'bomb.png' is {width}×{height} pixels ({what} megapixels); "
        "pictures may have at most 40 megapixels: scale it down",
    )


@contextmanager
def output_on_a_disk_of(size: str, project: Path) -> Iterator[Path]:
    """Mount a tmpfs of `size` in the project and point `output_dir` into it; yield the mount point."""
    disk = project / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], check=True)
    config = project / "pressgen.toml"
    config.write_text(config.read_text().replace('output_dir = "public"', 'output_dir = "disk/public"'))
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@NEEDS_ROOT
def test_a_full_disk_is_one_clear_line(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    with output_on_a_disk_of("200k", project) as disk:
        result = cli(project, "build")
        assert result.code == 1
        [line] = result.err.splitlines()
        assert line == "disk/public: error: No space left on device (the previous output is unchanged)"
        assert sorted(p.name for p in disk.iterdir()) in ([], ["lost+found"])


@NEEDS_ROOT
def test_a_read_only_output_is_one_clear_line(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    with output_on_a_disk_of("64m", project) as disk:
        assert cli(project, "build").code == 0
        before = tree_digest(disk / "public")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        release = project / "releases" / SLUG / "release.md"
        release.write_text(release.read_text().replace("is palpable.", "is clearly palpable."))
        result = cli(project, "build")
        assert result.code == 1
        [line] = result.err.splitlines()
        assert line == "disk/public: error: Read-only file system (the previous output is unchanged)"
        assert tree_digest(disk / "public") == before


def test_a_slug_too_long_for_a_file_name(project: Path, cli: Cli) -> None:
    slug = "2024-06-01-" + "-".join(["word"] * 60)
    result = cli(project, "new", slug, "--title", "Long")
    assert result.code == 2
    assert result.err.strip() == f"error: '{slug[:40]}…' is {len(slug)} characters long; a slug has at most 100"
    assert not (project / "releases" / slug[:100]).exists()


@pytest.mark.parametrize(("char", "name"), [("\v", "U+000B"), ("\x1b", "U+001B"), ("\x85", "U+0085")])
def test_control_characters_in_a_release_are_errors(char: str, name: str, built_here: Path, cli: Cli) -> None:
    path = add_release(built_here, f"Body text with a {char} in it.")
    assert_clean_failure(cli, built_here, expected=f"{path}:6: error: control character {name} in the text; remove it")


def test_vertical_tab_in_front_matter_is_an_error(built_here: Path, cli: Cli) -> None:
    path = add_release(built_here, "Body.", front='summary: "A\\vB"\n')
    assert_clean_failure(cli, built_here, expected=f"{path}:4: error: control character U+000B in 'summary'; remove it")


# 10. Invisible characters.


def test_bidi_overrides_and_zero_width_characters_keep_a_language_out(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    line = set_translation(nl, "Continuing NATO Cooperation", "Voortzetting \u202egnikrewmaS\u202c en nul\u200bbreed")
    result = cli(project, "check")
    assert result.code == 1
    where = f"locales/nl/releases/{SLUG}.po:{line}: error: invisible: invisible character"
    assert f"{where} U+202E at column 14 (a bidirectional control or zero-width character)" in result.out
    assert f"{where} U+202C at column 25 (a bidirectional control or zero-width character)" in result.out
    assert f"{where} U+200B at column 33 (a bidirectional control or zero-width character)" in result.out
    refused = cli(project, "publish", SLUG, "--lang", "nl", "--minor")
    assert refused.code == 1
    assert f"{where} U+202E at column 14 (a bidirectional control or zero-width character)" in refused.err


# 12. Housekeeping.


def test_a_release_folder_linked_from_outside_is_refused(project: Path, cli: Cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "2024-06-01-linked"
    outside.mkdir(parents=True)
    (outside / "release.md").write_text("---\ntitle: Linked\ndate: 2024-06-01\n---\n\nText.\n")
    (project / "releases" / "2024-06-01-linked").symlink_to(outside)
    result = cli(project, "build", "--drafts")
    assert result.code == 1
    assert result.err.strip().endswith(
        "releases/2024-06-01-linked: error: is a link to a place outside the project; releases must live inside it"
    )
    public = cli(project, "build")  # the record alone: a warning
    assert public.code == 0
    assert public.err.strip().endswith(
        "releases/2024-06-01-linked: warning: is a link to a place outside the project; releases must live inside it"
    )


def test_a_release_md_that_is_a_fifo_is_refused(project: Path, cli: Cli) -> None:
    folder = project / "releases" / "2024-06-01-fifo"
    folder.mkdir()
    os.mkfifo(folder / "release.md")
    for args, severity in ((["--drafts"], "error"), ([], "warning")):  # must not block reading the pipe
        result = cli(project, "build", *args)
        assert result.code == (1 if severity == "error" else 0)
        assert result.err.strip().endswith(
            f"releases/2024-06-01-fifo/release.md: {severity}: release.md is not a regular file"
        )


def test_a_folder_name_with_a_trailing_newline_is_not_a_slug(project: Path, cli: Cli) -> None:
    folder = project / "releases" / "2024-06-01-newline\n"
    folder.mkdir()
    (folder / "release.md").write_text("---\ntitle: A\ndate: 2024-06-01\n---\n\nText.\n")
    result = cli(project, "build", "--drafts")
    assert result.code == 1
    assert "is not a slug of the form YYYY-MM-DD-words" in result.err


def test_refused_link_schemes_are_warned_about(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    add_release(project, "Call [us](tel:+31700000000) or [click](javascript:alert(1)).")
    result = cli(project, "check")
    path = "releases/2024-06-01-fault/release.md:6: warning: links: the link to"
    assert f"{path} 'tel:+31700000000' uses a scheme pressgen refuses; it is shown as text" in result.out
    assert f"{path} 'javascript:alert(1)' uses a scheme pressgen refuses; it is shown as text" in result.out


def test_errors_print_terminal_escapes_escaped(project: Path, cli: Cli) -> None:
    ro = project / "locales" / "ro" / "releases" / f"{SLUG}.po"
    set_translation(ro, "A United Front", "Front \x1b[2J\x1b]0;pwned\x07")
    (project / "releases" / "2024-06-01-x\x1b[31m").mkdir()
    for command in ("check", "build --drafts", "build"):
        result = cli(project, *command.split())
        assert result.code == (0 if command == "build" else 1)  # the public build warns
        assert "\x1b" not in result.out + result.err
        assert "2024-06-01-x\\x1b[31m" in result.err


def test_review_leaves_no_lock_and_no_cache_entry_behind(project: Path, cli: Cli) -> None:
    for _ in range(3):
        assert cli(project, "review").code == 0
    manifest = cache_json(project / ".pressgen-cache" / "builds.json")
    assert [folder for folder in manifest if not Path(folder).is_dir()] == []
    assert [
        p.name for p in (project / "review").iterdir() if p.name.startswith(".") and p.name != ".pressgen-output"
    ] == []
    keys = {key for entry in manifest.values() for key in entry["pdf_keys"]}
    cached = {p.stem for p in (project / ".pressgen-cache" / "pdf").glob("*.pdf")}
    assert cached <= keys


# 13. serve.


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from pressgen.serve import PreviewHandler

    folder = tmp_path / "site"
    (folder / "empty").mkdir(parents=True)
    (folder / "index.html").write_text("<!DOCTYPE html><title>x</title>")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PreviewHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield "127.0.0.1", httpd.server_port
    httpd.shutdown()
    httpd.server_close()


def _get(server: tuple[str, int], path: str, host: str | None = None) -> int:
    connection = http.client.HTTPConnection(*server, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host or f"{server[0]}:{server[1]}")
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_serve_answers_bad_paths_and_foreign_hosts_clearly(server: tuple[str, int]) -> None:
    assert _get(server, "/") == 200
    assert _get(server, "/", host=f"localhost:{server[1]}") == 200
    assert _get(server, "/%00") == 400
    assert _get(server, "/empty/") == 404  # no folder listing
    assert _get(server, "/", host="attacker.example") == 421  # DNS rebinding
    assert _get(server, "/", host=f"rebind.attacker.example:{server[1]}") == 421


def test_a_build_leaves_nothing_in_the_temporary_folder(project: Path, tmp_path: Path) -> None:
    """Each PDF worker's font configuration copies the project's fonts into a temporary folder;
    a worker that ends must remove it (they once filled /tmp with 3.4 MB a worker)."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pressgen", "-C", str(project), "build", "--drafts", "--jobs", "2"],
        env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "3 rendered" in done.stdout
    assert sorted(path.name for path in temporary.iterdir()) == []
