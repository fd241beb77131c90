"""Incremental and parallel builds: only what changed is rendered, and the output is the same."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_PARTS, SLUG, Cli, publish_all, tree_digest
from helpers import cache_json


def rendered(result_out: str) -> tuple[int, int]:
    found = re.search(r"\((\d+) rendered, (\d+) unchanged\)", result_out)
    assert found, result_out
    return int(found.group(1)), int(found.group(2))


def add_release(project: Path, slug: str, body: str = "A second release.") -> Path:
    folder = project / "releases" / slug
    folder.mkdir()
    (folder / "release.md").write_text(f"---\ntitle: Second\ndate: {slug[:10]}\n---\n\n{body}\n", encoding="utf-8")
    return folder


def pdf_mtimes(public: Path) -> dict[str, int]:
    return {str(p.relative_to(public)): p.stat().st_mtime_ns for p in public.rglob("*.pdf")}


def test_no_op_rebuild_renders_and_writes_nothing(project: Path, cli: Cli) -> None:
    assert rendered(cli(project, "build").out) == (3, 0)
    before = {str(p): p.stat().st_mtime_ns for p in (project / "public").rglob("*")}
    again = cli(project, "build")
    assert again.code == 0
    assert again.out.startswith(f"nothing changed since the last build: {project / 'public'}/ is up to date")
    assert {str(p): p.stat().st_mtime_ns for p in (project / "public").rglob("*")} == before


def test_no_op_rebuild_still_reports_lagging_translations_and_warnings(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)  # paths are shown relative to the current folder
    add_release(project, "2024-06-11-second", "A character no font has: \ue000.")
    publish_all(cli, project, now="2024-06-30T12:00:00+00:00")
    release = project / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    assert (
        cli(project, "publish", SLUG, "--lang", "en", "--note", "A word added.", "--now", "2024-07-01T00:00Z").code == 0
    )
    first = cli(project, "build")
    again = cli(project, "build")
    assert "nothing changed" in again.out
    warning, *notes = first.err.splitlines()
    assert warning.startswith("releases/2024-06-11-second/release.md: warning: 2024-06-11-second-en.pdf: ")
    assert notes[0].startswith(f"lags: {SLUG} [nl]: translates the en version of 2024-05-17")
    assert again.err == first.err


def test_editing_one_release_renders_only_its_documents(project: Path, cli: Cli) -> None:
    folder = add_release(project, "2024-06-11-second")
    publish_all(cli, project)
    assert rendered(cli(project, "build").out) == (4, 0)
    (folder / "release.md").write_text("---\ntitle: Second, edited\ndate: 2024-06-11\n---\n\nNew text.\n")
    assert rendered(cli(project, "build").out) == (0, 4)  # not published yet: nothing public changes
    assert cli(project, "publish", "2024-06-11-second", "--note", "New title.").code == 0
    assert rendered(cli(project, "build").out) == (1, 3)
    assert "Second, edited" in (project / "public" / "en" / "index.html").read_text(encoding="utf-8")


def test_a_catalog_change_renders_only_its_language(project: Path, cli: Cli) -> None:
    assert cli(project, "build").code == 0
    catalog = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Eensgezind", "Samen"), encoding="utf-8")
    assert rendered(cli(project, "build").out) == (0, 3)
    assert cli(project, "publish", SLUG, "--lang", "nl", "--minor").code == 0
    assert rendered(cli(project, "build").out) == (1, 2)


def test_a_template_change_renders_everything(project: Path, cli: Cli) -> None:
    assert cli(project, "build").code == 0
    css = project / "templates" / "pdf.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh2 { color: #003a70; }\n", encoding="utf-8")
    assert rendered(cli(project, "build").out) == (3, 0)
    html = project / "templates" / "pdf.html"
    html.write_text(html.read_text(encoding="utf-8").replace('<p class="kind">', '<p class="kind" id="k">'))
    assert rendered(cli(project, "build").out) == (3, 0)


def test_an_asset_change_renders_its_release(project: Path, cli: Cli) -> None:
    from PIL import Image

    folder = project / "releases" / "2024-06-12-photo"
    folder.mkdir()
    Image.new("RGB", (60, 40), (0, 0, 0)).save(folder / "photo.png")
    (folder / "release.md").write_text(
        "---\ntitle: Photo\ndate: 2024-06-12\nimage:\n  src: photo.png\n  alt: Black\n---\n\nText.\n", encoding="utf-8"
    )
    publish_all(cli, project)
    assert rendered(cli(project, "build").out) == (4, 0)
    Image.new("RGB", (60, 40), (255, 255, 255)).save(folder / "photo.png")
    assert rendered(cli(project, "build").out) == (0, 4)  # the published picture stays
    assert cli(project, "publish", "2024-06-12-photo", "--note", "A better photo.").code == 0
    assert rendered(cli(project, "build").out) == (1, 3)


def test_deleted_release_leaves_no_stale_preview(project: Path, cli: Cli) -> None:
    folder = add_release(project, "2024-06-11-second")
    assert cli(project, "build", "--drafts").code == 0
    assert (project / "preview" / "en" / "2024-06-11-second").is_dir()
    (folder / "release.md").unlink()
    folder.rmdir()
    assert rendered(cli(project, "build", "--drafts").out) == (0, 3)
    assert not (project / "preview" / "en" / "2024-06-11-second").exists()
    assert "2024-06-11-second" not in (project / "preview" / "en" / "index.html").read_text(encoding="utf-8")


def test_crossing_an_embargo_rebuilds(project: Path, cli: Cli) -> None:
    folder = add_release(project, "2024-06-11-second")
    text = (folder / "release.md").read_text(encoding="utf-8")
    embargoed = text.replace("date:", "embargo: 2030-01-01T09:00+01:00\ndate:")
    (folder / "release.md").write_text(embargoed, encoding="utf-8")
    publish_all(cli, project)
    assert rendered(cli(project, "build", "--now", "2029-12-31T00:00Z").out) == (3, 0)
    assert not (project / "public" / "en" / "2024-06-11-second").exists()
    assert "nothing changed" in cli(project, "build", "--now", "2029-12-31T12:00Z").out
    assert rendered(cli(project, "build", "--now", "2030-01-01T08:00Z").out) == (1, 3)
    assert (project / "public" / "en" / "2024-06-11-second").is_dir()
    # Back before the embargo (a build with an earlier --now): the release is gone again.
    assert rendered(cli(project, "build", "--now", "2029-12-31T12:00Z").out) == (0, 3)
    assert not (project / "public" / "en" / "2024-06-11-second").exists()


def test_a_changed_output_is_rebuilt(project: Path, cli: Cli) -> None:
    assert cli(project, "build").code == 0
    (project / "public" / "en" / "index.html").unlink()
    result = cli(project, "build")
    assert "nothing changed" not in result.out
    assert (project / "public" / "en" / "index.html").is_file()


def test_only_re_renders_that_release(project: Path, cli: Cli) -> None:
    add_release(project, "2024-06-11-second")
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    assert rendered(cli(project, "build", "--only", SLUG).out) == (3, 1)
    unknown = cli(project, "build", "--only", "2099-01-01-nothing")
    assert unknown.code == 2 and "no release '2099-01-01-nothing'" in unknown.err


def test_parallel_and_serial_builds_write_the_same_files(project: Path, cli: Cli) -> None:
    add_release(project, "2024-06-11-second")
    publish_all(cli, project)
    assert cli(project, "build", "--jobs", "2", "--out", str(project / "parallel")).code == 0
    shutil.rmtree(project / ".pressgen-cache")
    assert cli(project, "build", "--jobs", "1", "--out", str(project / "serial")).code == 0
    assert tree_digest(project / "parallel") == tree_digest(project / "serial")


def test_workers_handing_over_to_fresh_ones_write_the_same_files(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressgen import pool

    add_release(project, "2024-06-11-second")
    add_release(project, "2024-06-12-third")
    publish_all(cli, project)
    assert cli(project, "build", "--jobs", "1", "--out", str(project / "serial")).code == 0
    shutil.rmtree(project / ".pressgen-cache")
    monkeypatch.setattr(pool, "RECYCLE", 1)  # new workers after every second document
    made: list[object] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Counted)
    result = cli(project, "build", "--jobs", "2", "--out", str(project / "recycled"))
    assert result.code == 0, result.err
    assert rendered(result.out) == (5, 0)
    assert len(made) == 3  # 5 documents, 2 a pair of workers
    assert tree_digest(project / "recycled") == tree_digest(project / "serial")


def test_builds_with_other_options_keep_each_others_cache(project: Path, cli: Cli) -> None:
    assert rendered(cli(project, "build").out) == (3, 0)
    archive = cli(project, "build", "--pdf-variant", "pdf/a-3u", "--out", str(project / "archive"))
    assert rendered(archive.out) == (3, 0)
    release = project / "releases" / SLUG / "release.md"  # inputs changed (not published), PDFs did not
    release.write_text(release.read_text(encoding="utf-8") + "\nAn unpublished paragraph.\n", encoding="utf-8")
    assert rendered(cli(project, "build").out) == (0, 3)
    assert rendered(cli(project, "build", "--pdf-variant", "pdf/a-3u", "--out", str(project / "archive")).out) == (0, 3)


def test_cache_forgets_the_builds_of_deleted_folders_and_their_pdfs(project: Path, cli: Cli) -> None:
    cache = project / ".pressgen-cache"
    assert cli(project, "build").code == 0
    archive = project / "archive"
    assert cli(project, "build", "--out", str(archive), "--pdf-variant", "pdf/a-3u").code == 0
    assert len(list((cache / "pdf").glob("*.pdf"))) == 6  # three PDF/UA, three PDF/A
    shutil.rmtree(archive)
    add_release(project, "2024-06-11-second")  # a change, so that the next build runs and records itself
    publish_all(cli, project)
    assert cli(project, "build").code == 0
    manifest = cache_json(cache / "builds.json")
    assert [Path(folder).resolve() for folder in manifest] == [(project / "public").resolve()]
    (entry,) = manifest.values()
    assert sorted(p.stem for p in (cache / "pdf").glob("*.pdf")) == sorted(entry["pdf_keys"])
    assert len(entry["pdf_keys"]) == 4


def test_compiled_templates_are_reused_by_the_next_build_and_a_hostile_cache_is_ignored(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jinja2 import Environment

    from pressgen.render import _CompiledTemplates

    assert cli(project, "build").code == 0
    compiled = sorted((project / ".pressgen-cache" / "templates").glob("*.code"))
    assert len(compiled) >= 5, compiled  # release, newsroom, pdf, chooser pages and their parts

    # A new process (here: memory forgotten) reads them instead of compiling the templates again.
    compiles: list[str | None] = []
    real_compile = Environment.compile

    def counting(self: Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiles.append(name)
        return real_compile(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    monkeypatch.setattr(_CompiledTemplates, "memory", {})
    release = project / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("Pledge", "Pledges", 1), encoding="utf-8")
    assert cli(project, "build", "--drafts").code == 0
    assert compiles == []

    # A checkout that brings a pipe, a link or garbage in their place: each is compiled anew.
    for number, path in enumerate(compiled):
        path.unlink()
        if number % 3 == 0:
            os.mkfifo(path)
        elif number % 3 == 1:
            path.symlink_to("/dev/zero")
        else:
            path.write_bytes(b"pressgen compiled template 1 " + b"\x00" * 64)
    monkeypatch.setattr(_CompiledTemplates, "memory", {})
    page = project / "templates" / "release.html"
    article = '<article class="release">'
    page.write_text(page.read_text(encoding="utf-8").replace(article, f"<p>Compiled anew</p>{article}"))
    shutil.rmtree(project / "public")  # every page made again, with every template, and the PDFs too
    result = cli(project, "build", "--only", SLUG)
    assert result.code == 0, result.err
    assert {"base.html", "release.html", "newsroom.html", "pdf.html", "choice.html"} <= set(compiles)
    assert "Compiled anew" in (project / "public" / "en" / SLUG / "index.html").read_text(encoding="utf-8")


def test_a_pdf_css_change_reaches_pdfs_rendered_by_the_same_process(project: Path, cli: Cli, tmp_path: Path) -> None:
    # Found by the property test: with one job the PDFs are rendered in the main process (as in
    # `serve`, whose workers also outlive a build), whose writer had parsed pdf.css once; an edited
    # pdf.css then gave PDFs made with the old one, kept in the cache under the new key.
    assert cli(project, "build", "--jobs", "1").code == 0
    css = project / "templates" / "pdf.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 0.05em; }\n", encoding="utf-8")
    assert rendered(cli(project, "build", "--jobs", "1").out) == (3, 0)
    clean = tmp_path / "clean"
    clean.mkdir()
    for part in PROJECT_PARTS:
        (shutil.copytree if (project / part).is_dir() else shutil.copy2)(project / part, clean / part)
    assert cli(clean, "build", "--jobs", "1").code == 0
    assert tree_digest(project / "public") == tree_digest(clean / "public")


def test_a_file_read_again_because_it_changed_just_before_is_no_change_the_next_time(project: Path) -> None:
    """A file saved less than a clock tick before a scan is hashed again by the next one (it is
    racily clean), but with the same digest it is no change: nothing starts the PDF workers."""
    from pressgen.cache import Sources
    from pressgen.config import load_config

    config = load_config(project)
    changes: list[str] = []
    Sources.scan(config)  # the project's files are all new: every one is racily clean
    release = project / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("cyber", "Cyber", 1), encoding="utf-8")
    for scan in ("after the edit", "again", "once more"):  # all within two seconds of the save
        Sources.scan(config, lambda scan=scan: changes.append(scan))  # type: ignore[misc]
    assert changes == ["after the edit"]


def test_files_read_just_after_they_were_saved_are_trusted_once_the_build_outlasts_the_clock_tick(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first no-op after a long cold build of a fresh checkout reads no file again; a file saved
    during that build is read again (and is a change)."""
    from pressgen import cache
    from pressgen.config import load_config

    config = load_config(project)
    sources = cache.Sources.scan(config)  # a fresh checkout: every file is racily clean
    release = project / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8") + "\nSaved while the build ran.\n", encoding="utf-8")
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the build outlasted the tick
    sources.settle()
    monkeypatch.setattr(cache, "RACY_NS", 2_000_000_000)
    read: list[str] = []
    hash_file = cache._hash_file

    def reading(path: Path, status: os.stat_result) -> str:
        read.append(str(path))
        return hash_file(path, status)

    monkeypatch.setattr(cache, "_hash_file", reading)
    changes: list[int] = []
    cache.Sources.scan(config, lambda: changes.append(1))
    assert read == [str(release)]
    assert changes == [1]


