"""What `status` and `check` decide of each release, kept by the digests of everything they read.

Both commands decide every version of the archive: its counts, its reasons, its check findings,
whether it is public. Reading a release, its record and its catalogs is nearly all of their time
(12 s at N = 1000 with every check finding kept, issue 25). A release's verdict depends on its
own files alone, and on what every release shares:

- its folder (`releases/SLUG/`), its record and published copies (`published/SLUG/`) and its
  catalogs in every language;
- the interface catalogs and the templates (the interface's reasons are every translation's);
- the configuration, word lists, glossaries, dictionaries and pressgen's code
  (`FindingsMemo.shared`);
- the side of `now` on which each moment it compares with lies (its embargo, each version's
  publication).

The digests are those of the build's scan (`cache.Sources`): a file is read again only when its
status changed. A release whose key is unchanged is not read at all; the others are read and
decided as before, and their verdicts kept. A release that cannot be read is decided every time.
The memo is one sealed cache file, `verdicts.json`; a foreign, torn or stale one counts as empty,
and a failure to write it is no failure of the command.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressgen.cache import Sources, code_version, digest_of, read_json, write_json
from pressgen.catalogs import interface_catalog_path, release_catalog_path
from pressgen.checks import check_sources
from pressgen.config import Config
from pressgen.errors import Diagnostic, PressgenError, Problems
from pressgen.files import real_dir
from pressgen.findings import FindingsMemo, from_data
from pressgen.overview import ReleaseRows, Texts, assemble, release_rows
from pressgen.record import record_dir
from pressgen.releases import read_releases, release_folders
from pressgen.status import Counts, Version, assess, unreadable

NAME = "verdicts.json"


@dataclass(frozen=True)
class Verdict:
    """What the commands decided of one release: its status rows and its findings."""

    rows: ReleaseRows
    sources: tuple[Diagnostic, ...]  # the checks of the release's own text (`checks.check_sources`)
    findings: tuple[Diagnostic, ...]  # its catalogs' (`status.assess`)

    def as_data(self, key: str, now: dt.datetime) -> dict[str, Any]:
        moments = self.rows.moments
        return {
            "key": key,
            "moments": [m.isoformat() for m in moments],
            "sides": [m <= now for m in moments],
            "rows": self.rows.rows,
            "lifting": self.rows.lifting.isoformat() if self.rows.lifting else None,
            "sources": [f.as_data() for f in self.sources],
            "findings": [f.as_data() for f in self.findings],
        }

    @classmethod
    def from_data(cls, slug: str, data: Any, key: str, now: dt.datetime) -> Verdict | None:
        """Return the verdict kept in `data`, if it was made of the same inputs and holds at `now`."""
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        try:
            moments = tuple(dt.datetime.fromisoformat(m) for m in data["moments"])
            if [m <= now for m in moments] != data["sides"]:
                return None  # an embargo lifted, a version became public: decided again
            lifting = dt.datetime.fromisoformat(data["lifting"]) if data["lifting"] else None
            rows = ReleaseRows(slug, list(data["rows"]), lifting, moments)
            return cls(rows, tuple(map(from_data, data["sources"])), tuple(map(from_data, data["findings"])))
        except (KeyError, TypeError, ValueError):  # another shape: decided again
            return None


@dataclass
class Overview:
    """What `status` shows and `check` prints, for every release of the project."""

    status: dict[str, Any]  # `overview.assemble`'s rows, totals, interface counts and next change
    sources: list[Diagnostic]  # the checks of the releases' own texts, release by release
    findings: list[Diagnostic]  # the catalogs': the interface's first, then each version's
    problems: list[Diagnostic]  # the releases that cannot be read
    slugs: list[str] = field(default_factory=list)  # the releases that could be read

    def unreadable(self) -> list[Diagnostic]:
        """Return the problems of the files that cannot be read, each once (`status.unreadable`)."""
        return unreadable(self.findings)


def overview(config: Config, now: dt.datetime) -> Overview:
    """Decide every release of the project at `now`, reading only those whose inputs changed."""
    memo = _Memo(config)
    keys = {folder.name: memo.release_key(folder.name) for folder in release_folders(config)}
    verdicts: dict[str, Verdict] = {}
    for slug, key in keys.items():
        kept = Verdict.from_data(slug, memo.entries.get(slug), key, now) if key is not None else None
        if kept is not None:
            verdicts[slug] = kept
    interface = memo.interface()
    problems = Problems()
    fresh = [slug for slug in keys if slug not in verdicts]
    if fresh or interface is None:
        interface = _decide_and_keep(memo, {slug: keys[slug] for slug in fresh}, now, problems, verdicts)
    memo.save(set(keys))
    ordered = [verdicts[slug] for slug in keys if slug in verdicts]
    counts, interface_findings = interface
    return Overview(
        assemble(config, [v.rows for v in ordered], counts, now),
        [f for v in ordered for f in v.sources],
        interface_findings + [f for v in ordered for f in v.findings],
        problems.items,
        [v.rows.slug for v in ordered],
    )


def keep_verdicts(config: Config, slugs: list[str], now: dt.datetime) -> None:
    """Decide the releases `slugs` again and keep their verdicts, the others' as they are kept.

    `publish` of several releases does this once their records are written, so that the next
    `status` or `check` reads none of them again: after an archive is published, the first
    `status` is as quick as the next.
    """
    try:
        memo = _Memo(config)
        _decide_and_keep(memo, {slug: memo.release_key(slug) for slug in slugs}, now, Problems(), {})
        memo.save({folder.name for folder in release_folders(config)})
    except PressgenError:  # what cannot be read now is the next command's to say
        return


_Interface = tuple[dict[str, Counts], list[Diagnostic]]


def _decide_and_keep(
    memo: _Memo, keys: dict[str, str | None], now: dt.datetime, problems: Problems, verdicts: dict[str, Verdict]
) -> _Interface:
    """Decide the releases of `keys` and the interface catalogs, and keep their verdicts in `memo`."""
    interface = _decide(memo.config, list(keys), now, problems, verdicts)
    memo.keep_interface(interface)
    for slug, key in keys.items():
        if slug in verdicts and key is not None:
            memo.keep(slug, verdicts[slug].as_data(key, now))
    return interface


def _decide(
    config: Config, slugs: list[str], now: dt.datetime, problems: Problems, verdicts: dict[str, Verdict]
) -> _Interface:
    """Read and decide the releases `slugs` (adding their verdicts), and the interface catalogs."""
    releases = read_releases(config, problems=problems, among=set(slugs)) if slugs else []
    assessment = assess(config, releases, now)
    by_release: dict[str, list[Version]] = {}
    for version in assessment.versions:
        by_release.setdefault(version.release.slug, []).append(version)
    texts = Texts()
    for release in releases:
        versions = by_release[release.slug]
        verdicts[release.slug] = Verdict(
            release_rows(config, versions, now, texts),
            tuple(check_sources([release], config)),
            tuple(f for v in versions for f in v.findings),
        )
    interface_findings = [f for found in assessment.interface_findings.values() for f in found]
    return assessment.interface_counts, interface_findings


class _Memo:
    """The kept verdicts, and the keys that tell whether each still holds."""

    def __init__(self, config: Config):
        self.config = config
        self.path = config.cache_dir / NAME
        data = read_json(self.path) if self.path.is_file() and not self.path.is_symlink() else None
        if not isinstance(data, dict) or data.get("code") != code_version():
            data = {}
        entries = data.get("releases")
        self.entries: dict[str, Any] = entries if isinstance(entries, dict) else {}
        self.kept_interface: Any = data.get("interface")
        self.changed = False
        self.sources = Sources.scan(config)
        self.shared = FindingsMemo(config).shared()
        self.interface_key = digest_of(
            self.shared,
            self.sources.under("templates"),
            [self._digest(interface_catalog_path(config, code)) for code in config.codes],
        )

    def _digest(self, path: Path) -> str | None:
        return self.sources.digest(path.relative_to(self.config.root).as_posix())

    def release_key(self, slug: str) -> str | None:
        """Return the key of a release's verdict; None for one decided every time (a linked folder)."""
        config = self.config
        folder = config.releases_dir / slug
        if folder.is_symlink() or (folder / "release.md").is_symlink():
            return None  # the scan does not look behind a link
        return digest_of(
            self.interface_key,
            self.sources.under(f"{config.releases_dir.name}/{slug}"),
            self.sources.under(record_dir(config, slug).relative_to(config.root).as_posix()),
            [self._digest(release_catalog_path(config, code, slug)) for code in config.codes],
        )

    def interface(self) -> _Interface | None:
        """Return the interface catalogs' counts and findings as kept, if they still hold."""
        kept = self.kept_interface
        if not isinstance(kept, dict) or kept.get("key") != self.interface_key:
            return None
        try:
            counts = {lang: Counts(*values) for lang, values in kept["counts"].items()}
            return counts, [from_data(item) for item in kept["findings"]]
        except (KeyError, TypeError, ValueError):
            return None

    def keep_interface(self, interface: _Interface) -> None:
        counts, findings = interface
        self.kept_interface = {
            "key": self.interface_key,
            "counts": {lang: [c.translated, c.fuzzy, c.missing] for lang, c in counts.items()},
            "findings": [f.as_data() for f in findings],
        }
        self.changed = True

    def keep(self, slug: str, data: dict[str, Any]) -> None:
        self.entries[slug] = data
        self.changed = True

    def save(self, slugs: set[str]) -> None:
        """Keep the verdicts of the releases there are (a release removed is forgotten)."""
        if not self.changed and set(self.entries) <= slugs:
            return
        entries = {slug: data for slug, data in self.entries.items() if slug in slugs}
        data = {"code": code_version(), "interface": self.kept_interface, "releases": entries}
        try:
            real_dir(self.config.cache_dir, self.config.root)
            write_json(self.path, data, separators=(",", ":"))
        except (PressgenError, OSError):  # a read-only checkout: the next command decides again
            return
