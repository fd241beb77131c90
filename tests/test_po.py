"""The PO reader and writer, on small inline PO texts and on files made by GNU gettext and polib."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polib
import pytest
from babel.messages.catalog import Message

from pressgen import po
from pressgen.errors import PressgenError
from pressgen.files import write_atomic

HEADER = """\
# Dutch translation of a release.
msgid ""
msgstr ""
"Language: nl_NL\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"X-Generator: Poedit 3.4\\n"
"""
HEADER_LINES = HEADER.count("\n")


def parse(body: str, header: str = HEADER) -> po.PoCatalog:
    return po.parse_po(header + ("\n" + textwrap.dedent(body) if body else ""), Path("x.po"))


def error_of(body: str, header: str = HEADER) -> str:
    with pytest.raises(PressgenError) as caught:
        parse(body, header)
    return str(caught.value)


def line(number: int) -> int:
    """Return the line in the file of line `number` of a body (counted from 1)."""
    return HEADER_LINES + 1 + number


def test_entry_with_comments_flags_and_references() -> None:
    catalog = parse(
        """\
        # a translator's note
        #. body: paragraph
        #: releases/a/release.md:3 releases/a/release.md:9
        #, fuzzy, no-wrap
        msgid "The Hague"
        msgstr "Den Haag"
        """
    )
    message = catalog["The Hague"]
    assert message.string == "Den Haag"
    assert message.user_comments == ["a translator's note"]
    assert message.auto_comments == ["body: paragraph"]
    assert message.locations == [("releases/a/release.md", 3), ("releases/a/release.md", 9)]
    assert message.flags == {"fuzzy", "no-wrap"}
    assert message.lineno == line(5)
    assert dict(catalog.mime_headers)["Language"] == "nl_NL"
    assert ("X-Generator", "Poedit 3.4") in catalog.header_fields


def test_format_flags_come_from_the_file_not_from_a_guess() -> None:
    # Babel's Message adds python-format to any text that looks like "% i"; the file decides.
    catalog = parse('msgid "an increase of 3.5 % in spending"\nmsgstr "een stijging van 3,5% in uitgaven"\n')
    assert catalog["an increase of 3.5 % in spending"].flags == set()


def test_flags_are_separated_by_commas_or_spaces_as_gnu_reads_them() -> None:
    catalog = parse(
        """\
        #, fuzzy python-format,range: 0..10
        msgid "%(n)s file"
        msgid_plural "%(n)s files"
        msgstr[0] "%(n)s bestand"
        msgstr[1] "%(n)s bestanden"
        """
    )
    (message,) = [m for m in catalog if m.id]
    assert message.flags == {"fuzzy", "python-format", "range: 0..10"} and message.fuzzy


def test_an_unreadable_plural_forms_is_left_to_check() -> None:
    header = HEADER.replace("nplurals=2;", "nplurals=x;")
    catalog = parse('msgid "A"\nmsgstr "B"\n', header)
    assert catalog.header_msgstr is not None and "nplurals=x;" in catalog.header_msgstr
    assert po.serialise(catalog).decode("utf-8").startswith(header)


def test_long_previous_msgid_as_msgmerge_writes_it() -> None:
    catalog = parse(
        """\
        #, fuzzy
        #| msgctxt "heading"
        #| msgid ""
        #| "The quick brown fox jumps over the lazy dog and keeps running all the way "
        #| "to the river bank in the evening."
        msgid ""
        "The quick brown fox jumps over the lazy dog and keeps running all the way to "
        "the river bank in the morning."
        msgstr "De vos."
        """
    )
    (message,) = [m for m in catalog if m.id]
    assert message.previous_id == [
        "The quick brown fox jumps over the lazy dog and keeps running all the way to the river bank in the evening."
    ]
    assert message.fuzzy
    assert catalog.previous_contexts == {(False, message.id): "heading"}


def test_obsolete_entries_and_their_previous_msgids() -> None:
    catalog = parse(
        """\
        msgid "x"
        msgstr "y"

        # kept by msgmerge
        #, fuzzy
        #~| msgid ""
        #~| "The quick brown fox jumps over the lazy dog and keeps running all the "
        #~| "way to the river bank in the evening."
        #~ msgid "The quick brown fox."
        #~ msgstr ""
        #~ "De snelle vos."

        #~ msgid "Goodbye"
        #~ msgstr "Tot ziens"
        """
    )
    assert [m.id for m in catalog if m.id] == ["x"]
    fox, goodbye = catalog.obsolete.values()
    assert fox.string == "De snelle vos." and fox.fuzzy and fox.user_comments == ["kept by msgmerge"]
    assert fox.previous_id[0].endswith("all the way to the river bank in the evening.")
    assert goodbye.string == "Tot ziens"


def test_plural_entry() -> None:
    catalog = parse(
        'msgid "one file"\nmsgid_plural "%(n)d files"\nmsgstr[0] "een bestand"\nmsgstr[1] "%(n)d bestanden"\n'
    )
    assert catalog["one file"].string == ("een bestand", "%(n)d bestanden")
    assert catalog["one file"].id == ("one file", "%(n)d files")


def test_escapes_are_read() -> None:
    catalog = parse('msgid "a \\"quoted\\" \\\\ word\\n"\nmsgstr "een\\t\\"woord\\"\\n"\n')
    assert catalog['a "quoted" \\ word\n'].string == 'een\t"woord"\n'


@pytest.mark.parametrize(
    ("body", "number", "message"),
    [
        ('msgid "The Hague"\nmsgstr "Den Haag\n', 2, "invalid PO syntax: unterminated or badly escaped string"),
        ('msgid "The Hague"\nmsgstr "Den" Haag"\n', 2, "invalid PO syntax: unterminated or badly escaped string"),
        ('msgid "The Hague"\nmsgstr "Den Haag" x\n', 2, "invalid PO syntax: unterminated or badly escaped string"),
        ('msgid "The Hague"\nmsgstr "Den \\q Haag"\n', 2, "invalid PO syntax: unknown escape sequence '\\q'"),
        ('msgid "a"\nmsgstr "b"\n"c"\n\n"d"\n', 5, None),  # a string continues the msgstr, even after a blank line
        ('# note\n"loose"\nmsgid "a"\nmsgstr "b"\n', 2, "invalid PO syntax: a string outside of a msgid or msgstr"),
        ('msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 1, "invalid PO syntax: msgid without msgstr"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "c"\n', 4, "invalid PO syntax: msgid without msgstr"),
        ('msgid "a"\n# comment\nmsgstr "b"\n', 1, "invalid PO syntax: msgid without msgstr"),
        ('# note\nmsgstr "b"\n', 2, "invalid PO syntax: msgstr without msgid"),
        ('msgid "a"\nmsgstr "b"\nmsgstr "c"\n', 3, "invalid PO syntax: a second msgstr for one msgid"),
        ('msgid "a"\nmsgstr[0] "b"\n', 2, "invalid PO syntax: msgstr[0] without msgid_plural"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 3, "invalid PO syntax: a message with msgid_plural needs"),
        (
            'msgid "a"\nmsgid_plural "as"\nmsgstr[1] "b"\n',
            3,
            "invalid PO syntax: msgstr[1] where msgstr[0] was expected",
        ),
        ('msgid "a"\nmsgstr "b"\nmsgid "a"\nmsgstr "c"\n', 3, "duplicate message (first at line 9)"),
        ('#~ msgid "a"\nmsgstr "b"\n', 2, "invalid PO syntax: obsolete (#~) and active lines mixed in one entry"),
        ('mgsid "a"\nmsgstr "b"\n', 1, "invalid PO syntax: unknown keyword 'mgsid'"),
        ('#| msgid "old"\n\n# note\n', 1, "invalid PO syntax: a previous msgid (#|) without a message"),
        ('msgid "a"\nmsgstr "b\x00c"\n', 2, "invalid PO syntax: control character U+0000 (NUL)"),
        ('msgid "a"\nmsgstr "b\x0bc"\n', 2, "invalid PO syntax: control character U+000B (vertical tab)"),
        ('msgid "a"\nmsgstr "b\\vc"\n', 2, "invalid PO syntax: control character U+000B (vertical tab)"),
        ('msgid "a"\nmsgstr "b\\033[31mc"\n', 2, "invalid PO syntax: control character U+001B (escape)"),
        ('# note \x1b[2J\nmsgid "a"\nmsgstr "b"\n', 1, "invalid PO syntax: control character U+001B (escape)"),
    ],
)
def test_bad_po_text_is_an_error_with_its_line(body: str, number: int, message: str | None) -> None:
    if message is None:
        assert parse(body)["a"].string == "bcd"
        return
    assert error_of(body).startswith(f"x.po:{line(number)}: error: {message}")


def test_same_msgid_in_another_context_is_no_duplicate() -> None:
    catalog = parse('msgid "May"\nmsgstr "mei"\n\nmsgctxt "verb"\nmsgid "May"\nmsgstr "mag"\n')
    assert catalog["May"].string == "mei"
    assert catalog._messages[("May", "verb")].string == "mag"


def test_a_second_header_is_a_duplicate() -> None:
    assert (
        error_of('msgid ""\nmsgstr "Language: nl\\n"\n')
        == f"x.po:{line(1)}: error: duplicate message (first at line 2)"
    )


def test_catalog_in_another_charset_is_refused() -> None:
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n'
    assert error_of('msgid "a"\nmsgstr "b"\n', header).startswith(
        "x.po:3: error: catalog declares charset iso-8859-1; pressgen reads UTF-8 catalogs only"
    )


def test_file_cut_off_in_a_string_is_an_error_and_one_without_a_final_newline_is_read() -> None:
    text = HEADER + '\nmsgid "The Hague"\nmsgstr ""\n"Den "\n"Haag'
    with pytest.raises(PressgenError) as unterminated:
        po.parse_po(text, Path("x.po"))
    assert str(unterminated.value).startswith(f"x.po:{line(4)}: error: invalid PO syntax: unterminated")
    # Some editors save without a final newline: the file is whole, and read as it is.
    assert po.parse_po(text + '"', Path("x.po"))["The Hague"].string == "Den Haag"
    assert po.parse_po(text + '"\n', Path("x.po"))["The Hague"].string == "Den Haag"


def test_catalog_with_a_byte_order_mark_or_no_final_newline_is_read_and_kept(tmp_path: Path) -> None:
    text = HEADER + '\nmsgid "The Hague"\nmsgstr "Den Haag"'
    path = tmp_path / "saved.po"
    path.write_bytes(po.BOM + text.encode("utf-8"))
    os.utime(path, (time.time() - 60, time.time() - 60))  # saved a minute ago, by an editor that writes both
    catalog = po.read_po_file(path)
    assert catalog["The Hague"].string == "Den Haag"
    assert po.serialise(catalog) == po.BOM + (text + "\n").encode("utf-8")  # the mark is kept


# -- reading files --------------------------------------------------------------------------------


def test_catalog_linked_to_dev_zero_fifo_or_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.po"
    outside.write_text(HEADER, encoding="utf-8")
    (tmp_path / "zero.po").symlink_to("/dev/zero")
    (tmp_path / "out.po").symlink_to(outside)
    os.mkfifo(tmp_path / "fifo.po")
    for name in ("zero.po", "out.po", "fifo.po"):
        path = tmp_path / name
        with pytest.raises(PressgenError) as caught:
            po.read_po_file(path)
        expected = (
            "is a symbolic link; it must be a regular file" if path.is_symlink() else "is not a regular file (a FIFO)"
        )
        assert str(caught.value) == f"{path}: error: catalog {expected}"


def test_huge_catalog_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(po, "MAX_BYTES", 100_000)
    path = tmp_path / "huge.po"
    path.write_text(HEADER + '\nmsgid "a"\nmsgstr "' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(PressgenError) as caught:
        po.read_po_file(path)
    assert str(caught.value) == f"{path}: error: catalog is 200 kB; a catalog is at most 100 kB"


def test_catalog_that_changes_while_it_is_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "busy.po"
    path.write_text(HEADER + '\nmsgid "a"\nmsgstr "xxx"\n', encoding="utf-8")
    real_fstat = os.fstat

    def fstat_while_an_editor_saves(fd: int) -> os.stat_result:
        # An editor appends between the reader's look at the file and the end of its read, every
        # time: deterministic, where a writer process racing the read depends on the scheduler.
        status = real_fstat(fd)
        with path.open("ab") as editor:
            editor.write(b"#\n")
        return status

    with monkeypatch.context() as patched:
        patched.setattr(os, "fstat", fstat_while_an_editor_saves)
        with pytest.raises(PressgenError) as caught:
            po.read_po_file(path)
    assert str(caught.value) == f"{path}: error: catalog changed while it was read (is an editor saving it?); try again"
    assert po.read_po_file(path)["a"].string == "xxx"  # once the save is done, it reads


EDITOR = """
import os, sys, time
data = open(sys.argv[1], "rb").read()
cut = data.index(b"Den Haag") + len(b'Den Haag"')
with open(sys.argv[2], "r+b") as handle:  # saved in place, not through a rename
    handle.truncate(0)
    handle.write(data[:cut])  # a whole line, without its newline: valid PO so far
    handle.flush()
    time.sleep(float(sys.argv[3]))  # the editor is slow to write the rest
    handle.write(data[cut:])
