"""Catalogs: created and kept in sync by `update`, never losing a translation, valid for msgfmt."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import REPO, SLUG, Cli
from pressgen.catalogs import read_catalog
from pressgen.config import load_config

CATALOGS = sorted((REPO / "locales").rglob("*.po"))


@pytest.mark.parametrize("path", CATALOGS, ids=[str(p.relative_to(REPO)) for p in CATALOGS])
def test_bundled_catalog_passes_msgfmt_check(path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", CATALOGS, ids=[str(p.relative_to(REPO)) for p in CATALOGS])
def test_bundled_catalog_is_complete_and_approved(path: Path) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    assert messages
    assert all(m.string and not m.fuzzy for m in messages), [m.id for m in messages if not m.string or m.fuzzy]


def test_update_creates_catalogs_with_source_references(project: Path, cli: Cli) -> None:
    for lang in ("nl", "ro"):
        (project / "locales" / lang / "releases" / f"{SLUG}.po").unlink()
        (project / "locales" / lang / "LC_MESSAGES" / "messages.po").unlink()
    result = cli(project, "update")
    assert result.code == 0, result.err
    assert f"created locales/nl/releases/{SLUG}.po (15 new, 0 fuzzy, 0 obsolete)" in result.out
    text = (project / "locales" / "ro" / "releases" / f"{SLUG}.po").read_text(encoding="utf-8")
    assert f"#: releases/{SLUG}/release.md:2\n" in text
    assert 'msgid "Continuing NATO Cooperation and Strengthening Cyber Defences"' in text
    assert "\n#. body: heading\n" in text
    assert '"Language: ro_RO\\n"' in text
    interface = (project / "locales" / "nl" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert "#: templates/pdf.html" in interface
    assert '#, python-format\nmsgid "Page %(page)s of %(pages)s"' in interface
    for path in (project / "locales").rglob("*.po"):
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)


def test_update_of_unchanged_sources_changes_no_byte(project: Path, cli: Cli) -> None:
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    result = cli(project, "update")
    assert result.code == 0
    assert result.out.strip().endswith("4 catalogs, 0 changed")
    assert {p: p.read_bytes() for p in (project / "locales").rglob("*.po")} == before


def test_edited_paragraph_becomes_fuzzy_with_previous_source(project: Path, cli: Cli) -> None:
    release = project / "releases" / SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    edited = text.replace("is palpable.", "is clearly palpable.")
    assert edited != text
    release.write_text(edited, encoding="utf-8")
    before = (project / "locales" / "nl" / "releases" / f"{SLUG}.po").read_bytes()

    assert cli(project, "update").code == 0
    path = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    catalog = read_catalog(path, load_config(project).language("nl"))
    fuzzy = [m for m in catalog if m.id and m.fuzzy]
    assert len(fuzzy) == 1
    assert "is clearly palpable." in fuzzy[0].id
    assert "is palpable." in fuzzy[0].previous_id[0]
    assert fuzzy[0].string.startswith("Nu de NAVO Cyber Defence Pledge Conference 2024 ten einde loopt")
    old = {m.id: m.string for m in read_po(io.BytesIO(before)) if m.id}
    unchanged = {m.id: m.string for m in catalog if m.id and not m.fuzzy}
    assert all(old[key] == value for key, value in unchanged.items())
    assert len(unchanged) == 14
    assert "#| msgid" in path.read_text(encoding="utf-8")


def test_removed_paragraph_becomes_obsolete_not_deleted(project: Path, cli: Cli) -> None:
    release = project / "releases" / SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    last = "The NATO Cyber Defence Pledge Conference 2024 is a testament"
    release.write_text(text[: text.index(last)], encoding="utf-8")
    assert cli(project, "update").code == 0
    path = project / "locales" / "ro" / "releases" / f"{SLUG}.po"
    catalog = read_catalog(path, load_config(project).language("ro"))
    assert not any(m.id.startswith(last) for m in catalog if m.id)
    (obsolete,) = catalog.obsolete.values()
    assert obsolete.id.startswith(last)
    assert obsolete.string.startswith("Conferința NATO Cyber Defence Pledge 2024 este o dovadă")
    assert "#~ msgid" in path.read_text(encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)


def test_po_syntax_error_is_reported_with_its_line(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    path = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith('msgstr "Den Haag"'))
    lines[index] = 'msgstr "Den Haag'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli(project, "build")
    assert result.code == 1
    assert result.err.startswith(f"locales/nl/releases/{SLUG}.po:{index + 1}: error: invalid PO syntax")


def test_catalog_of_the_wrong_language_is_an_error(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    path = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    path.write_text(path.read_text(encoding="utf-8").replace("Language: nl_NL", "Language: ro_RO"), encoding="utf-8")
    result = cli(project, "status")
    assert result.code == 1
    assert (
        f"locales/nl/releases/{SLUG}.po:12: error: catalog declares Language 'ro_RO' but lives under locales/nl/"
        in result.err
    )


def test_new_language_in_config_gets_catalogs(project: Path, cli: Cli) -> None:
    config = project / "pressgen.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[[languages]]\ncode = "de"\nlocale = "de_DE"\n', encoding="utf-8"
    )
    result = cli(project, "update", "--lang", "de")
    assert result.code == 0, result.err
    assert (project / "locales" / "de" / "releases" / f"{SLUG}.po").is_file()
    assert (project / "locales" / "de" / "LC_MESSAGES" / "messages.po").is_file()
    status = cli(project, "status")
    assert any(
        line.split()[:2] == [SLUG, "de"] and "15 untranslated messages" in line for line in status.out.splitlines()
    )
    build = cli(project, "build")
    assert build.code == 0
    assert not (project / "public" / "de").exists()
