"""Catalogs: created and kept in sync by `update`, never losing a translation, valid for msgfmt."""

from __future__ import annotations

import difflib
import io
import json
import stat
import subprocess
from pathlib import Path

import polib
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from conftest import REPO, SLUG, Cli
from pressgen.catalogs import EPOCH, read_catalog, sync_catalog
from pressgen.config import load_config
from pressgen.files import write_atomic
from pressgen.po import serialise

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
    assert "is clearly palpable." in str(fuzzy[0].id)
    assert "is palpable." in fuzzy[0].previous_id[0]
    assert str(fuzzy[0].string).startswith("Nu de NAVO Cyber Defence Pledge Conference 2024 ten einde loopt")
    old = {m.id: m.string for m in read_po(io.BytesIO(before)) if m.id}
    unchanged = {m.id: m.string for m in catalog if m.id and not m.fuzzy}
    assert all(old[key] == value for key, value in unchanged.items())
    assert len(unchanged) == 14
    assert "#| msgid" in path.read_text(encoding="utf-8")


def test_approving_a_fuzzy_message_drops_its_previous_source_at_the_next_update(project: Path, cli: Cli) -> None:
    release = project / "releases" / SLUG / "release.md"
    release.write_text(
        release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."), encoding="utf-8"
    )
    assert cli(project, "update").code == 0
    path = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    text = path.read_text(encoding="utf-8")
    assert text.count("#| msgid") == 1
    # The translator approves the message in a PO editor that leaves the `#|` lines alone, as msgmerge
    # does not: GNU msgmerge --previous keeps a previous msgid only on a fuzzy message.
    path.write_text(text.replace("#, fuzzy\n", "", 1), encoding="utf-8")
    assert cli(project, "update").code == 0
    assert "#| msgid" not in path.read_text(encoding="utf-8")


def test_removed_paragraph_becomes_obsolete_not_deleted(project: Path, cli: Cli) -> None:
    release = project / "releases" / SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    last = "The NATO Cyber Defence Pledge Conference 2024 is a testament"
    release.write_text(text[: text.index(last)], encoding="utf-8")
    assert cli(project, "update").code == 0
    path = project / "locales" / "ro" / "releases" / f"{SLUG}.po"
    catalog = read_catalog(path, load_config(project).language("ro"))
    assert not any(str(m.id).startswith(last) for m in catalog if m.id)
    (obsolete,) = catalog.obsolete.values()
    assert str(obsolete.id).startswith(last)
    assert str(obsolete.string).startswith("Conferința NATO Cyber Defence Pledge 2024 este o dovadă")
    assert "#~ msgid" in path.read_text(encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)


def test_po_syntax_error_is_reported_with_its_line(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    path = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith('msgstr "Den Haag"'))
    lines[index] = 'msgstr "Den Haag'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli(project, "build", "--drafts")
    assert result.code == 1
    assert result.err.startswith(f"locales/nl/releases/{SLUG}.po:{index + 1}: error: invalid PO syntax")
    public = cli(project, "build")  # renders the record alone: the broken catalog is a warning
    assert public.code == 0
    assert public.err.startswith(f"locales/nl/releases/{SLUG}.po:{index + 1}: warning: invalid PO syntax")


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


def nl_catalog(project: Path) -> Path:
    return project / "locales" / "nl" / "releases" / f"{SLUG}.po"


def edit_release(project: Path, old: str, new: str) -> None:
    release = project / "releases" / SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    assert old in text
    release.write_text(text.replace(old, new), encoding="utf-8")


