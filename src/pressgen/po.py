"""PO files: one strict reader and one writer that keeps what it does not change.

The reader turns a PO file into a Babel `Catalog` (which the rest of pressgen uses: Babel
keeps extraction, plural rules, locale data and MO files) and refuses, with the 1-based line,
everything GNU gettext would refuse and some things it would let through: badly quoted or
escaped strings, duplicate messages, control characters, a msgid without msgstr, a file cut
off inside a string. It reads GNU's previous msgids (`#|`), obsolete entries (`#~`) and the
previous msgids of obsolete entries (`#~|`) as msgmerge writes them.

The writer writes an entry whose content did not change exactly as the file had it (same
wrapping, same comment lines, same header fields in the same order, foreign ones included),
and a new or changed entry the way GNU msgmerge would: 79 columns, previous msgids as `#|`,
obsolete entries as `#~`. It runs in linear time.

Why not polib (or Babel's own `pofile`) for the file input and output: polib reads previous
msgids faithfully, but it rewraps every entry on save and forgets how the file was written,
so a catalog that went through Poedit, msgcat or msgmerge would come back from `pressgen
update` with a diff on every line; and its reader is as lenient as Babel's (it accepts badly
escaped strings, and neither gives line numbers for every problem). Babel's writer wraps long
tokens in quadratic time (a 100 KB unbroken msgstr took a minute) and mangles long previous
msgids. Keeping the text of unchanged entries needs a reader that records where each entry
was, which neither library offers; so pressgen reads and writes the text itself, in this one
module, and hands Babel a `Catalog`.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from babel.core import Locale
from babel.messages.catalog import Catalog, Message

from pressgen.errors import PressgenError
from pressgen.files import decode_text, read_regular, write_atomic

MAX_BYTES = 16_000_000  # a release is at most 1 MB of text; its catalog holds it twice, with comments
BOM = b"\xef\xbb\xbf"  # UTF-8's byte order mark, which some editors write at the start of a file
# A catalog without a final newline saved less than this long ago may be an editor's save in progress.
SETTLE = 2.0  # seconds
WIDTH = 79  # GNU gettext's page width
CHARSETS = {"utf-8", "utf8", "charset", "us-ascii", "ascii"}  # "charset" is the POT placeholder

Key = str | tuple[str, str]  # how Babel keys a message: its msgid, with its msgctxt if it has one
Fingerprint = tuple[object, ...]

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"\s*')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?(?=[\s\"]|$)\s*")
_ESCAPE = re.compile(r"\\(?:([ntrabfv\\\"'?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"'}
_ESCAPES.update({"'": "'", "?": "?"})
# Where GNU gettext (through Unicode's line breaking rules) may break a line: after spaces, and
# after a hyphen, dash, slash, question or exclamation mark that joins a word to a following
# word ("public-private", "and/or"), but not before a digit ("COVID-19", "2024-05-17").
_CHUNK = re.compile(r"[^ ]*?(?:(?<=[^\W_])-(?=[^\W\d_])|(?<=[^ ])[–/?!](?=[^\W\d_])| +)|[^ ]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # every C0 and C1 control but the tab
# Flags are separated by commas or spaces, as GNU gettext reads them; "range: 0..5" is one flag.
_FLAG = re.compile(r"range:\s+[^\s,]+|[^\s,]+")


def key_of(message: Message) -> Key:
    """Return the key Babel files a message under: its msgid, with its msgctxt if it has one."""
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return msgid if message.context is None else (msgid, message.context)


def fingerprint(message: Message, previous_context: str | None = None) -> Fingerprint:
    """Return everything the writer writes of a message, to tell a changed entry from an unchanged one."""

    def frozen(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return (
        message.context,
        frozen(message.id),
        frozen(message.string),
        frozenset(message.flags),
        tuple(message.locations),
        tuple(message.auto_comments),
        tuple(message.user_comments),
        tuple(message.previous_id),
        previous_context,
    )


@dataclass
class _Kept:
    """An entry as the file wrote it, and what it said."""

    text: str
    fingerprint: Fingerprint


class HeaderState(NamedTuple):
    """What the writer writes of a header: its comment, its fuzzy flag and its fields."""

    comment: str
    fuzzy: bool
    fields: tuple[tuple[str, str], ...]


class PoCatalog(Catalog):
    """A Babel catalog read from a PO file, which remembers how the file wrote each entry."""

    def __init__(self, path: Path | None = None, locale: Locale | str | None = None) -> None:
        super().__init__(locale=locale, fuzzy=False)
        self.path = path
        self.kept: dict[tuple[bool, Key], _Kept] = {}
        self.previous_contexts: dict[tuple[bool, Key], str] = {}
        self.header_text = ""
        self.header_msgstr: str | None = None  # the header entry's msgstr as written; None: no header
        self.header_fields: list[tuple[str, str]] = []
        self.header_lines: dict[str, int] = {}  # the line of each field, for error messages
        self.header_spans: dict[str, tuple[int, int]] = {}  # the lines of the fields that fill whole lines
        self.header_first = 0  # the line of the header entry's first line
        self.header_baseline = HeaderState("", False, ())
        self.tail = ""  # comments after the last entry
        self.ending = "\n"  # what follows the last line: Babel leaves a blank line there
        self.read_status: os.stat_result | None = None  # the file's status when it was read
        self.bom = False  # the file started with a byte order mark: it is written back with one
        # Where each active message's msgstr (msgstr[0]) and its "#," flags line are: a finding
        # about a translation points at the line an editor puts the cursor on.
        self.msgstr_lines: dict[Key, int] = {}
        self.flag_lines: dict[Key, int] = {}

    def header_state(self) -> HeaderState:
        """Return what the writer writes of the header, from Babel's view of it."""
        return HeaderState(self.header_comment, bool(self.fuzzy), tuple(self.mime_headers))

    def string_line(self, message: Message) -> int | None:
        """Return the line of a message's msgstr as read (its msgid's line if it was not read so)."""
        return self.msgstr_lines.get(key_of(message), message.lineno)

    def flag_line(self, message: Message) -> int | None:
        """Return the line of a message's flags (`#,`) as read, or None."""
        return self.flag_lines.get(key_of(message))

    def replace_messages(self, active: Iterable[Message], obsolete: Iterable[Message]) -> None:
        """Replace every message, keeping the header and the text of unchanged entries."""
        self._messages = {key_of(message): message for message in active}
        self.obsolete = {key_of(message): message for message in obsolete}