_NO_OP_IMPORTS = """
import sys
from pressgen.cli import run
assert run(["-C", sys.argv[1], "build"]) == 0
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] in sys.argv[2:])))
"""


def test_a_no_op_build_imports_neither_weasyprint_nor_the_stages_nor_package_metadata(project: Path, cli: Cli) -> None:
    """What a no-op build must not load: it answers in a fraction of a second at N = 1000."""
    assert cli(project, "build").code == 0
    heavy = ["weasyprint", "jinja2", "markdown_it", "importlib", "pressgen"]
    done = subprocess.run(
        [sys.executable, "-c", _NO_OP_IMPORTS, str(project), *heavy], capture_output=True, text=True, check=True
    )
    assert "nothing changed since the last build" in done.stdout
    loaded = set(done.stdout.split())
    assert not {"weasyprint", "jinja2", "markdown_it", "importlib.metadata"} & loaded
    assert not {"pressgen.gather", "pressgen.site", "pressgen.pool", "pressgen.pdf"} & loaded
    assert "pressgen.cache" in loaded


def test_library_versions_read_from_folder_names_are_those_of_the_package_metadata() -> None:
    from importlib.metadata import version

    from pressgen import cache

    names = (*cache._LIBRARIES, "weasyprint")
    assert cache._library_versions(names) == [(name, version(name)) for name in names]
    assert cache._library_versions(["no-such-library"]) == [("no-such-library", "?")]


