"""The cache trusts nothing it finds: `.pressgen-cache/` is git-ignored, a checkout may bring one of
anyone's making, and nothing in it shows in a review.

Each test plants what an adversarial probe planted (links at the names pressgen used to give its
files and their temporary files, marshalled code, a forged memo) or breaks every file of a built
cache in one way (a link, a hard link, a FIFO, a folder, garbage, half a file, a huge file), then
builds: nothing outside the project may be read or written, nothing planted may reach the output
or run, and the build must succeed with the output a clean build writes.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest
from PIL import Image

from conftest import SLUG, Cli, tree_digest

PICTURE = "chart.png"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """Files outside the project that a hostile cache points at."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "secret.txt").write_text("PRIVATE KEY of the user\n")
    (folder / "diary.txt").write_text("dear diary\n")
    return folder


def with_picture(project: Path) -> Path:
    """Give the bundled release a picture wide enough for web copies; return it."""
    folder = project / "releases" / SLUG
    Image.radial_gradient("L").resize((1000, 500)).convert("RGB").save(folder / PICTURE)
    release = folder / "release.md"
    release.write_text(release.read_text(encoding="utf-8") + f"\n![A chart]({PICTURE})\n", encoding="utf-8")
    return folder / PICTURE


def build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Build in a process of its own, with a deadline: a FIFO read by mistake would block for ever."""
    return subprocess.run(
        [sys.executable, "-m", "pressgen", "-C", str(project), "build", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_links_at_the_names_of_picture_copies_are_never_followed(project: Path, victim: Path, cli: Cli) -> None:
    """Web copies were kept as sha256-width-quality-Pillow.webp, written through `….<pid>.tmp`: a link
    at the first published any file as the picture, a link at the second overwrote one outside."""
    picture = with_picture(project)
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()
    cache = project / ".pressgen-cache" / "images"
    cache.mkdir(parents=True)
    (cache / f"{digest}-480-80-{version('pillow')}.webp").symlink_to(victim / "secret.txt")
    for width in (800, 1000):  # the build runs in this process: its pid is ours
        (cache / f"{digest}-{width}-80-{version('pillow')}.{os.getpid()}.tmp").symlink_to(victim / "diary.txt")
    result = cli(project, "build", "--drafts")
    assert result.code == 0, result.err
    assert (victim / "secret.txt").read_text() == "PRIVATE KEY of the user\n"
    assert (victim / "diary.txt").read_text() == "dear diary\n"
    page = project / "preview" / "en" / SLUG
    for width in (480, 800, 1000):
        with Image.open(page / f"{PICTURE}.{width}w.webp") as copy:
            assert (copy.format, copy.width) == ("WEBP", width)
    assert [p for p in (project / "preview").rglob("*") if p.is_file() and b"PRIVATE" in p.read_bytes()] == []


def test_planted_compiled_templates_never_run(project: Path, tmp_path: Path) -> None:
    """A marshalled code file at the name Jinja2 gives a template's compiled code ran on the next build."""
    marker = tmp_path / "pwned"
    code = compile(f"open({str(marker)!r}, 'w').write('ran')", "<planted>", "exec")
    cache = project / ".pressgen-cache" / "templates"
    cache.mkdir(parents=True)
    for template in sorted((project / "templates").glob("*.html")):
        name = template.name
        source = template.read_text(encoding="utf-8")
        filename = f"{project.resolve() / 'templates'}/{name}"  # as FileSystemLoader names it
        key = hashlib.sha1(f"{name}|{filename}".encode()).hexdigest()  # jinja2.BytecodeCache.get_cache_key
        checksum = hashlib.sha1(source.encode("utf-8")).hexdigest()  # jinja2.BytecodeCache.get_source_checksum
        head = b"pressgen compiled template 1 " + sys.version.encode() + b"\n" + checksum.encode() + b"\n"
        (cache / f"{key}.code").write_bytes(head + marshal.dumps(code))
    done = build(project, "--drafts")
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def _strip_seal(data: bytes) -> bytes:
    """Return a cache file's JSON as a forger reads it: without the seal it cannot make."""
    return data.split(b"\n", 1)[1] if data.startswith(b"pressgen sealed ") else data


def test_a_forged_memo_never_reaches_the_output(project: Path, cli: Cli) -> None:
    """The memo holds each newsroom entry's texts as HTML: a state file edited by hand put a script
    into every newsroom page."""
    assert cli(project, "build").code == 0
    states = list((project / ".pressgen-cache" / "outputs").glob("*.json"))
    assert states
    for state in states:
        data = json.loads(_strip_seal(state.read_bytes()))
        for entry in data["memo"]["entries"].values():
            entry["summary"] = '<script>alert("forged")</script>'
            entry["title"] = "Forged title"
        state.write_text(json.dumps(data))
    newsroom = project / "templates" / "newsroom.html"
    newsroom.write_text(newsroom.read_text(encoding="utf-8") + "{# the newsroom pages are made again #}\n")
    assert cli(project, "build").code == 0
    written = [p for p in (project / "public").rglob("*") if p.is_file()]
    assert [p for p in written if b"forged" in p.read_bytes() or b"Forged title" in p.read_bytes()] == []


