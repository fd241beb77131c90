"""The publication record: what the organisation published, in which languages, when, and every update.

`published/<slug>/record.toml` is written by `pressgen publish` and `pressgen withdraw` and
committed with the sources, so that a fresh clone publishes exactly the same site. Beside it,
one folder per published language holds that version's texts as they were published (see
`publishing.py`); the public build renders those, never the current sources.

```toml
[en]                                        # the source language version
published = 2024-05-17T00:00:00+02:00       # first publication
text = "sha256:…"                           # digest of the texts as published

[[en.updates]]                              # each republication, oldest first
at = 2026-11-28T10:00:00+01:00
note = "Corrected the minister's title."   # absent for a minor correction

[nl]                                        # a translation
published = 2024-05-17T00:00:00+02:00
text = "sha256:…"
source = "sha256:…"                         # the source version it translates: lags if not en's text

[withdrawn]
at = 2026-12-01T09:00:00+01:00
reason = "Published in error."
```
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pressgen.config import Config
from pressgen.errors import PressgenError, Problems
from pressgen.files import read_regular, write_atomic

RECORD_DIR = "published"
RECORD_NAME = "record.toml"
MAX_RECORD_BYTES = 2_000_000
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
VERSION_KEYS = ("published", "text", "source", "updates")
UPDATE_KEYS = ("at", "note")
WITHDRAWN_KEYS = ("at", "reason")


@dataclass(frozen=True)
class Update:
    """One republication of a language version, with its change note (None: a minor correction)."""

    at: dt.datetime
    note: str | None = None
    line: int | None = None  # where the note is in record.toml


@dataclass(frozen=True)
class VersionRecord:
    """What is recorded of one language version of a release."""

    lang: str
    published: dt.datetime
    text: str  # digest of its texts as published
    source: str | None = None  # translations: the digest of the source version they translate
    updates: tuple[Update, ...] = ()
    line: int | None = None

    @property
    def changed(self) -> dt.datetime:
        """Return when this version last changed: its last update, else its first publication."""
        return self.updates[-1].at if self.updates else self.published


@dataclass(frozen=True)
class Withdrawal:
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class ReleaseRecord:
    """The publication record of one release."""

    slug: str
    path: Path
    versions: dict[str, VersionRecord] = field(default_factory=dict)
    withdrawn: Withdrawal | None = None

    def version(self, lang: str) -> VersionRecord | None:
        return self.versions.get(lang)

    def lags(self, lang: str, source_lang: str) -> bool:
        """Tell whether a recorded translation translates an earlier source version than the recorded one."""
        version, source = self.versions.get(lang), self.versions.get(source_lang)
        return version is not None and source is not None and lang != source_lang and version.source != source.text

    def with_version(self, version: VersionRecord) -> ReleaseRecord:
        return replace(self, versions={**self.versions, version.lang: version})


def record_dir(config: Config, slug: str) -> Path:
    return config.root / RECORD_DIR / slug


def record_path(config: Config, slug: str) -> Path:
    return record_dir(config, slug) / RECORD_NAME


def recorded_slugs(config: Config) -> list[str]:
    """Return the slugs of every release with a publication record, sorted."""
    folder = config.root / RECORD_DIR
    if not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir() if (path / RECORD_NAME).exists())


def read_record(config: Config, slug: str) -> ReleaseRecord | None:
    """Read the publication record of a release; None if it was never published."""
    path = record_path(config, slug)
    if not path.exists():
        return None
    raw = read_regular(path, "publication record", MAX_RECORD_BYTES).data
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise PressgenError(
            "the publication record is not UTF-8 text", path, raw[: exc.start].count(b"\n") + 1
        ) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise PressgenError(f"invalid TOML: {str(exc).split(' (at ')[0]}", path, line) from None
    return _validate(slug, path, text, data, config)


def _validate(slug: str, path: Path, text: str, data: dict[str, Any], config: Config) -> ReleaseRecord:
    problems = Problems()
    lines = _Lines(text)
    versions: dict[str, VersionRecord] = {}
    withdrawn = None
    for key, value in data.items():
        if key == "withdrawn":
            withdrawn = _withdrawal(value, path, lines, problems)
        elif key not in config.codes:
            problems.error(
                f"'{key}' is not one of the configured languages {list(config.codes)}", path, lines.table(key)
            )
        elif not isinstance(value, dict):
            problems.error(f"'{key}' must be a table ([{key}])", path, lines.key(None, key))
        else:
            version = _version(key, value, path, lines, problems)
            if version is not None:
                versions[key] = version
    if not versions and withdrawn is None:
        problems.error("the record names no published language version", path, 1)
    problems.raise_if_any()
    return ReleaseRecord(slug, path, versions, withdrawn)


def _version(lang: str, table: dict[str, Any], path: Path, lines: _Lines, problems: Problems) -> VersionRecord | None:
    line = lines.table(lang)
    for key in table:
        if key not in VERSION_KEYS:
            problems.error(f"unknown key '{key}' in [{lang}]", path, lines.key(lang, key))
    published = _moment(table.get("published"), f"{lang}.published", path, lines.key(lang, "published"), problems)
    text = table.get("text")
    if not isinstance(text, str) or not DIGEST.fullmatch(text):
        problems.error(f'{lang}.text must be a digest such as "sha256:…"', path, lines.key(lang, "text") or line)
    source = table.get("source")
    if source is not None and (not isinstance(source, str) or not DIGEST.fullmatch(source)):
        problems.error(f'{lang}.source must be a digest such as "sha256:…"', path, lines.key(lang, "source"))
        source = None
    updates: list[Update] = []
    raw_updates = table.get("updates", [])
    if not isinstance(raw_updates, list):
        problems.error(f"{lang}.updates must be an array of tables ([[{lang}.updates]])", path, line)
        raw_updates = []
    for number, entry in enumerate(raw_updates):
        where = lines.array_entry(f"{lang}.updates", number)
        if not isinstance(entry, dict):
            problems.error(f"{lang}.updates[{number}] must be a table", path, where)
            continue
        for key in entry:
            if key not in UPDATE_KEYS:
                problems.error(f"unknown key '{key}' in [[{lang}.updates]]", path, where)
        at = _moment(entry.get("at"), f"{lang}.updates[{number}].at", path, where, problems)
        note = entry.get("note")
        if note is not None and (not isinstance(note, str) or not note.strip()):
            problems.error(f"{lang}.updates[{number}].note must be text", path, where)
            note = None
        if at is not None:
            updates.append(Update(at, note, lines.key_after(where, "note") if note else None))
    if published is None or not isinstance(text, str) or not DIGEST.fullmatch(text):
        return None
    if any(b.at < a.at for a, b in itertools.pairwise(updates)) or (updates and updates[0].at < published):
        problems.error(f"the updates of [{lang}] are not in the order of time, after its first publication", path, line)
    return VersionRecord(lang, published, text, source, tuple(updates), line)


def _withdrawal(value: Any, path: Path, lines: _Lines, problems: Problems) -> Withdrawal | None:
    line = lines.table("withdrawn")
    if not isinstance(value, dict):
        problems.error("'withdrawn' must be a table ([withdrawn])", path, line)
        return None
    for key in value:
        if key not in WITHDRAWN_KEYS:
            problems.error(f"unknown key '{key}' in [withdrawn]", path, lines.key("withdrawn", key))
    at = _moment(value.get("at"), "withdrawn.at", path, lines.key("withdrawn", "at") or line, problems)
    reason = value.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        problems.error("withdrawn.reason must be text", path, lines.key("withdrawn", "reason") or line)
        return None
    return Withdrawal(at, reason) if at is not None else None


def _moment(value: Any, name: str, path: Path, line: int | None, problems: Problems) -> dt.datetime | None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        problems.error(
            f"{name} must be a date and time with its UTC offset, such as 2024-05-17T09:00:00+02:00", path, line
        )
        return None
    return value


class _Lines:
    """Find the line of a table or key in a TOML text (tomllib gives values, not positions)."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def table(self, name: str) -> int | None:
        header = re.compile(rf"\s*\[\s*{re.escape(name)}\s*\]\s*(#.*)?$")
        return next((n for n, line in enumerate(self.lines, 1) if header.match(line)), None)

    def array_entry(self, name: str, index: int) -> int | None:
        header = re.compile(rf"\s*\[\[\s*{re.escape(name)}\s*\]\]\s*(#.*)?$")
        found = [n for n, line in enumerate(self.lines, 1) if header.match(line)]
        return found[index] if index < len(found) else None

    def key(self, table: str | None, key: str) -> int | None:
        start = self.table(table) if table is not None else 0
        return self.key_after(start, key) if start is not None else None

    def key_after(self, start: int | None, key: str) -> int | None:
        if start is None:
            return None
        pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
        for number in range(start + 1 if start else 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if line.lstrip().startswith("["):
                return None
            if pattern.match(line):
                return number
        return None


def write_record(config: Config, record: ReleaseRecord, source_lang: str) -> None:
    """Write a release's record.toml: plain TOML that reads well in a diff, the source language first."""
    path = record_path(config, record.slug)
    out = [
        f"# Publication record of releases/{record.slug}/release.md",
        "# Written by `pressgen publish` and `pressgen withdraw`: which language versions are public,",
        "# since when, and every update. Commit it with the sources. Each version's texts, as published,",
        "# are in the folder of its language code beside this file: `pressgen build` publishes those.",
    ]
    order = sorted(record.versions, key=lambda lang: (lang != source_lang, config.codes.index(lang)))
    for lang in order:
        version = record.versions[lang]
        out += [
            "",
            f"[{lang}]",
            f"published = {_toml_moment(version.published)}",
            f"text = {_toml_string(version.text)}",
        ]
        if version.source is not None:
            out.append(f"source = {_toml_string(version.source)}")
        for update in version.updates:
            out += ["", f"[[{lang}.updates]]", f"at = {_toml_moment(update.at)}"]
            if update.note:
                out.append(f"note = {_toml_string(update.note)}")
    if record.withdrawn is not None:
        out += [
            "",
            "[withdrawn]",
            f"at = {_toml_moment(record.withdrawn.at)}",
            f"reason = {_toml_string(record.withdrawn.reason)}",
        ]
    write_atomic(path, ("\n".join(out) + "\n").encode("utf-8"))


def _toml_moment(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string, but for \/ (never written) and control characters (escaped).
    return json.dumps(text, ensure_ascii=False)