"""


def test_catalog_read_half_way_through_a_save_is_read_again_when_the_save_is_done(tmp_path: Path) -> None:
    text = HEADER + '\nmsgid "The Hague"\nmsgstr ""\n"Den Haag"\n"(Nederland)"\n'
    whole, path = tmp_path / "whole.po", tmp_path / "saved.po"
    whole.write_text(text, encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    cut = text.index("Den Haag") + len('Den Haag"')
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(whole), str(path), "0.5"])
    try:
        while path.stat().st_size != cut:
            time.sleep(0.001)
        catalog = po.read_po_file(path)  # a file just saved without a final newline: it waits for it to settle
    finally:
        editor.kill()
        editor.wait()
    assert catalog["The Hague"].string == "Den Haag(Nederland)"


# -- writing --------------------------------------------------------------------------------------


def test_unchanged_catalog_is_written_back_byte_for_byte() -> None:
    text = HEADER + textwrap.dedent(
        """\

        #  two spaces, as someone typed them
        #. body: paragraph
        #: releases/a/release.md:3
        #, python-format, fuzzy
        #| msgid "Page %(page)s"
        msgid "Page %(page)s of %(pages)s"
        msgstr ""
        "Pagina %(page)s "
        "van %(pages)s"

        msgid "Short"
        msgstr "Kort, maar toch in twee stukken geschreven door een ander programma dat anders "
        "wraps"

        #~ msgid "Goodbye"
        #~ msgstr "Tot ziens"

        # a comment at the end
        """
    )
    catalog = po.parse_po(text, Path("x.po"))
    assert po.serialise(catalog).decode("utf-8") == text


def test_changed_entry_is_rewritten_and_nothing_else() -> None:
    text = HEADER + '\nmsgid "a"\nmsgstr "een "\n"a"\n\nmsgid "b"\nmsgstr "bee"\n\nmsgid "c"\nmsgstr ""\n"cee"\n'
    catalog = po.parse_po(text, Path("x.po"))
    catalog["b"].string = "BEE"
    catalog["b"].flags.add("fuzzy")
    assert po.serialise(catalog).decode("utf-8") == text.replace(
        'msgid "b"\nmsgstr "bee"', '#, fuzzy\nmsgid "b"\nmsgstr "BEE"'
    )


def test_header_change_touches_only_its_line() -> None:
    header = HEADER.replace('"Language: nl_NL', '"POT-Creation-Date: 2024-01-01 00:00+0000\\n"\n"Language: nl_NL')
    text = header + '\nmsgid "a"\nmsgstr "b"\n'
    catalog = po.parse_po(text, Path("x.po"))
    catalog.creation_date = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert po.serialise(catalog).decode("utf-8") == text.replace("2024-01-01", "2025-01-01")


def test_new_entries_are_written_as_msgmerge_writes_them(tmp_path: Path) -> None:
    catalog = parse("")
    texts = [
        "Read more at https://www.nato.int/cps/en/natohq/topics_78170.htm?selectedLocale=en and the related pages",
        "The minister said that public-private partnerships/cooperation are (very) essential for COVID-19 today",
        "Word " + "x" * 100 + " tail words here and there",
        'Lines\nwith a break, a tab\tand a quote " and a backslash \\ in a text that goes on long enough to wrap',
        "De gedeelde visie van de deelnemers onderstrepen de kracht van het NAVO-bondgenootschap. Met hernieuwde "
        "toezeggingen en innovatieve strategieën is de NAVO klaar.",
        "Short",
    ]
    for number, text in enumerate(texts):
        catalog.add(text, text.upper(), locations=[(f"releases/{'x' * 30}/release.md", n) for n in range(9)])
        catalog.obsolete[f"gone {number}"] = Message(f"gone {number}: " + text, text, previous_id=[text + text])
    path = tmp_path / "fresh.po"
    path.write_bytes(po.serialise(catalog))
    msgcat = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True).stdout
    assert msgcat == path.read_text(encoding="utf-8")


def test_200_kb_token_round_trips(tmp_path: Path) -> None:
    # Babel's wrapping is quadratic: this took minutes; it must take as long as copying the text.
    token = "".join(chr(0x61 + (n * 7) % 26) for n in range(200_000))
    catalog = parse("")
    catalog.add("A long token", token + " and " + token)
    path = tmp_path / "long.po"
    po.write_po_file(path, catalog)
    assert po.read_po_file(path)["A long token"].string == token + " and " + token
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)


def test_control_character_is_never_written() -> None:
    catalog = parse("")
    catalog.add("a", "b\x0bc")
    with pytest.raises(PressgenError) as caught:
        po.serialise(catalog)
    assert str(caught.value) == "error: cannot write control character U+000B (vertical tab) to a catalog"


def test_atomic_write_keeps_the_mode_and_follows_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "x.po"
    previous = os.umask(0o002)
    try:
        write_atomic(path, b"one\n")
        assert stat.S_IMODE(path.stat().st_mode) == 0o664
        path.chmod(0o640)
        write_atomic(path, b"two\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_bytes() == b"two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.po"]


# -- round trips through GNU gettext and polib -----------------------------------------------------

OLD = HEADER + textwrap.dedent(
    """\

    # a translator's note
    #. body: paragraph
    #: releases/a/release.md:3
    msgid ""
    "The quick brown fox jumps over the lazy dog and keeps running all the way to "
    "the river bank in the evening."
    msgstr ""
    "De snelle bruine vos springt over de luie hond en blijft rennen tot aan de "
    "rivieroever in de avond."

    #: releases/a/release.md:5
    msgid "Goodbye"
    msgstr "Tot ziens"

    #: releases/a/release.md:7
    msgid "an increase of 3.5 % in spending"
    msgstr "een stijging van 3,5% in uitgaven"
    """
)
POT = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#. body: paragraph
#: releases/a/release.md:3
msgid ""
"The quick brown fox jumps over the lazy dog and keeps running all the way to "
"the river bank in the morning."
msgstr ""

#: releases/a/release.md:7
msgid "an increase of 3.5 % in spending"
msgstr ""
"""