def test_percent_in_a_release_is_no_python_format(project: Path, cli: Cli) -> None:
    edit_release(project, "is palpable.", "is palpable, with an increase of 3.5 % in spending.")
    path = nl_catalog(project)
    # A false flag written by an older pressgen on an unchanged message is removed by update.
    text = path.read_text(encoding="utf-8")
    heading = 'msgid "A United Front Against Cyber Threats"'
    path.write_text(text.replace(heading, "#, python-format\n" + heading), encoding="utf-8")
    assert cli(project, "update").code == 0
    text = path.read_text(encoding="utf-8")
    assert "python-format" not in text
    assert "#| msgid" in text and "3.5 % in" in text
    catalogs = sorted((project / "locales").rglob("*.po"))
    for catalog_path in catalogs:
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(catalog_path)], capture_output=True)
        assert result.returncode == 0, result.stderr
    # The translators write a correct "3,5%": GNU msgfmt --check and pressgen check accept it.
    for lang, old, new in (
        ("nl", "voelbaar.", "voelbaar, met een stijging van 3,5% in uitgaven."),
        ("ro", "este palpabil.", "este palpabil, cu o creștere de 3,5% a cheltuielilor."),
    ):
        lang_path = project / "locales" / lang / "releases" / f"{SLUG}.po"
        catalog = read_catalog(lang_path, load_config(project).language(lang))
        (fuzzy,) = [m for m in catalog if m.fuzzy]
        assert old in str(fuzzy.string)
        fuzzy.string = str(fuzzy.string).replace(old, new)
        fuzzy.flags.discard("fuzzy")
        write_atomic(lang_path, serialise(catalog))
    for catalog_path in catalogs:
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(catalog_path)], capture_output=True)
        assert result.returncode == 0, result.stderr
    assert cli(project, "check").out.strip() == "0 errors, 0 warnings"
    status = json.loads(cli(project, "status", "--format", "json").out)
    assert [(v["lang"], v["approved"]) for v in status["versions"]] == [("en", True), ("nl", True), ("ro", True)]


def test_update_moves_bare_numbers_out_of_a_catalog(project: Path, cli: Cli) -> None:
    # Table cells such as "750" were messages before pressgen knew better: update retires them.
    edit_release(
        project,
        "security of its member states.\n",
        "security of its member states.\n\n| 2023 | 2024 |\n| --- | --- |\n| 750 | — |\n",
    )
    path = nl_catalog(project)
    cells = "".join(
        f'\n#. body: table cell\n#: releases/{SLUG}/release.md:40\nmsgid "{cell}"\nmsgstr "{cell}"\n'
        for cell in ("750", "2024", "—")
    )
    path.write_text(path.read_text(encoding="utf-8") + cells, encoding="utf-8")
    result = cli(project, "update")
    assert result.code == 0
    assert f"updated locales/nl/releases/{SLUG}.po (0 new, 0 fuzzy, 3 obsolete)" in result.out
    text = path.read_text(encoding="utf-8")
    for cell in ("750", "2024", "—"):
        assert f'\n#~ msgid "{cell}"\n#~ msgstr "{cell}"\n' in text
    status = cli(project, "status", "--format", "json")
    assert all(row["published"] for row in json.loads(status.out)["versions"])