# -- reading ------------------------------------------------------------------------------------


def read_po_file(path: Path, locale: Locale | str | None = None) -> PoCatalog:
    """Read a PO file strictly; every problem is a `PressgenError` with the path and line.

    A byte order mark (which some editors write) is read past and written back. A file without a
    final newline (which some editors save) is read as it is; if it was saved in the last moments,
    it may be an editor's save in progress, read half-way: it is read again once it has settled.
    """
    data, status = read_regular(path, "catalog", MAX_BYTES)
    if data and not data.endswith(b"\n"):
        data, status = _settled(path, data, status)
    bom = data.startswith(BOM)
    text = decode_text(
        data[len(BOM) :] if bom else data,
        path,
        "invalid PO syntax: control character U+0000 (NUL)",
        "catalog is not valid UTF-8",
    )
    catalog = parse_po(text, path, locale)
    catalog.read_status = status
    catalog.bom = bom
    return catalog


def _settled(path: Path, data: bytes, status: os.stat_result) -> tuple[bytes, os.stat_result]:
    """Read a file again until it has not changed for `SETTLE` seconds (at most that long): an editor
    that saves in place may have written only the first part of it."""
    deadline = time.monotonic() + SETTLE
    while time.time() - status.st_mtime < SETTLE and time.monotonic() < deadline:
        time.sleep(0.1)
        again, now = read_regular(path, "catalog", MAX_BYTES)
        if (now.st_size, now.st_mtime_ns, now.st_ino) != (status.st_size, status.st_mtime_ns, status.st_ino):
            data, status = again, now
            if data.endswith(b"\n"):
                break
    return data, status


@dataclass
class _Field:
    """One keyword of an entry (msgid, msgstr[1] …) with its text and lines."""

    keyword: str
    index: int | None
    line: int
    pieces: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(piece for _, piece in self.pieces)


