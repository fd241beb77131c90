"""What `pressgen status` shows: per release and language, what is translated, approved, public and
lagging, what is next for it, and when the public site next changes by itself.

"Public" is decided as the public build decides it: from the record (the embargo of the version
as published, its withdrawal), not from the current sources. Every moment is shown in the
site's time zone, as the pages show it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from babel.messages.catalog import Catalog

from pressgen.catalogs import release_template
from pressgen.config import Config
from pressgen.errors import PressgenError
from pressgen.record import ReleaseRecord, VersionRecord, read_record, recorded_slugs
from pressgen.releases import Release, read_release
from pressgen.snapshots import SNAPSHOT, approved_messages, snapshot_dir, source_digest, translation_digest
from pressgen.status import Counts, Version


def next_change(
    config: Config, now: dt.datetime, known: dict[str, dt.datetime | None] | None = None
) -> tuple[dt.datetime, str] | None:
    """Return the next moment after `now` at which the public site changes (an embargo lifts), and why.

    A withdrawn release changes nothing when its embargo passes: it is never published. `known`
    holds, by slug, the embargo already read of each release that can lift (None for one withdrawn).
    """
    known = known or {}
    upcoming = []
    for slug in recorded_slugs(config):
        embargo = known[slug] if slug in known else _lifting(config, read_record(config, slug))
        if embargo is not None and embargo > now:
            upcoming.append((embargo, f"the embargo of {slug} lifts"))
    return min(upcoming, key=lambda item: item[0]) if upcoming else None


def _lifting(config: Config, record: ReleaseRecord | None) -> dt.datetime | None:
    """Return the recorded embargo whose lifting changes the public site: none for a withdrawn release."""
    if record is None or record.withdrawn is not None:
        return None
    return recorded_embargo(config, record)


def recorded_embargo(config: Config, record: ReleaseRecord) -> dt.datetime | None:
    """Return the embargo of a release as its record published it (the source version's copy), None if it has
    none or if the copy cannot be read (the build says why)."""
    source = next((v for v in record.versions.values() if v.source is None), None)
    if source is None:
        return None
    try:
        return read_release(snapshot_dir(config, record.slug, source.lang) / SNAPSHOT, config, slug=record.slug).embargo
    except (PressgenError, OSError):
        return None


# What the totals of each language count.
TOTALS = ("translated", "fuzzy", "missing", "public", "releases")


@dataclass(frozen=True)
class ReleaseRows:
    """The status rows of one release's versions, and what they depend on besides its files."""

    slug: str
    rows: list[dict[str, Any]]
    lifting: dt.datetime | None  # the recorded embargo whose lifting changes the public site (`next_change`)
    moments: tuple[dt.datetime, ...]  # every moment the rows compare with `now`


def release_rows(config: Config, versions: list[Version], now: dt.datetime, texts: Texts) -> ReleaseRows:
    """Return what `status` shows of the versions of one release: per language, translated, fuzzy, missing,
    approved, public, lagging, and why; every moment in the site's time zone, as the pages give it."""
    release = versions[0].release
    record = read_record(config, release.slug)
    embargo = recorded_embargo(config, record) if record is not None else None
    rows = []
    for version in versions:
        recorded = record.version(version.lang) if record is not None else None
        state = _state(config, version, record, recorded, now, embargo, texts)
        counts = version.counts
        rows.append(
            {
                "release": version.release.slug,
                "lang": version.lang,
                "source": version.is_source,
                "translated": counts.translated,
                "fuzzy": counts.fuzzy,
                "missing": counts.missing,
                "approved": version.approved,
                "published": config.local(recorded.published).isoformat() if recorded else None,
                "updated": config.local(recorded.updates[-1].at).isoformat() if recorded and recorded.updates else None,
                "public": state.public,
                "withdrawn": record is not None and record.withdrawn is not None,
                "lags": state.lags,
                "to_publish": state.to_publish,
                "reasons": list(version.reasons),
                "state": state.text,
            }
        )
    moments = [m for m in (release.embargo, embargo) if m is not None]
    moments += [v.published for v in record.versions.values()] if record is not None else []
    lifting = embargo if record is not None and record.withdrawn is None else None
    return ReleaseRows(release.slug, rows, lifting, tuple(moments))


def assemble(
    config: Config, releases: list[ReleaseRows], interface_counts: dict[str, Counts], now: dt.datetime
) -> dict[str, Any]:
    """Return what `status` shows from the rows of each release: with the rows of the recorded releases whose
    source cannot be read, the totals, the interface catalogs' counts and the next change."""
    versions = [row for release in releases for row in release.rows]
    totals: dict[str, dict[str, int]] = {}
    for row in versions:
        total = totals.setdefault(row["lang"], dict.fromkeys(TOTALS, 0))
        for name in ("translated", "fuzzy", "missing"):
            total[name] += row[name]
        total["public"] += int(row["public"])
        total["releases"] += 1
    lifting = {release.slug: release.lifting for release in releases}
    # A recorded release whose source cannot be read (or is gone) is public all the same: its rows
    # come from the record.
    for slug in sorted(set(recorded_slugs(config)) - set(lifting)):
        record = read_record(config, slug)
        assert record is not None
        embargo = recorded_embargo(config, record)
        lifting[slug] = _lifting(config, record)
        versions += _recorded_rows(config, record, embargo, now)
    interface = {
        lang: {"translated": c.translated, "fuzzy": c.fuzzy, "missing": c.missing}
        for lang, c in interface_counts.items()
    }
    upcoming = next_change(config, now, lifting)
    return {
        "versions": versions,
        "totals": totals,
        "interface": interface,
        "next_change": {"at": config.local(upcoming[0]).isoformat(), "why": upcoming[1]} if upcoming else None,
    }


def _recorded_rows(
    config: Config, record: ReleaseRecord, embargo: dt.datetime | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """Return the rows of a recorded release whose source cannot be read, from its record alone."""
    rows = []
    slug = record.slug
    for lang, recorded in record.versions.items():
        public_at = max(recorded.published, embargo) if embargo else recorded.published
        withdrawn = record.withdrawn
        public = public_at <= now and (withdrawn is None or withdrawn.was_public(public_at))
        rows.append(
            {
                "release": slug,
                "lang": lang,
                "source": recorded.source is None,
                "translated": 0,
                "fuzzy": 0,
                "missing": 0,
                "approved": False,
                "published": config.local(recorded.published).isoformat(),
                "updated": config.local(recorded.changed).isoformat() if recorded.updates else None,
                "public": public,
                "withdrawn": withdrawn is not None,
                "lags": record.lags(lang, next(v.lang for v in record.versions.values() if v.source is None)),
                "to_publish": False,
                "reasons": [f"releases/{slug}/release.md cannot be read"],
                "state": ("public" if public else "not public") + " (from the record)",
            }
        )
    return rows


class Texts:
    """What `_state` computes of a release for each of its versions, computed once a release."""

    def __init__(self) -> None:
        self.digests: dict[int, str] = {}
        self.templates: dict[int, Catalog] = {}

    def digest(self, release: Release) -> str:
        if id(release) not in self.digests:
            self.digests[id(release)] = source_digest(release)
        return self.digests[id(release)]

    def template(self, release: Release) -> Catalog:
        if id(release) not in self.templates:
            self.templates[id(release)] = release_template(release)
        return self.templates[id(release)]


@dataclass(frozen=True)
class _State:
    public: bool
    lags: bool
    to_publish: bool  # approved, with texts that differ from what is recorded
    text: str


def _state(
    config: Config,
    version: Version,
    record: ReleaseRecord | None,
    recorded: VersionRecord | None,
    now: dt.datetime,
    embargo: dt.datetime | None,
    texts: Texts,
) -> _State:
    """Say whether a version is public, as the public build decides it from the record (its recorded
    embargo, its withdrawal), and what is next for it."""
    release = version.release
    public_at = max(recorded.published, embargo) if recorded and embargo else recorded.published if recorded else None
    if record is not None and record.withdrawn is not None:
        withdrawn = record.withdrawn
        day = config.day(withdrawn.at)
        if public_at is None or not withdrawn.was_public(public_at):
            return _State(False, False, False, f"withdrawn on {day}, before it was public: never published")
        text = f"withdrawn on {day}: its pages stay, marked withdrawn, out of the lists"
        if not version.is_source and version.lang not in withdrawn.translations:
            text += f"; its reason shows in {config.language(release.lang).name} until its translation is published"
        return _State(public_at <= now, False, False, text)
    lags = record is not None and record.lags(version.lang, release.lang)
    source = record.version(release.lang) if record is not None else None
    if version.is_source:
        changed = recorded is None or recorded.text != texts.digest(release)
    elif source is None or source.text != texts.digest(release):
        changed = False  # nothing to publish before its source is
    else:
        messages = approved_messages(texts.template(release), version.catalog)
        changed = recorded is None or recorded.text != translation_digest(source.text, messages)
    to_publish = version.approved and changed
    if recorded is None or public_at is None:
        text = "ready to publish" if to_publish else "not published"
        return _State(False, False, to_publish, text)
    public = public_at <= now
    text = f"published {config.day(recorded.published)}" + (
        f", updated {config.day(recorded.changed)}" if recorded.updates else ""
    )
    if not public:
        text += f"; public from {config.local(public_at).isoformat()}"
    if lags:
        text += f"; lags behind the {release.lang} version"
    if to_publish:
        text += "; changes ready to publish"
    elif changed and version.is_source:
        text += "; unpublished changes"
    return _State(public, lags, to_publish, text)