def test_update_removes_format_flags_that_no_text_needs(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Flags a tool guessed (xgettext's c-format on "3.5 %") make msgfmt and Poedit check a text
    # that is none: check says so, update takes them away.
    monkeypatch.chdir(project)
    path = nl_catalog(project)
    text = path.read_text(encoding="utf-8")
    heading = 'msgid "A United Front Against Cyber Threats"'
    path.write_text(text.replace(heading, "#, c-format\n" + heading), encoding="utf-8")
    line = text.split("\n").index(heading) + 1  # the "#, c-format" line, where the flag is
    result = cli(project, "check")
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        f"locales/nl/releases/{SLUG}.po:{line}: error: msgfmt: 'c-format': pressgen does not check C format "
        "strings, and no pressgen text is one; 'pressgen update' removes the flag"
    )
    assert cli(project, "update").code == 0
    changed = [
        (a, b) for a, b in zip(text.split("\n"), path.read_text(encoding="utf-8").split("\n"), strict=True) if a != b
    ]
    assert [a.split(":")[0] for a, _ in changed] == ['"POT-Creation-Date']  # and the flag is gone
    assert cli(project, "check").out.strip() == "0 errors, 0 warnings"


@pytest.mark.parametrize("header", ["none", "empty"])
def test_update_gives_a_catalog_without_header_one(project: Path, cli: Cli, header: str) -> None:
    path = nl_catalog(project)
    text = path.read_text(encoding="utf-8")
    body = text[text.index("#. title") :]
    path.write_text(body if header == "none" else 'msgid ""\nmsgstr ""\n\n' + body, encoding="utf-8")
    assert "no header entry" in cli(project, "check").out
    assert cli(project, "update").code == 0
    text = path.read_text(encoding="utf-8")
    assert text.endswith(body)
    assert '"Language: nl_NL\\n"' in text and '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert cli(project, "check").out.strip() == "0 errors, 0 warnings"


def test_returning_message_gets_its_obsolete_translation_back(project: Path, cli: Cli) -> None:
    release = project / "releases" / SLUG / "release.md"
    original = release.read_text(encoding="utf-8")
    heading = "## A United Front Against Cyber Threats\n\n"
    release.write_text(original.replace(heading, ""), encoding="utf-8")
    assert cli(project, "update").code == 0
    path = nl_catalog(project)
    assert '#~ msgid "A United Front Against Cyber Threats"' in path.read_text(encoding="utf-8")
    release.write_text(original, encoding="utf-8")
    result = cli(project, "update")
    assert result.code == 0
    assert f"updated locales/nl/releases/{SLUG}.po (0 new, 0 fuzzy, 0 obsolete)" in result.out
    catalog = read_catalog(path, load_config(project).language("nl"))
    message = catalog["A United Front Against Cyber Threats"]
    assert message.string == "Eensgezind tegen cyberdreigingen" and not message.fuzzy
    assert not catalog.obsolete
    assert cli(project, "status").out.count("published") >= 1


def test_update_keeps_the_mode_and_rewrites_only_what_changed(project: Path, cli: Cli) -> None:
    path = nl_catalog(project)
    path.chmod(0o664)
    inode = path.stat().st_ino
    assert cli(project, "update").code == 0
    assert path.stat().st_ino == inode  # an unchanged catalog is not even rewritten
    edit_release(project, "is palpable.", "is clearly palpable.")
    assert cli(project, "update").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


def gnu_and_polib_versions(project: Path, tmp_path: Path) -> dict[str, bytes]:
    """Return the nl catalog as msgmerge, msgcat, msgattrib and polib write it back."""
    from pressgen.catalogs import release_template
    from pressgen.releases import read_release

    path = nl_catalog(project)
    release = read_release(project / "releases" / SLUG / "release.md", load_config(project))
    pot = tmp_path / "release.pot"
    pot.write_bytes(serialise(release_template(release)))
    out = tmp_path / "out.po"
    commands = {
        "msgmerge": ["msgmerge", "--quiet", "--previous", str(path), str(pot), "-o", str(out)],
        "msgcat": ["msgcat", str(path), "-o", str(out)],
        "msgattrib": ["msgattrib", "--clear-fuzzy", str(path), "-o", str(out)],
    }
    versions = {}
    for name, command in commands.items():
        subprocess.run(command, check=True)
        versions[name] = out.read_bytes()
    polib.pofile(str(path)).save(str(out))
    versions["polib"] = out.read_bytes()
    return versions


def test_catalog_from_other_tools_survives_update(project: Path, cli: Cli, tmp_path: Path) -> None:
    path = nl_catalog(project)
    for name, data in gnu_and_polib_versions(project, tmp_path).items():
        assert data != path.read_bytes() or name == "msgattrib", name  # each tool wraps its own way
        saved = path.read_bytes()
        path.write_bytes(data)
        assert cli(project, "update").code == 0
        assert path.read_bytes() == data, f"update changed a catalog written by {name}"
        path.write_bytes(saved)


def entry_span(lines: list[str], text: str) -> range:
    """Return the line numbers of the entry whose msgid holds `text` (blank lines delimit entries)."""
    at = next(i for i, line in enumerate(lines) if text in line and not line.startswith("msgstr"))
    first = max(i for i in range(at) if not lines[i].strip()) + 1
    last = min(i for i in range(at, len(lines)) if not lines[i].strip())
    return range(first, last)


def test_source_edit_changes_only_its_entry_in_a_catalog_from_other_tools(
    project: Path, cli: Cli, tmp_path: Path
) -> None:
    path = nl_catalog(project)
    release = project / "releases" / SLUG / "release.md"
    source = release.read_text(encoding="utf-8")
    for name, data in gnu_and_polib_versions(project, tmp_path).items():
        path.write_bytes(data)
        release.write_text(source.replace("is palpable.", "is clearly palpable."), encoding="utf-8")
        assert cli(project, "update").code == 0
        before, after = data.decode("utf-8").split("\n"), path.read_text(encoding="utf-8").split("\n")
        old, new = entry_span(before, "palpable"), entry_span(after, "clearly palpable")
        assert any(line.startswith("#| ") for line in after[new.start : new.stop]), name
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            lines = before[i1:i2] + after[j1:j2]
            if tag == "equal" or all(line.startswith('"POT-Creation-Date:') for line in lines):
                continue  # the date of the update is the one header field that changes
            assert set(range(i1, i2)) <= set(old) and set(range(j1, j2)) <= set(new), (
                name,
                before[i1:i2],
                after[j1:j2],
            )
        release.write_text(source, encoding="utf-8")


def test_update_of_many_changed_messages_keeps_each_translation(tmp_path: Path) -> None:
    # Babel's Catalog.update compares every new message with every old one: minutes for this.
    nl = load_config(REPO).language("nl")
    path = tmp_path / "many.po"

    def template(suffix: str) -> Catalog:
        catalog = Catalog(fuzzy=False, project="many", version="1", creation_date=EPOCH)
        for number in range(10_000):
            catalog.add(f"Paragraph {number} is about cyber defence and the alliance{suffix}.")
        return catalog

    sync_catalog(path, template(""), nl, "# many")
    catalog = read_catalog(path, nl)
    for message in catalog:
        if message.id:
            message.string = f"Alinea {str(message.id).split()[1]}."
    write_atomic(path, serialise(catalog))
    update = sync_catalog(path, template(" today"), nl, "# many")
    assert (update.action, update.new, update.fuzzy, update.obsolete) == ("updated", 0, 10_000, 0)
    catalog = read_catalog(path, nl)
    for message in catalog:
        if message.id:
            number = str(message.id).split()[1]
            assert message.fuzzy and message.string == f"Alinea {number}."
            assert message.previous_id == [f"Paragraph {number} is about cyber defence and the alliance."]


@pytest.mark.parametrize(
    ("char", "name"), [("\x0b", "U+000B (vertical tab)"), ("\\v", "U+000B (vertical tab)"), ("\\000", "U+0000 (NUL)")]
)
def test_control_character_in_a_translation_is_an_error(
    char: str, name: str, project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    path = nl_catalog(project)
    lines = path.read_text(encoding="utf-8").split("\n")
    index = lines.index('msgstr "Den Haag"')
    lines[index] = f'msgstr "Den{char}Haag"'
    path.write_text("\n".join(lines), encoding="utf-8")
    result = cli(project, "build", "--drafts")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"locales/nl/releases/{SLUG}.po:{index + 1}: error: invalid PO syntax: control character {name}"
    ]


def test_catalog_linked_to_a_device_is_refused(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    path = nl_catalog(project)
    path.unlink()
    path.symlink_to("/dev/zero")
    for command in ("status", "update", "build --drafts"):
        result = cli(project, *command.split())
        assert result.code == 1
        assert (
            f"locales/nl/releases/{SLUG}.po: error: catalog is a symbolic link; it must be a regular file" in result.err
        )
    public = cli(project, "build")
    assert public.code == 0
    expected = f"locales/nl/releases/{SLUG}.po: warning: catalog is a symbolic link; it must be a regular file"
    assert expected in public.err