@dataclass
class _Entry:
    """An entry being read: its comments, previous msgids and keywords."""

    first: int  # index of its first line
    last: int = 0
    obsolete: bool | None = None
    user_comments: list[str] = field(default_factory=list)
    auto_comments: list[str] = field(default_factory=list)
    locations: list[tuple[str, int | None]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    flag_line: int | None = None  # 1-based line of its (first) "#," comment
    previous: list[_Field] = field(default_factory=list)
    fields: list[_Field] = field(default_factory=list)

    def get(self, keyword: str) -> _Field | None:
        return next((f for f in self.fields if f.keyword == keyword), None)

    @property
    def complete(self) -> bool:
        return any(f.keyword == "msgstr" for f in self.fields)

    @property
    def empty(self) -> bool:
        return not self.fields and not self.previous

    @property
    def commented(self) -> bool:
        return bool(self.user_comments or self.auto_comments or self.locations or self.flags)

    def add_comment(self, index: int, stripped: str) -> None:
        """File a comment line (`#.`, `#:`, `#,` or a translator's `#`) under its kind."""
        kind, body = stripped[1:2], stripped[2:].strip()
        if kind == ".":
            self.auto_comments.append(body)
        elif kind == ":":
            self.locations.extend(_location(token) for token in body.split())
        elif kind == ",":
            self.flags.extend(_FLAG.findall(body))
            self.flag_line = self.flag_line or index + 1
        else:
            self.user_comments.append(stripped[1:].strip())
        self.last = index


class _Text:
    """PO text as lines, and its lexical rules: which characters, and how strings are quoted and escaped."""

    def __init__(self, text: str, path: Path | None):
        self.path = path
        self.lines = text.split("\n")
        self.ends_with_newline = text.endswith("\n")
        if self.ends_with_newline:
            self.lines.pop()

    def fail(self, message: str, line: int) -> PressgenError:
        return PressgenError(f"invalid PO syntax: {message}", self.path, line)

    def check_characters(self, line: str, number: int) -> None:
        found = _CONTROL.search(line)
        if found:
            raise self.fail(f"control character {_describe(found.group())}", number)

    def string(self, body: str, number: int) -> str:
        match = _STRING.fullmatch(body)
        if match is None:
            raise self.fail("unterminated or badly escaped string", number)
        return _unescape(match.group(1), lambda message: self.fail(message, number))


class _Reader(_Text):
    """Reads PO text line by line into entries; each problem stops it with its line."""

    def __init__(self, text: str, path: Path | None):
        super().__init__(text, path)
        self.entries: list[_Entry] = []
        self.tail: _Entry | None = None
        self.current = _Entry(first=0)
        self.target: _Field | None = None  # the field the next string continues
        self.target_is_previous = False

    def read(self) -> list[_Entry]:
        for index, raw in enumerate(self.lines):
            self.read_line(index, raw.removesuffix("\r"))
        self.finish(end_of_file=True)
        return self.entries

    def read_line(self, index: int, line: str) -> None:
        number = index + 1
        self.check_characters(line, number)
        stripped = line.strip()
        if not stripped:
            return
        if stripped.startswith("#~|"):
            self.previous(index, stripped[3:], obsolete=True)
        elif stripped.startswith("#~"):
            body = stripped[2:].lstrip()
            if body:
                self.keyword_or_string(index, body, obsolete=True)
        elif stripped.startswith("#|"):
            self.previous(index, stripped[2:], obsolete=False)
        elif stripped.startswith("#"):
            self.comment(index, stripped)
        else:
            self.keyword_or_string(index, stripped, obsolete=False)

    def start_new_if_complete(self, index: int) -> None:
        if self.current.complete:
            self.finish(end_of_file=False)
            self.current = _Entry(first=index)
        elif self.current.empty and not self.current.commented:
            self.current.first = index

    def check_closed(self) -> None:
        """Refuse an entry whose keywords stop before its msgstr."""
        fields = self.current.fields
        if fields and not self.current.complete:
            raise self.fail(f"{fields[0].keyword} without msgstr", fields[0].line)

    def comment(self, index: int, stripped: str) -> None:
        self.check_closed()
        self.start_new_if_complete(index)
        self.target = None
        self.current.add_comment(index, stripped)

    def previous(self, index: int, body: str, obsolete: bool) -> None:
        number = index + 1
        body = body.strip()
        self.check_closed()
        self.start_new_if_complete(index)
        self.set_obsolete(obsolete, number)
        match = _KEYWORD.match(body)
        if match:
            keyword = match.group(1)
            if keyword not in ("msgctxt", "msgid", "msgid_plural") or match.group(2) is not None:
                raise self.fail(f"'{keyword}' in a previous msgid (#|)", number)
            target = _Field(keyword, None, number)
            self.current.previous.append(target)
            self.target, self.target_is_previous = target, True
            body = body[match.end() :]
        elif not body.startswith('"') or self.target is None or not self.target_is_previous:
            raise self.fail("a previous msgid (#|) line that is neither a keyword nor a string", number)
        self.target.pieces.append((number, self.string(body, number)))
        self.current.last = index

    def set_obsolete(self, obsolete: bool, number: int) -> None:
        if self.current.obsolete is None:
            self.current.obsolete = obsolete
        elif self.current.obsolete != obsolete:
            raise self.fail("obsolete (#~) and active lines mixed in one entry", number)

    def keyword_or_string(self, index: int, body: str, obsolete: bool) -> None:
        number = index + 1
        match = _KEYWORD.match(body)
        if match is None:
            if not body.startswith('"'):
                word = body.split()[0][:40]
                raise self.fail(f"unknown keyword '{word}'", number)
            if self.target is None or self.target_is_previous:
                raise self.fail("a string outside of a msgid or msgstr", number)
            if self.current.obsolete != obsolete:
                raise self.fail("obsolete (#~) and active lines mixed in one entry", number)
            self.target.pieces.append((number, self.string(body, number)))
            self.current.last = index
            return
        keyword, index_text = match.group(1), match.group(2)
        if keyword in ("msgctxt", "msgid"):
            self.start_new_if_complete(index)
        entry = self.current
        problem = _misplaced(entry.fields, keyword, index_text, number)
        if problem is not None:
            raise self.fail(*problem)
        self.set_obsolete(obsolete, number)
        target = _Field(keyword, int(index_text) if index_text is not None else None, number)
        entry.fields.append(target)
        self.target, self.target_is_previous = target, False
        target.pieces.append((number, self.string(body[match.end() :], number)))
        entry.last = index

    def finish(self, end_of_file: bool) -> None:
        self.check_closed()
        entry = self.current
        if entry.previous and not entry.fields:
            raise self.fail("a previous msgid (#|) without a message", entry.previous[0].line)
        if entry.complete:
            self.entries.append(entry)
        elif end_of_file and entry.commented:
            self.tail = entry


def _misplaced(fields: list[_Field], keyword: str, index_text: str | None, number: int) -> tuple[str, int] | None:
    """Return what is wrong with `keyword` (on line `number`) after an entry's `fields`, and the line
    to point at; None if it may come there: [msgctxt] msgid [msgid_plural] msgstr or msgstr[0] …"""
    have = [f.keyword for f in fields]
    if keyword == "msgctxt" and have:
        return f"{have[0]} without msgstr", fields[0].line
    if keyword == "msgid" and "msgid" in have:
        return "msgid without msgstr", fields[have.index("msgid")].line
    if keyword in ("msgid_plural", "msgstr") and "msgid" not in have:
        return f"{keyword} without msgid", number
    if keyword == "msgid_plural" and ("msgid_plural" in have or "msgstr" in have):
        return "msgid_plural after msgstr", number
    if keyword != "msgstr":
        return None if index_text is None else (f"'{keyword}[{index_text}]' is not a keyword", number)
    plural = "msgid_plural" in have
    strings = have.count("msgstr")
    if plural and index_text is None:
        return "a message with msgid_plural needs msgstr[0], msgstr[1] …", number
    if not plural and index_text is not None:
        return f"msgstr[{index_text}] without msgid_plural", number
    if not plural and strings:
        return "a second msgstr for one msgid", number
    if plural and int(index_text or 0) != strings:
        return f"msgstr[{index_text}] where msgstr[{strings}] was expected", number
    return None


def _describe(char: str) -> str:
    names = {"\0": "NUL", "\v": "vertical tab", "\f": "form feed", "\r": "carriage return", "\x1b": "escape"}
    name = names.get(char) or unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _unescape(text: str, fail: Callable[[str], PressgenError]) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        simple, octal, hexa, other = match.groups()
        if other is not None:
            raise fail(f"unknown escape sequence '\\{other}'")
        char = _ESCAPES[simple] if simple else chr(int(octal, 8) if octal else int(hexa, 16))
        if char not in "\n\t" and (char < " " or "\x7f" <= char <= "\x9f"):
            raise fail(f"control character {_describe(char)}")
        return char

    return _ESCAPE.sub(replace, text)


def _location(token: str) -> tuple[str, int | None]:
    filename, _, line = token.rpartition(":")
    if filename and line.isdigit():
        return filename, int(line)
    return token, None


def parse_po(text: str, path: Path | None = None, locale: Locale | str | None = None) -> PoCatalog:
    """Parse PO text into a catalog that remembers the text of each entry."""
    reader = _Reader(text, path)
    entries = reader.read()
    lines = reader.lines
    catalog = PoCatalog(path, locale)
    header = next((e for e in entries if not e.obsolete and e.get("msgctxt") is None and not _value(e, "msgid")), None)
    seen: dict[tuple[bool, Key], int] = {}
    if header is None:
        catalog.header_comment = ""  # not Babel's template comment
    else:
        seen[(False, "")] = header.get("msgid").line  # type: ignore[union-attr]
    for entry in entries:
        msgid = entry.get("msgid")
        assert msgid is not None  # the reader keeps only complete entries
        if entry is header:
            _read_header(catalog, entry, lines)
            continue
        message = _message(entry)
        key = (bool(entry.obsolete), key_of(message))
        if key in seen:
            raise PressgenError(f"duplicate message (first at line {seen[key]})", path, msgid.line)
        seen[key] = msgid.line
        if entry.obsolete:
            catalog.obsolete[key[1]] = message
        else:
            catalog[message.id] = message
            catalog.msgstr_lines[key[1]] = next(f.line for f in entry.fields if f.keyword == "msgstr")
            if entry.flag_line is not None:
                catalog.flag_lines[key[1]] = entry.flag_line
        previous_context = next((f.text for f in entry.previous if f.keyword == "msgctxt"), None)
        if previous_context is not None:
            catalog.previous_contexts[key] = previous_context
        catalog.kept[key] = _Kept(_text(lines, entry), fingerprint(message, previous_context))
    if reader.tail is not None:
        catalog.tail = _text(lines, reader.tail)
    last = max((e.last for e in [*entries, *([reader.tail] if reader.tail else [])]), default=-1)
    catalog.ending = "\n" * max(1, len(lines) - last - 1 + reader.ends_with_newline)
    catalog.header_baseline = catalog.header_state()
    return catalog


def _value(entry: _Entry, keyword: str) -> str | None:
    found = entry.get(keyword)
    return found.text if found is not None else None


def _text(lines: list[str], entry: _Entry) -> str:
    return "\n".join(lines[entry.first : entry.last + 1])


def _message(entry: _Entry) -> Message:
    msgid, plural = _value(entry, "msgid") or "", _value(entry, "msgid_plural")
    strings = [f.text for f in entry.fields if f.keyword == "msgstr"]
    previous = {f.keyword: f.text for f in entry.previous}
    previous_id = [previous[k] for k in ("msgid", "msgid_plural") if k in previous]
    message = Message(
        (msgid, plural) if plural is not None else msgid,
        tuple(strings) if plural is not None else strings[0],
        locations=entry.locations,  # type: ignore[arg-type]  # Babel allows a location without a line
        auto_comments=entry.auto_comments,
        user_comments=entry.user_comments,
        previous_id=previous_id,
        lineno=entry.get("msgid").line,  # type: ignore[union-attr]
        context=_value(entry, "msgctxt"),
    )
    # Babel guesses python-format flags from the text ("3.5 % in" looks like "% i"); the file decides.
    message.flags = set(entry.flags)
    return message


def _read_header(catalog: PoCatalog, entry: _Entry, lines: list[str]) -> None:
    msgstr = next(f for f in entry.fields if f.keyword == "msgstr")
    catalog.header_msgstr = msgstr.text
    # Where each piece of the header's msgstr starts, to find the line of each field, and the
    # fields that fill whole lines, which the writer can replace without touching the others.
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    offset = 0
    for number, piece in msgstr.pieces:
        starts[offset] = number
        offset += len(piece)
        ends[offset] = number
    position = 0
    for line in msgstr.text.split("\n"):
        name, colon, value = line.partition(":")
        end = position + len(line) + 1
        if colon and name.strip():
            name = name.strip()
            catalog.header_fields.append((name, value.strip()))
            catalog.header_lines.setdefault(name, max(n for start, n in starts.items() if start <= position))
            if position in starts and end in ends and starts[position] != msgstr.line:
                catalog.header_spans[name] = (starts[position], ends[end])
        position = end
    charset = dict((k.lower(), v) for k, v in catalog.header_fields).get("content-type", "")
    declared = charset.partition("charset=")[2].split(";")[0].strip().lower()
    if declared and declared not in CHARSETS:
        raise PressgenError(
            f"catalog declares charset {declared}; pressgen reads UTF-8 catalogs only (save it as UTF-8)",
            catalog.path,
            catalog.header_lines.get("Content-Type"),
        )
    locale = catalog.locale
    try:
        catalog.mime_headers = catalog.header_fields
    except ValueError:
        # Babel cannot read a Plural-Forms whose nplurals is no number: leave it to msgfmt's rules
        # (`pressgen check` reports it) and to the writer, which keeps the field as written.
        catalog.mime_headers = [(k, v) for k, v in catalog.header_fields if k.lower() != "plural-forms"]
    if locale is not None and catalog.locale is None:
        catalog.locale = locale  # an unknown Language value: the caller reports it
    catalog.header_comment = "\n".join(lines[i].rstrip("\r") for i in _comment_lines(entry, lines))
    catalog.fuzzy = "fuzzy" in entry.flags
    catalog.header_text = _text(lines, entry)
    catalog.header_first = entry.first + 1


def _comment_lines(entry: _Entry, lines: list[str]) -> Iterator[int]:
    for index in range(entry.first, entry.last + 1):
        stripped = lines[index].strip()
        if stripped.startswith("#") and not stripped.startswith(("#,", "#.", "#:", "#|", "#~")):
            yield index


# -- writing ------------------------------------------------------------------------------------


def write_po_file(path: Path, catalog: Catalog) -> None:
    """Write a catalog to a PO file atomically (through a temporary file and a rename)."""
    write_atomic(path, serialise(catalog))


def serialise(catalog: Catalog) -> bytes:
    """Return the PO text of a catalog: unchanged entries as they were read, the rest as msgmerge writes them."""
    kept = catalog if isinstance(catalog, PoCatalog) else None
    parts = [_header(catalog, kept)]
    for obsolete, messages in ((False, (m for m in catalog if m.id)), (True, catalog.obsolete.values())):
        for message in messages:
            key = (obsolete, key_of(message))
            previous_context = kept.previous_contexts.get(key) if kept else None
            old = kept.kept.get(key) if kept else None
            if old is not None and old.fingerprint == fingerprint(message, previous_context):
                parts.append(old.text)
            else:
                parts.append("\n".join(entry_lines(message, obsolete, previous_context)))
    if kept is not None and kept.tail:
        parts.append(kept.tail)
    text = ("\n\n".join(part for part in parts if part) + (kept.ending if kept else "\n")).encode("utf-8")
    return BOM + text if kept is not None and kept.bom else text


def _header(catalog: Catalog, kept: PoCatalog | None) -> str:
    if kept is not None and kept.header_text:
        state = kept.header_state()
        if state == kept.header_baseline:
            return kept.header_text
        if state[:2] == kept.header_baseline[:2]:
            edited = _edit_header(kept, dict(state.fields))
            if edited is not None:
                return edited
    fields = list(catalog.mime_headers)
    if kept is not None and kept.header_text:
        # Keep the file's fields, foreign ones (X-Generator, Language-Team …) included, in their order.
        changed = _changed_fields(kept, dict(fields))
        fields = [(name, changed.pop(name, value)) for name, value in kept.header_fields] + list(changed.items())
    lines = [line.rstrip() for line in catalog.header_comment.split("\n") if line.strip()]
    if catalog.fuzzy:
        lines.append("#, fuzzy")
    lines.append('msgid ""')
    text = "".join(f"{name}: {str(value).strip()}\n" for name, value in fields)
    lines.extend(string_lines("msgstr", text))
    return "\n".join(lines)


def _changed_fields(kept: PoCatalog, now: dict[str, str]) -> dict[str, str]:
    """Return the header fields whose value Babel's view of the header changed since it was read."""
    old = dict(kept.header_baseline.fields)
    return {name: str(value).strip() for name, value in now.items() if old.get(name) != value}


def _edit_header(kept: PoCatalog, now: dict[str, str]) -> str | None:
    """Return the header as read with only its changed fields replaced, or None if they span lines."""
    changed = _changed_fields(kept, now)
    lines = kept.header_text.split("\n")
    replacements: list[tuple[int, int, list[str]]] = []
    for name, value in changed.items():
        present = any(field == name for field, _ in kept.header_fields)
        if present and name not in kept.header_spans:
            return None
        if present:
            first, last = kept.header_spans[name]
            at, to = first - kept.header_first, last - kept.header_first + 1
        else:
            at = to = len(lines)
        replacements.append((at, to, continuation_lines(f"{name}: {value}\n")))
    for at, to, new in sorted(replacements, key=lambda r: r[0], reverse=True):
        lines[at:to] = new
    return "\n".join(lines)


def entry_lines(message: Message, obsolete: bool = False, previous_context: str | None = None) -> list[str]:
    """Return the lines of one entry as GNU msgmerge writes them (obsolete ones behind `#~`)."""
    lines = [f"#{' ' if comment else ''}{comment}" for text in message.user_comments for comment in text.split("\n")]
    if not obsolete:
        lines += [f"#. {comment}".rstrip() for text in message.auto_comments for comment in text.split("\n")]
        places = [f"{name}:{line}" if line else name for name, line in message.locations]
        lines += _wrap_words("#: ", places)
    flags = sorted(message.flags, key=lambda flag: (flag != "fuzzy", flag))
    if flags:
        lines.append("#, " + ", ".join(flags))
    mark = "#~| " if obsolete else "#| "
    if message.previous_id and previous_context is not None:
        lines += string_lines("msgctxt", previous_context, mark)
    for keyword, previous in zip(("msgid", "msgid_plural"), message.previous_id, strict=False):
        lines += string_lines(keyword, previous, mark)
    prefix = "#~ " if obsolete else ""
    if message.context is not None:
        lines += string_lines("msgctxt", message.context, prefix)
    if isinstance(message.id, (list, tuple)):
        lines += string_lines("msgid", message.id[0], prefix)
        lines += string_lines("msgid_plural", message.id[1], prefix)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for number, string in enumerate(strings):
            lines += string_lines(f"msgstr[{number}]", string or "", prefix)
    else:
        lines += string_lines("msgid", message.id, prefix)
        lines += string_lines("msgstr", str(message.string or ""), prefix)
    return lines


def _wrap_words(prefix: str, words: list[str]) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(prefix) + len(current) + 1 + len(word) > WIDTH:
            lines.append(prefix + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(prefix + current)
    return lines


def escape(text: str) -> str:
    """Return `text` as the inside of a PO string; a control character cannot be written."""
    found = _CONTROL.search(text.replace("\n", " "))
    if found:
        raise PressgenError(f"cannot write control character {_describe(found.group())} to a catalog")
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def string_lines(keyword: str, text: str, prefix: str = "") -> list[str]:
    """Return `keyword "text"` as GNU gettext wraps it: after spaces, after each newline, at 79 columns."""
    escaped = escape(text)
    single = f'{prefix}{keyword} "{escaped}"'
    inner_newline = "\n" in text[:-1]
    if not inner_newline and len(single) <= WIDTH:
        return [single]
    return [f'{prefix}{keyword} ""', *continuation_lines(text, prefix)]


def continuation_lines(text: str, prefix: str = "") -> list[str]:
    """Return the quoted lines of a wrapped string: broken after each newline and after spaces."""
    lines: list[str] = []
    room = WIDTH - len(prefix) - 2
    for piece in re.split(r"(?<=\n)(?=.)", text, flags=re.DOTALL):
        current: list[str] = []
        length = 0
        for chunk in _CHUNK.findall(escape(piece)):
            if current and length + len(chunk) > room:
                lines.append(f'{prefix}"{"".join(current)}"')
                current, length = [], 0
            current.append(chunk)
            length += len(chunk)
        if current:
            lines.append(f'{prefix}"{"".join(current)}"')
    return lines