def gettext_outputs(tmp_path: Path) -> dict[str, str]:
    """Return the catalog OLD after msgmerge --previous (twice), msgcat, msgattrib and polib."""
    old, pot = tmp_path / "old.po", tmp_path / "new.pot"
    old.write_text(OLD, encoding="utf-8")
    pot.write_text(POT, encoding="utf-8")
    outputs: dict[str, str] = {}

    def run(name: str, *command: str) -> None:
        out = tmp_path / f"{name}.po"
        subprocess.run([*command, "-o", str(out)], check=True, capture_output=True)
        outputs[name] = out.read_text(encoding="utf-8")

    run("msgmerge", "msgmerge", "--quiet", "--previous", str(old), str(pot))
    empty = tmp_path / "empty.pot"
    empty.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8")
    run("msgmerge-obsolete", "msgmerge", "--quiet", "--previous", str(tmp_path / "msgmerge.po"), str(empty))
    run("msgcat", "msgcat", str(old))
    run("msgattrib", "msgattrib", "--set-fuzzy", "--only-fuzzy", "--no-obsolete", str(tmp_path / "msgmerge.po"))
    polib.pofile(str(tmp_path / "msgmerge.po")).save(str(tmp_path / "polib.po"))
    outputs["polib"] = (tmp_path / "polib.po").read_text(encoding="utf-8")
    return outputs


