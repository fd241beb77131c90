"""Publishing: the acts that change the publication record, and what the record makes public.

`publish` records approved language versions: it copies each one's texts, as approved, into
`published/<slug>/<lang>/` (the source's `release.md` and pictures; for a translation also its
approved messages, `messages.po`) and stamps the record. `withdraw` marks a release withdrawn.
`public_versions` is the build's stage between gathering and writing: it reads the record, and
only the record, and says which versions the public site shows, with what each shows about
itself (its updates, whether it lags behind its source, whether it was withdrawn).

A translation is always recorded against the source version it translates (the digest of the
source's texts, `source` in the record). When the source is republished and a translation is
not yet, the translation keeps its recorded texts, and lags: its pages say so, with a link to
the current source version, until it is republished against the new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from pressgen.catalogs import lookup, read_catalog, release_template
from pressgen.config import Config, Language
from pressgen.errors import PressgenError, Problems, UsageError
from pressgen.output import project_lock, real_dir
from pressgen.po import write_po_file
from pressgen.record import (
    ReleaseRecord,
    Update,
    VersionRecord,
    Withdrawal,
    read_record,
    record_dir,
    record_path,
    recorded_slugs,
    write_record,
)
from pressgen.releases import ChangeNote, Release, VersionOf, read_release, read_releases
from pressgen.scaffold import placeholder_problems
from pressgen.segment import release_assets
from pressgen.status import Assessment, Version, assess, blockers

SNAPSHOT = "release.md"
TOTALS = ("translated", "fuzzy", "missing", "public", "releases")
MESSAGES = "messages.po"


@dataclass
class PublishReport:
    """What one `publish` did, release by release and language by language."""

    recorded: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, lang, "published" | "updated")
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, lang, why not)


def snapshot_dir(config: Config, slug: str, lang: str) -> Path:
    """Return the folder that holds a language version's texts as published."""
    return record_dir(config, slug) / lang


def source_digest(release: Release) -> str:
    """Return the digest of a release's own texts: release.md and the pictures it shows."""
    digest = hashlib.sha256(release.path.read_bytes())
    for asset in release_assets(release):
        digest.update(b"\0" + asset.relative_to(release.folder).as_posix().encode() + b"\0")
        digest.update(asset.read_bytes())
    return f"sha256:{digest.hexdigest()}"


def translation_digest(source: str, messages: Iterable[tuple[str, str]]) -> str:
    """Return the digest of a translation: the source version it translates and its messages."""
    digest = hashlib.sha256(source.encode())
    for msgid, msgstr in sorted(messages):
        digest.update(b"\0" + msgid.encode() + b"\0" + msgstr.encode())
    return f"sha256:{digest.hexdigest()}"


def approved_messages(template: Catalog, catalog: Catalog | None) -> list[tuple[str, str]]:
    """Return (source, translation) for every message of `template`, approved in `catalog`."""
    found = []
    for message in template:
        if message.id and isinstance(message.id, str):
            translation = lookup(catalog, message.id)
            if translation is not None:
                found.append((message.id, translation))
    return found


def publish(
    config: Config,
    slugs: list[str],
    langs: list[str],
    note: str | None = None,
    minor: bool = False,
    now: dt.datetime | None = None,
) -> PublishReport:
    """Record the approved language versions of releases (every approved one unless `langs` names some)."""
    moment = now or dt.datetime.now(dt.UTC)
    if note is not None and minor:
        raise UsageError("give a change note (--note) or --minor, not both")
    if note is not None and not note.strip():
        raise UsageError("the change note (--note) is empty")
    for lang in langs:
        if lang not in config.codes:
            raise UsageError(f"--lang {lang}: not one of the configured languages {list(config.codes)}")
    report = PublishReport()
    with project_lock(real_dir(config.cache_dir, config.root)):
        releases = {r.slug: r for r in read_releases(config)}
        for slug in slugs:
            if slug not in releases:
                raise UsageError(f"no release '{slug}' in releases/")
        problems = Problems()
        for slug in slugs:
            try:
                _publish_one(config, releases[slug], langs, note, minor, moment, report)
            except PressgenError as exc:
                problems.extend(exc)
        problems.raise_if_any()
    return report


