"""Subscribers: the CSV a spreadsheet or a CRM exports, read strictly, one row at a time.

`email,name,language,lists` (in any order, other columns ignored; lists separated by `;`), as
UTF-8 with or without a byte order mark, separated by commas, semicolons (a Dutch or Romanian
spreadsheet's CSV) or tabs. Every bad row is a `path:line: error:`: an address that is not one
(checked by email-validator, without asking DNS), an unknown language or list, a duplicate, a
control character (a line break in a name would be a forged header), a cell longer than
`MAX_CELL` characters. A cell that starts like a spreadsheet formula (`=HYPERLINK(…)`) is only
text here: a name is encoded in the `To` header like any other, and pressgen never writes a
subscriber into a spreadsheet.

The file is read as a stream (a row at a time; a line longer than `MAX_LINE` bytes is skipped
without being held), so that memory does not grow with the list; only the addresses seen are
kept, to find duplicates.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pressgen.config import Config, MailConfig
from pressgen.errors import PressgenError, Problems, did_you_mean

MAX_CELL = 1000  # characters: an address has at most 254, a name far fewer
MAX_LINE = 64 * 1024  # bytes of one line of the file
COLUMNS = {"email": "email", "e-mail": "email", "name": "name", "language": "language", "lang": "language"}
COLUMNS |= {"lists": "lists", "list": "lists"}
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Subscriber:
    """One valid row of the subscriber list."""

    address: str  # as mail is sent to it: normalised (lower-case domain, an international domain in ASCII)
    key: str  # who it is, whatever the case of its letters: one delivery per key
    name: str
    lang: str  # a configured language code
    lists: frozenset[str]
    line: int


def read_subscribers(config: Config, mail: MailConfig) -> Iterator[Subscriber]:
    """Yield every valid subscriber of the list file; at the end, raise every bad row's error together."""
    path = mail.subscribers
    problems = Problems()
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise PressgenError(
            "no subscriber list here: export one as CSV with the columns email,name,language,lists", path
        ) from None
    except OSError as exc:
        raise PressgenError(f"cannot read the subscriber list: {exc.strerror}", path) from None
    with handle:
        lines = _lines(handle, path, problems)
        header = next(lines, None)
        if header is None:
            raise PressgenError("the subscriber list is empty: its first line names the columns", path, 1)
        columns, delimiter = _columns(header, path)
        reader = csv.reader(_chain(header, lines), delimiter=delimiter)
        next(reader)
        seen: dict[str, int] = {}
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.error(_csv_problem(str(exc)), path, line)
                continue
            if not any(cell.strip() for cell in row):
                continue
            subscriber = _subscriber(row, columns, line, config, mail, problems, path)
            if subscriber is None:
                continue
            first = seen.setdefault(subscriber.key, line)
            if first != line:
                problems.error(f"'{subscriber.address}' is listed twice: also on line {first}", path, line)
                continue
            yield subscriber
    problems.raise_if_any()


def _lines(handle: BinaryIO, path: Path, problems: Problems) -> Iterator[str]:
    """Yield the file's lines as text; a line that is too long or not UTF-8 is reported and given as empty."""
    number = 0
    while True:
        data = handle.readline(MAX_LINE + 1)
        if not data:
            return
        number += 1
        if len(data) > MAX_LINE and not data.endswith(b"\n"):
            while data and not data.endswith(b"\n"):  # the rest of the line, never held whole
                data = handle.readline(MAX_LINE)
            problems.error(
                f"the line is longer than {MAX_LINE // 1024} KB: a cell has at most {MAX_CELL} characters", path, number
            )
            yield "\n"
            continue
        try:
            yield data.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problems.error(f"not UTF-8 text (byte {data[exc.start]:#04x}): export the list as UTF-8 CSV", path, number)
            yield "\n"


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _columns(header: str, path: Path) -> tuple[dict[str, int], str]:
    """Return where each known column is, and the delimiter that the first line uses."""
    for delimiter in DELIMITERS:
        names = [cell.strip().lower() for cell in next(csv.reader([header], delimiter=delimiter))]
        if "email" in names or "e-mail" in names:
            break
    else:
        raise PressgenError(
            "the first line must name the columns: email,name,language,lists (a comma, semicolon or tab between)",
            path,
            1,
        )
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in COLUMNS:
            columns.setdefault(COLUMNS[name], index)
    if "lists" not in columns:
        raise PressgenError("the first line has no column 'lists' (the lists of each subscriber, with ;)", path, 1)
    return columns, delimiter


def _csv_problem(message: str) -> str:
    if "field larger than field limit" in message:
        return f"a cell is longer than {MAX_CELL} characters"
    return f"not a CSV row: {message}"


def _subscriber(
    row: list[str],
    columns: dict[str, int],
    line: int,
    config: Config,
    mail: MailConfig,
    problems: Problems,
    path: Path,
) -> Subscriber | None:
    """Return the subscriber of one row, or None after reporting what is wrong with it."""
    import email_validator  # loaded only by the commands that read addresses

    cells = {column: (row[index].strip() if index < len(row) else "") for column, index in columns.items()}
    before = len(problems.items)
    for column, value in cells.items():
        if len(value) > MAX_CELL:
            problems.error(
                f"the {column} cell is {len(value)} characters long; a cell has at most {MAX_CELL}", path, line
            )
        elif any(unicodedata.category(c) == "Cc" for c in value):
            what = "a line break" if "\n" in value or "\r" in value else "a control character"
            problems.error(f"the {column} cell holds {what}, which no {column} has (a forged header?)", path, line)
    if len(problems.items) > before:
        return None
    given = cells["email"]
    address = ""
    if not given:
        problems.error("no e-mail address", path, line)
    else:
        try:
            valid = email_validator.validate_email(given, check_deliverability=False)
        except email_validator.EmailNotValidError as exc:
            problems.error(f"'{given}' is not an e-mail address: {exc}", path, line)
        else:
            if valid.ascii_email is None:
                problems.error(
                    f"'{given}' has letters outside ASCII before the @, which needs SMTPUTF8: pressgen does not "
                    "send to such addresses",
                    path,
                    line,
                )
            else:
                address = valid.ascii_email
    lang = _language(cells.get("language", ""), config, line, path, problems)
    lists = frozenset(name.strip() for name in cells["lists"].split(";") if name.strip())
    names = [entry.name for entry in mail.lists]
    for name in sorted(lists - set(names)):
        problems.error(
            f"unknown list '{name}'{did_you_mean(name, names)}: the lists are {', '.join(names)}", path, line
        )
    if len(problems.items) > before or lang is None:
        return None
    return Subscriber(address, address.casefold(), cells.get("name", ""), lang, lists, line)


def _language(value: str, config: Config, line: int, path: Path, problems: Problems) -> str | None:
    """Return the configured language a cell names (its code or locale, any case); empty: the source language."""
    if not value:
        return config.source_language
    wanted = value.replace("-", "_").lower()
    for language in config.languages:
        if wanted in (language.code.lower(), language.locale_id.lower()):
            return language.code
    codes = list(config.codes)
    problems.error(
        f"unknown language '{value}'{did_you_mean(value, codes)}: the languages are {', '.join(codes)}", path, line
    )
    return None