def test_files_written_by_gettext_and_polib_are_read_and_written_back_unchanged(tmp_path: Path) -> None:
    outputs = gettext_outputs(tmp_path)
    assert "#~| msgid" in outputs["msgmerge-obsolete"] and "#| msgid" in outputs["msgmerge"]
    for name, text in outputs.items():
        catalog = po.parse_po(text, Path(f"{name}.po"))
        assert po.serialise(catalog).decode("utf-8") == text, name
    merged = po.parse_po(outputs["msgmerge-obsolete"], Path("x.po"))
    fox = next(m for m in merged.obsolete.values() if str(m.id).startswith("The quick"))
    assert fox.fuzzy and fox.previous_id == [
        "The quick brown fox jumps over the lazy dog and keeps running all the way to the river bank in the evening."
    ]


def test_what_pressgen_writes_passes_msgfmt_check_and_reads_in_polib(tmp_path: Path) -> None:
    for name, text in gettext_outputs(tmp_path).items():
        catalog = po.parse_po(text, Path("x.po"))
        for message in [*catalog, *catalog.obsolete.values()]:
            message.user_comments.append("changed by pressgen")  # every entry is written afresh
        path = tmp_path / f"again-{name}.po"
        path.write_bytes(po.serialise(catalog))
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stderr)
        entries = {e.msgid: e for e in polib.pofile(str(path))}
        for message in catalog:
            if message.id:
                assert entries[message.id].msgstr == message.string
                assert entries[message.id].previous_msgid == (message.previous_id[0] if message.previous_id else None)