def _publish_one(
    config: Config,
    release: Release,
    langs: list[str],
    note: str | None,
    minor: bool,
    now: dt.datetime,
    report: PublishReport,
) -> None:
    """Decide what to record of one release, then write it: a refused act writes nothing."""
    record = read_record(config, release.slug) or ReleaseRecord(release.slug, record_path(config, release.slug))
    if record.withdrawn is not None:
        raise PressgenError(
            f"the release was withdrawn on {record.withdrawn.at.date().isoformat()}; a withdrawn release is not "
            "published again",
            record.path,
        )
    source_lang = release.lang
    wanted = list(dict.fromkeys(langs)) if langs else list(config.codes)
    explicit = bool(langs)
    digest = source_digest(release)
    recorded_source = record.version(source_lang)
    source_changes = recorded_source is None or recorded_source.text != digest
    publishes_source = source_lang in wanted and source_changes
    # A note given with the source is the source's; it is a message of the release, which each
    # translation must have translated before it is republished with it.
    if note is not None and publishes_source and recorded_source is not None:
        pending = ChangeNote(note, now, record.path.relative_to(config.root).as_posix(), None)
        release = replace(release, change_notes=(*release.change_notes, pending))
    assessment = assess(config, [release], now)
    versions = {v.lang: v for v in assessment.versions}
    problems = Problems()
    planned: list[tuple[VersionRecord, list[tuple[str, str]] | None, str]] = []  # entry, messages, action

    source = recorded_source
    if source_lang in wanted and not source_changes:
        report.unchanged.append((release.slug, source_lang))
    elif source_lang in wanted:
        for line, text in placeholder_problems(release):
            problems.error(
                f"the release still holds the sample text of 'pressgen new': {text[:50]!r}", release.path, line
            )
        if recorded_source is not None and note is None and not minor:
            problems.error(
                f"the {config.language(source_lang).name} version changed since it was published on "
                f"{recorded_source.changed.date().isoformat()}: give a change note (--note TEXT), or --minor "
                "for a correction readers need not be told about",
                release.path,
            )
        else:
            source = _source_entry(recorded_source, source_lang, digest, None if minor else note, now, record)
            planned.append((source, None, "published" if recorded_source is None else "updated"))
    elif explicit and source_changes and any(lang != source_lang for lang in wanted):
        # Translations always translate the recorded source: it must not have unpublished changes.
        what = "is not published yet" if recorded_source is None else "has changes that are not published"
        problems.error(
            f"the {config.language(source_lang).name} version {what}: publish it first, or together "
            f"(--lang {source_lang})",
            release.path,
        )

    template = release_template(release)
    for lang in wanted:
        if lang == source_lang:
            continue
        version = versions[lang]
        if version.reasons:
            if explicit:
                problems.items.extend(blockers(config, assessment, version))
            else:
                report.skipped.append((release.slug, lang, "; ".join(version.reasons)))
            continue
        if source is None or source.text != digest:
            if not explicit:
                report.skipped.append((release.slug, lang, f"publish the {source_lang} version first"))
            continue  # explicit: reported above
        messages = approved_messages(template, version.catalog)
        try:
            entry = _translation_entry(record.version(lang), version, source, messages, note, minor, now, record)
        except PressgenError as exc:
            problems.extend(exc)
            continue
        if entry is None:
            report.unchanged.append((release.slug, lang))
        else:
            planned.append((entry, messages, "published" if record.version(lang) is None else "updated"))
    problems.raise_if_any()

    for entry, texts, action in planned:
        _write_snapshot(config, release, entry.lang, texts)
        record = record.with_version(entry)
        report.recorded.append((release.slug, entry.lang, action))
    if planned:
        write_record(config, record, source_lang)  # last: the record names only copies that are there


def _source_entry(
    previous: VersionRecord | None,
    lang: str,
    digest: str,
    note: str | None,
    now: dt.datetime,
    record: ReleaseRecord,
) -> VersionRecord:
    """Return the record of the source version as published now (first publication or an update)."""
    if previous is None:
        return VersionRecord(lang, now, digest)
    _not_before(previous, now, record)
    return VersionRecord(lang, previous.published, digest, None, (*previous.updates, Update(now, note)))


def _translation_entry(
    previous: VersionRecord | None,
    version: Version,
    source: VersionRecord,
    messages: list[tuple[str, str]],
    note: str | None,
    minor: bool,
    now: dt.datetime,
    record: ReleaseRecord,
) -> VersionRecord | None:
    """Return the record of a translation as published now, or None if it is published as it is."""
    digest = translation_digest(source.text, messages)
    if previous is not None and previous.text == digest:
        return None
    if previous is None:
        return VersionRecord(version.lang, now, digest, source.text)
    _not_before(previous, now, record)
    if previous.source != source.text:
        # Catching up with the source: its change notes since, as translated.
        since = [u.note for u in source.updates if u.note and u.at > previous.changed]
        update = Update(now, " ".join(lookup(version.catalog, n) or n for n in since) or None)
    elif minor or note is not None:
        update = Update(now, None if minor else note)  # a correction of the translation alone
    else:
        raise PressgenError(
            f"the {version.language.name} translation changed since it was published on "
            f"{previous.changed.date().isoformat()}: give a change note in {version.language.name} (--note TEXT), "
            "or --minor for a correction readers need not be told about",
            version.catalog_path,
        )
    return VersionRecord(version.lang, previous.published, digest, source.text, (*previous.updates, update))