def _fifo(path: Path, victim: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path, victim: Path) -> None:
    path.mkdir()
    (path / "inside").write_text("a folder where a file was\n")


def _huge(path: Path, victim: Path) -> None:
    path.write_bytes(b"{")
    os.truncate(path, 1_000_000_000)  # sparse: a gigabyte of NULs after the brace


Breakage = Callable[[Path, Path], object]
# Ways to break a cache file, in groups: each group's ways take the cache's files in turn.
BREAKAGES: dict[str, list[Breakage]] = {
    "links": [
        lambda path, victim: path.symlink_to(victim / "secret.txt"),
        lambda path, victim: os.link(victim / "secret.txt", path),  # a regular file, of someone else's
        lambda path, victim: path.symlink_to(victim / "nothing-here"),
        lambda path, victim: path.symlink_to(victim),
    ],
    "special files": [_fifo, _folder],
    "foreign JSON": [
        lambda path, victim: path.write_text("[]"),
        lambda path, victim: path.write_text('{"files": [], "code": 7, "size": "x", "folder": 1}'),
        lambda path, victim: path.write_text("[" * 100_000 + "]" * 100_000),
    ],
    "torn bytes": [
        lambda path, victim: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
        lambda path, victim: path.write_bytes(b""),
        lambda path, victim: path.write_bytes(os.urandom(4096)),
        _huge,
    ],
}


@pytest.mark.parametrize("group", BREAKAGES, ids=list(BREAKAGES))
def test_every_cache_file_broken_is_a_miss_never_a_crash(group: str, project: Path, victim: Path) -> None:
    """`echo '[]' > .pressgen-cache/builds.json` gave "internal error: AttributeError" on every build."""
    with_picture(project)
    assert build(project, "--drafts").returncode == 0  # the preview: the release with its picture
    clean = tree_digest(project / "preview")
    ways = BREAKAGES[group]
    files = [path for path in sorted((project / ".pressgen-cache").rglob("*")) if path.is_file()]
    assert {path.parent.name for path in files} >= {"images", "pdf", "templates", "outputs"}
    for number, path in enumerate(path for path in files if path.name != "lock"):
        if not (group == "torn bytes" and number % len(ways) == 0):  # half of itself needs its bytes
            path.unlink()
        ways[number % len(ways)](path, victim)
    shutil.rmtree(project / "preview")  # every PDF, page and picture copy taken from the cache or made
    before = tree_digest(victim)
    done = build(project, "--drafts")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert tree_digest(victim) == before
    assert tree_digest(project / "preview") == clean
    if group != "special files":  # a folder where pressgen keeps a file stays, and that file is not kept
        assert "nothing changed since the last build" in build(project, "--drafts").stdout  # made anew


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_lock_file_that_is_no_file_is_refused_without_waiting(kind: str, project: Path) -> None:
    """A FIFO at .pressgen-cache/lock made every command wait for ever for a reader."""
    lock = project / ".pressgen-cache" / "lock"
    lock.parent.mkdir()
    os.mkfifo(lock) if kind == "fifo" else lock.mkdir()
    done = build(project)
    assert done.returncode == 1
    assert done.stderr.strip().endswith(".pressgen-cache/lock: error: the lock file is not a regular file; remove it")


def test_the_secret_is_the_user_s_own_and_a_broken_one_is_made_anew(
    tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressgen.cache import cache_secret

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "cache" / "pressgen" / "secret"
    try:
        cache_secret.cache_clear()
        first = cache_secret()
        assert path.read_bytes() == first and len(first) == 32
        assert path.stat().st_mode & 0o777 == 0o600
        cache_secret.cache_clear()
        assert cache_secret() == first  # the next command finds it
        for broken in ("short", "link"):
            path.unlink()
            if broken == "short":
                path.write_bytes(b"12345")
            else:
                path.symlink_to(victim / "secret.txt")  # replaced, never read or written through
            cache_secret.cache_clear()
            made = cache_secret()
            assert len(made) == 32 and made != first and path.read_bytes() == made and not path.is_symlink()
        assert (victim / "secret.txt").read_text() == "PRIVATE KEY of the user\n"
    finally:
        monkeypatch.undo()
        cache_secret.cache_clear()


def test_a_memo_keeps_each_record_once_makes_one_of_another_shape_again_and_forgets_what_is_unused() -> None:
    from pressgen.cache import Memo, Section

    counts: Section[dict[str, int]] = Section("counts", lambda v: isinstance(v, dict) and isinstance(v.get("n"), int))
    memo = Memo({"counts": {"kept": {"n": 1}, "other shape": {"n": "one"}, "unused": {"n": 3}}})
    made: list[str] = []

    def make(key: str) -> Callable[[], dict[str, int]]:
        def counted() -> dict[str, int]:
            made.append(key)
            return {"n": 2}

        return counted

    records = memo.section(counts)
    assert records.keep("kept", make("kept")) == {"n": 1}
    assert records.keep("other shape", make("other shape")) == {"n": 2}
    assert memo.section(counts).keep("other shape", make("again")) == {"n": 2}
    assert made == ["other shape"]
    assert memo.data() == {"counts": {"kept": {"n": 1}, "other shape": {"n": 2}}}