def test_a_build_holds_only_a_few_documents_waiting_for_their_pdf(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main process takes rendered PDFs (and writes their pages) before it hands out more than
    IN_FLIGHT a worker: it never holds the texts of a whole archive at once. The output is the same."""
    from pressgen import pages, pool

    publish_all(cli, project)
    assert cli(project, "build", "--jobs", "2").code == 0
    whole = tree_digest(project / "public")
    shutil.rmtree(project / "public")
    shutil.rmtree(project / ".pressgen-cache")
    monkeypatch.setattr(pages, "IN_FLIGHT", 1)
    waiting: list[int] = []
    counts: list[int] = []
    submit, take = pool.PdfPool.submit, pages.PdfWriter._take

    def submitting(self: pool.PdfPool, index: int, task: pool.PdfTask) -> None:
        waiting.append(index)
        counts.append(len(waiting))
        submit(self, index, task)

    def taking(self: pages.PdfWriter, result: pool.PdfResult, *args: Any) -> None:
        waiting.remove(result.index)
        take(self, result, *args)

    monkeypatch.setattr(pool.PdfPool, "submit", submitting)
    monkeypatch.setattr(pages.PdfWriter, "_take", taking)
    assert rendered(cli(project, "build", "--jobs", "2").out) == (3, 0)
    assert len(counts) == 3 and max(counts) == 2  # 2 workers × 1: the third waited for a PDF
    assert tree_digest(project / "public") == whole