def _not_before(previous: VersionRecord, now: dt.datetime, record: ReleaseRecord) -> None:
    if now < previous.changed:
        raise PressgenError(
            f"--now {now.isoformat()} is before the last change of this version ({previous.changed.isoformat()})",
            record.path,
        )


def _write_snapshot(config: Config, release: Release, lang: str, messages: list[tuple[str, str]] | None) -> None:
    """Copy a version's texts, as they are now, into its folder in the record (replacing the old ones)."""
    folder = snapshot_dir(config, release.slug, lang)
    fresh = folder.with_name(f".{lang}.new")
    shutil.rmtree(fresh, ignore_errors=True)
    real_dir(fresh, config.root)
    shutil.copyfile(release.path, fresh / SNAPSHOT)
    for asset in release_assets(release):
        dest = fresh / asset.relative_to(release.folder)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset, dest)
    if messages is not None:
        language = config.language(lang)
        catalog = Catalog(locale=language.locale, project=release.slug, fuzzy=False)
        for msgid, msgstr in messages:
            catalog.add(msgid, msgstr).flags.clear()
        write_po_file(fresh / MESSAGES, catalog)
    old = folder.with_name(f".{lang}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def withdraw(config: Config, slug: str, reason: str, now: dt.datetime | None = None) -> ReleaseRecord:
    """Mark a published release withdrawn: its pages stay, marked, and it leaves lists and feeds."""
    if not reason.strip():
        raise UsageError("give the reason readers will see (--reason TEXT)")
    with project_lock(real_dir(config.cache_dir, config.root)):
        record = read_record(config, slug)
        if record is None:
            raise UsageError(f"'{slug}' was never published: there is nothing to withdraw")
        if record.withdrawn is not None:
            raise PressgenError(
                f"the release was withdrawn already, on {record.withdrawn.at.date().isoformat()}", record.path
            )
        release = read_release(config.releases_dir / slug / "release.md", config)
        record = ReleaseRecord(
            record.slug, record.path, record.versions, Withdrawal(now or dt.datetime.now(dt.UTC), reason.strip())
        )
        write_record(config, record, release.lang)
    return record


# --- what the record makes public --------------------------------------------------------------


@dataclass(frozen=True)
class PublicVersion(VersionOf):
    """A recorded language version, read back from the record: what the public site shows."""

    record: ReleaseRecord
    version: VersionRecord
    source: VersionRecord  # the recorded source language version
    release: Release  # the texts as published (the snapshot)
    language: Language
    catalog: Catalog | None  # the approved translations as published; None for the source

    @property
    def lags(self) -> bool:
        return self.record.lags(self.lang, self.release.lang)

    def public_at(self) -> dt.datetime:
        """Return when this version became public: its first publication, or its embargo if later."""
        embargo = self.release.embargo
        return max(self.version.published, embargo) if embargo is not None else self.version.published


def read_published(config: Config) -> list[PublicVersion]:
    """Read every recorded language version, with its texts as published."""
    problems = Problems()
    found: list[PublicVersion] = []
    for slug in recorded_slugs(config):
        try:
            found += read_versions(config, slug)
        except PressgenError as exc:
            problems.extend(exc)
    problems.raise_if_any()
    return found


def read_versions(config: Config, slug: str) -> list[PublicVersion]:
    """Read one recorded release: each of its language versions, with its texts as published (verified)."""
    record = read_record(config, slug)
    assert record is not None
    if not (config.releases_dir / slug / "release.md").is_file():
        raise PressgenError(
            f"the record publishes '{slug}', but releases/{slug}/release.md no longer exists: restore it "
            "(a published release stays in the project; withdraw it to take it out of the newsroom)",
            record.path,
            1,
        )
    versions: list[PublicVersion] = []
    sources = [r for r in record.versions.values() if r.source is None]
    if len(sources) != 1:
        raise PressgenError("the record must hold exactly one source version (a table without 'source')", record.path)
    source = sources[0]
    for lang, entry in record.versions.items():
        folder = snapshot_dir(config, slug, lang)
        path = folder / SNAPSHOT
        if not path.is_file():
            raise PressgenError(
                f"the texts of the {lang} version are missing from the record ({path.relative_to(config.root)})",
                record.path,
                entry.line,
            )
        release = read_release(path, config, slug=slug)
        if entry.source is None and release.lang != lang:
            message = f"[{lang}] has no 'source', but the release is written in {release.lang}"
            raise PressgenError(message, record.path, entry.line)
        if entry.source is not None and release.lang == lang:
            message = f"[{lang}] is the release's source language, but the record gives it a 'source'"
            raise PressgenError(message, record.path, entry.line)
        catalog = None
        texts = source_digest(release)
        if entry.source is not None:
            catalog = read_catalog(folder / MESSAGES, config.language(lang))
            pairs = [(str(m.id), str(m.string)) for m in catalog if m.id and m.string and not m.fuzzy]
            texts = translation_digest(texts, pairs) if texts == entry.source else texts
        if texts != entry.text:
            raise PressgenError(
                f"the published texts of the {lang} version differ from what the record says was published "
                f"(were they edited by hand?): published texts change only through 'pressgen publish'",
                folder,
            )
        versions.append(PublicVersion(record, entry, source, release, config.language(lang), catalog))
    return versions


def next_change(config: Config, now: dt.datetime) -> tuple[dt.datetime, str] | None:
    """Return the next moment after `now` at which the public site changes (an embargo lifts), and why."""
    upcoming = [
        (version.release.embargo, f"the embargo of {version.slug} lifts")
        for version in read_published(config)
        if version.release.embargo is not None and version.release.embargo > now and version.record.withdrawn is None
    ]
    return min(upcoming, key=lambda item: item[0]) if upcoming else None


# --- status: what is approved, what is public, what lags -----------------------------------------


def status_rows(config: Config, assessment: Assessment, now: dt.datetime) -> dict[str, Any]:
    """Return, per release and language: translated, fuzzy, missing, approved, public, lagging, and why.

    For the table and `--format json`. `next_change` is when the public site next changes by
    itself (an embargo lifts), for a timer that rebuilds it then.
    """
    records = {slug: read_record(config, slug) for slug in {v.release.slug for v in assessment.versions}}
    versions = []
    totals: dict[str, dict[str, int]] = {}
    for version in assessment.versions:
        record = records[version.release.slug]
        recorded = record.version(version.lang) if record is not None else None
        state = _state(version, record, recorded, now)
        counts = version.counts
        versions.append(
            {
                "release": version.release.slug,
                "lang": version.lang,
                "source": version.is_source,
                "translated": counts.translated,
                "fuzzy": counts.fuzzy,
                "missing": counts.missing,
                "approved": version.approved,
                "published": recorded.published.isoformat() if recorded else None,
                "updated": recorded.updates[-1].at.isoformat() if recorded and recorded.updates else None,
                "public": state.public,
                "withdrawn": record is not None and record.withdrawn is not None,
                "lags": state.lags,
                "to_publish": state.to_publish,
                "reasons": list(version.reasons),
                "state": state.text,
            }
        )
        total = totals.setdefault(
            version.lang, dict.fromkeys(("translated", "fuzzy", "missing", "public", "releases"), 0)
        )
        total["translated"] += counts.translated
        total["fuzzy"] += counts.fuzzy
        total["missing"] += counts.missing
        total["public"] += int(state.public)
        total["releases"] += 1
    interface = {
        lang: {"translated": c.translated, "fuzzy": c.fuzzy, "missing": c.missing}
        for lang, c in assessment.interface_counts.items()
    }
    upcoming = next_change(config, now)
    return {
        "versions": versions,
        "totals": totals,
        "interface": interface,
        "next_change": {"at": upcoming[0].isoformat(), "why": upcoming[1]} if upcoming else None,
    }


@dataclass(frozen=True)
class _State:
    public: bool
    lags: bool
    to_publish: bool  # approved, with texts that differ from what is recorded
    text: str


def _state(version: Version, record: ReleaseRecord | None, recorded: VersionRecord | None, now: dt.datetime) -> _State:
    release = version.release
    if record is not None and record.withdrawn is not None:
        return _State(False, False, False, f"withdrawn on {record.withdrawn.at.date().isoformat()}")
    embargoed = release.embargo is not None and release.embargo > now
    lags = record is not None and record.lags(version.lang, release.lang)
    source = record.version(release.lang) if record is not None else None
    if version.is_source:
        changed = recorded is None or recorded.text != source_digest(release)
    elif source is None or source.text != source_digest(release):
        changed = False  # nothing to publish before its source is
    else:
        messages = approved_messages(release_template(release), version.catalog)
        changed = recorded is None or recorded.text != translation_digest(source.text, messages)
    to_publish = version.approved and changed
    if recorded is None:
        text = "ready to publish" if to_publish else "not published"
        return _State(False, False, to_publish, text)
    when = recorded.changed.date().isoformat()
    public = not embargoed
    text = f"published {recorded.published.date().isoformat()}" + (f", updated {when}" if recorded.updates else "")
    if embargoed and release.embargo is not None:
        text += f"; public from {release.embargo.isoformat()}"
    if lags:
        text += f"; lags behind the {release.lang} version"
    if to_publish:
        text += "; changes ready to publish"
    elif changed and version.is_source:
        text += "; unpublished changes"
    return _State(public, lags, to_publish, text)
