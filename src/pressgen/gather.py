"""Gathering, the build's second stage: every source checked, then the documents to write chosen.

Before anything is written, `check_sources` reads and checks every release, picture and catalog
(each parsed only when its digest is new: the memo keeps what was found); then the documents are
chosen, from the publication record (`public_documents`) or from the current sources with the
gate's verdict (`preview_documents`). Each `Document` carries a key, the digest of everything its
texts come from, and makes its texts only when something of it has to be rendered (`writing.py`).
`build` imports this module only once its no-op check has found work to do.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Protocol, TypedDict

from pressgen import urls
from pressgen.cache import Memo, Section, Sources, code_version, digest_of
from pressgen.catalogs import interface_catalog_path, read_catalog, release_catalog_path
from pressgen.config import Config, Language
from pressgen.errors import Diagnostic, PressgenError, Problems, note
from pressgen.localise import LagView, LocalisedRelease, UpdateView, WithdrawnView, format_day, localise_release
from pressgen.options import BuildOptions, BuildReport
from pressgen.publishing import PublicVersion, read_versions
from pressgen.record import RECORD_DIR, RECORD_NAME, linked_record_problem, record_path
from pressgen.releases import Release, asset_problem, no_such_release, read_release, release_files, with_change_notes
from pressgen.segment import body_assets, release_assets
from pressgen.snapshots import snapshot_dir
from pressgen.status import Interface, Version, assess, assess_interface, cannot_be_read
from pressgen.urls import Place


class Texts(Protocol):
    """Where a release's texts come from, made only when a document of it has to be rendered."""

    def release(self, lang: str) -> Release: ...

    def localised(self, document: Document) -> LocalisedRelease: ...

    def done(self) -> None:
        """Say that one document of the release is written: the texts may be let go of after the last."""


@dataclass(eq=False)
class Document:
    """One language version to write: what lists and keys need of it, and where its texts come from."""

    slug: str
    language: Language
    release_lang: str  # the release's source language
    date: dt.date  # the dateline's
    embargo: dt.datetime | None
    published: dt.datetime | None  # when it became public (the record's); None in a preview
    modified: dt.datetime | None  # its last update
    listed: bool  # in the newsroom, feed and sitemap (a withdrawn release is not)
    key: str  # the digest of everything its texts come from
    source: Path  # the release.md the press office edits (warnings name it, also for a published copy)
    folder: Path  # the folder of the texts it shows: its pictures, the PDF's relative URLs
    texts: Texts
    draft: bool = False  # an unapproved translation, in a preview
    withdrawn: dt.datetime | None = None  # when it was withdrawn (it was public before)
    keep_metadata: bool = False  # its pictures are published with their metadata (`picture_metadata: keep`)
    _localised: LocalisedRelease | None = None

    @property
    def lang(self) -> str:
        return self.language.code

    @property
    def page(self) -> Place:
        return urls.release_page(self.lang, self.slug)

    @property
    def pdf(self) -> Place:
        return urls.release_pdf(self.lang, self.slug)

    def localised(self) -> LocalisedRelease:
        """Return the texts of this version (made, and the release read, the first time)."""
        if self._localised is None:
            self._localised = self.texts.localised(self)
        return self._localised

    def release(self) -> Release:
        return self.texts.release(self.lang)

    def forget(self) -> None:
        """Let go of the texts once everything of this version is written (a large site holds thousands)."""
        self._localised = None
        self.texts.done()


# What the front matter says of a release's pictures' metadata, its line, and whether there are
# pictures (`_metadata_facts`). Records hold lists where these say tuples: JSON has no tuples.
MetadataFacts = tuple[str | None, int | None, bool]


class ReleaseRecord(TypedDict):
    """What the memo keeps of a release in releases/, by the digest of its release.md."""

    lang: str
    date: str
    embargo: str | None
    pictures: list[tuple[str, int]]  # each picture of the body and its line
    metadata: MetadataFacts


class VersionRecord(TypedDict):
    """What the memo keeps of one recorded version of a release."""

    lang: str
    published: str | None
    modified: str | None
    lags: str | None  # why it lags behind its source version
    metadata: MetadataFacts


class RecordedRecord(TypedDict):
    """What the memo keeps of a recorded release, by the digests of its files in published/."""

    lang: str
    date: str
    embargo: str | None
    withdrawn: str | None
    versions: list[VersionRecord]


class GateRecord(TypedDict):
    """The gate's verdict on a version of the current sources (its own reasons, not the interface's)."""

    reasons: list[str]


RELEASES: Section[ReleaseRecord] = Section("releases")
PICTURES: Section[bool] = Section("pictures")  # a release's pictures were found sound
CATALOGS: Section[bool] = Section("catalogs")  # a catalog was read without an error
PUBLISHED: Section[RecordedRecord] = Section("published")
EMBARGOES: Section[str] = Section("embargoes")  # the embargo of a recorded release not withdrawn
INTERFACE: Section[dict[str, list[str]]] = Section("interface")  # the interface's reasons, by language
GATE: Section[GateRecord] = Section("gate")


def _moment(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- checking the sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseFacts:
    """What the build needs of a release in releases/ without reading it: from the memo of its digest."""

    slug: str
    path: Path
    key: str  # the digest of its release.md, as read with this configuration and this pressgen
    lang: str
    date: dt.date
    embargo: dt.datetime | None
    metadata: MetadataFacts


def check_sources(config: Config, sources: Sources, memo: Memo, options: BuildOptions) -> list[ReleaseFacts]:
    """Check every release, its pictures and its catalogs, reading only those whose digest is new.

    Every problem is an error: a preview renders these sources. A public build renders the record
    alone, and only warns of them (`warn_of_sources`).
    """
    problems = Problems()
    found: list[ReleaseFacts] = []
    base = digest_of(code_version(), sources.digest("pressgen.toml"))
    paths = release_files(config, problems)
    if options.only is not None and options.only not in {p.parent.name for p in paths}:
        raise no_such_release(options.only, [p.parent.name for p in paths])
    for path in paths:
        slug = path.parent.name
        key = digest_of(base, "release", slug, sources.digest(f"releases/{slug}/release.md"))
        try:
            facts = memo.section(RELEASES).keep(key, partial(_release_facts, path, config))
        except PressgenError as exc:
            problems.extend(exc)
            continue
        # Keyed with every file of the folder: a picture's path may pass through a link or a folder.
        pictures_key = digest_of(key, facts["pictures"], sources.under(f"releases/{slug}"))
        if memo.section(PICTURES).get(pictures_key) is None:
            before = len(problems.items)
            for src, line in facts["pictures"]:
                problem = asset_problem(path.parent, src)
                if problem:
                    problems.error(f"image '{src}' {problem}", path, line)
            if len(problems.items) == before:
                memo.section(PICTURES).put(pictures_key, True)
        found.append(
            ReleaseFacts(
                slug,
                path,
                key,
                facts["lang"],
                dt.date.fromisoformat(facts["date"]),
                _moment(facts["embargo"]),
                facts["metadata"],
            )
        )
    catalogs = [
        (release_catalog_path(config, language.code, facts.slug), language)
        for facts in found
        for language in config.languages
        if language.code != facts.lang
    ]
    catalogs += [(interface_catalog_path(config, language.code), language) for language in config.languages]
    for path, language in catalogs:
        try:
            _check_catalog(config, sources, memo, path, language)
        except PressgenError as exc:
            problems.extend(exc)
    problems.raise_if_any()
    return found


def warn_of_sources(config: Config, sources: Sources, memo: Memo, options: BuildOptions, report: BuildReport) -> None:
    """Check the sources for a public build, which does not use them: each problem is a warning.

    A translator's half-saved catalog or a half-written release must not stop an embargo from
    lifting or a withdrawal from reaching the site; the warning names the file, so that the log of
    a timer's builds shows it (and `--strict` makes it fatal).
    """
    try:
        check_sources(config, sources, memo, replace(options, only=None))
    except PressgenError as exc:
        report.warnings += [replace(d, severity="warning") for d in exc.diagnostics]
    except Exception as exc:  # a fault in checking what this build does not read: said, never fatal
        report.warnings.append(
            Diagnostic(
                f"the current sources could not be checked ({type(exc).__name__}: {exc}); the public site is "
                "built from published/ alone",
                config.releases_dir,
                severity="warning",
            )
        )


def _release_facts(path: Path, config: Config) -> ReleaseRecord:
    """Read a release in releases/ and return what the memo keeps of it."""
    release = read_release(path, config)
    return {
        "lang": release.lang,
        "date": release.date.isoformat(),
        "embargo": _iso(release.embargo),
        "pictures": list(body_assets(release)),
        "metadata": _metadata_facts(release),
    }


def _metadata_facts(release: Release) -> MetadataFacts:
    """Return what the front matter says of the pictures' metadata, its line, and whether there are pictures."""
    return (release.picture_metadata, release.lines.get("picture_metadata"), bool(release_assets(release)))


def _metadata_warnings(config: Config, releases: list[tuple[Path, MetadataFacts]], report: BuildReport) -> None:
    """Warn that pictures are published with their metadata, where the site or a release says so."""
    if config.picture_metadata == "keep":
        report.warnings.append(
            Diagnostic(
                'site.picture_metadata = "keep": pictures are published with their metadata '
                "(GPS position, camera serial number, comments); remove it to strip them",
                config.path,
                severity="warning",
            )
        )
    for source, (says, line, pictures) in releases:
        if says == "keep" and pictures and config.picture_metadata != "keep":
            report.warnings.append(
                Diagnostic(
                    "picture_metadata: keep: this release's pictures are published with their metadata "
                    "(GPS position, camera serial number, comments); remove it to strip them",
                    source,
                    line,
                    severity="warning",
                )
            )


def _check_catalog(config: Config, sources: Sources, memo: Memo, path: Path, language: Language) -> None:
    """Read a catalog whose digest is new (a broken one is an error), unless there is none."""
    digest = sources.digest(path.relative_to(config.root).as_posix())
    if digest is None:
        return
    key = digest_of(code_version(), "catalog", language.locale_id, digest)
    memo.section(CATALOGS).keep(key, lambda: read_catalog(path, language) is not None)


# --- the public site: what the record makes public -----------------------------------------------


class _Recorded:
    """The recorded versions of one release, read from published/ when a document of it is rendered."""

    def __init__(self, config: Config, slug: str, options: BuildOptions, versions: list[PublicVersion] | None):
        self.config = config
        self.slug = slug
        self.options = options
        self._versions = {v.lang: v for v in versions} if versions is not None else None
        self.pending = 0  # documents of the release not yet written: its texts are kept until then

    def done(self) -> None:
        # A cold build reads every recorded release while it gathers: holding them all until the
        # end made the main process grow with every release (docs/performance.md measures it).
        self.pending -= 1
        if self.pending <= 0:
            self._versions = None

    def versions(self) -> dict[str, PublicVersion]:
        if self._versions is None:
            self._versions = {v.lang: v for v in read_versions(self.config, self.slug)}
        return self._versions

    def release(self, lang: str) -> Release:
        return self.versions()[lang].release

    def localised(self, document: Document) -> LocalisedRelease:
        versions = self.versions()
        version = versions[document.lang]
        source = next(v for v in versions.values() if v.version.source is None)
        return _public_texts(self.config, version, source, self.options)


def _public_texts(
    config: Config, version: PublicVersion, source: PublicVersion, options: BuildOptions
) -> LocalisedRelease:
    """Return the texts of a recorded version as the public site shows them, with its updates and notices."""
    localised = localise_release(version.release, version.language, version.catalog, config)
    withdrawn = version.record.withdrawn
    reason, translated = withdrawn.reason_in(version.lang) if withdrawn is not None else ("", False)
    return replace(
        localised,
        embargo_text=localised.embargo_text if options.embargoed else None,
        published=version.public_at(),
        modified=version.version.changed if version.version.updates else None,
        updates=tuple(
            UpdateView(u.at, format_day(u.at, version.language, config), u.note)
            for u in version.version.updates
            if u.note
        ),
        lag=_lag_view(config, version, source) if version.lags else None,
        withdrawn=(
            WithdrawnView(
                format_day(withdrawn.at, version.language, config),
                reason,
                version.lang if translated else version.release.lang,
            )
            if withdrawn is not None
            else None
        ),
    )


def _published_facts(
    config: Config, slug: str, key: str, memo: Memo
) -> tuple[RecordedRecord, list[PublicVersion] | None]:
    """Return what the build needs of a recorded release, from the memo under `key` or read (and verified)
    from published/ (then with the versions read, which the build's texts use)."""
    meta = memo.section(PUBLISHED).get(key)
    if meta is not None:
        return meta, None
    versions = read_versions(config, slug)
    _check_pictures([v.release for v in versions])
    return memo.section(PUBLISHED).put(key, _recorded_facts(config, versions)), versions


def public_documents(
    config: Config, sources: Sources, memo: Memo, options: BuildOptions, now: dt.datetime, report: BuildReport
) -> list[Document]:
    """Choose what the record makes public at `now` (or, for the pack, what is still under embargo).

    A recorded release is read (and its digests verified) only when its files in published/ are
    new; otherwise what the build needs of it comes from the memo of their digests. A version
    withdrawn before it became public is never published, and leaves no trace in the pack either.
    """
    problems = Problems()
    documents: list[Document] = []
    metadata_notes: list[tuple[Path, MetadataFacts]] = []
    base = digest_of(code_version(), sources.digest("pressgen.toml"))
    recorded = _recorded(config, sources, problems)
    if options.only is not None and options.only not in recorded:
        raise no_such_release(options.only, recorded, "published/")
    for slug in recorded:
        exists = (config.releases_dir / slug / "release.md").is_file()
        key = digest_of(base, "published", slug, sources.under(f"{RECORD_DIR}/{slug}"))
        try:
            meta, versions = _published_facts(config, slug, key, memo)
        except PressgenError as exc:
            problems.extend(exc)
            continue
        if not exists:
            report.warnings.append(_gone(config, slug))
        texts = _Recorded(config, slug, options, versions)
        source_path = config.releases_dir / slug / "release.md"
        embargo = _moment(meta["embargo"])
        withdrawn = _moment(meta["withdrawn"])
        if meta["embargo"] is not None and withdrawn is None:
            memo.section(EMBARGOES).put(key, meta["embargo"])
        embargoed = embargo is not None and embargo > now
        if embargoed != options.embargoed:
            continue  # under embargo: no trace; or, for the pack, public already
        kept = [entry["metadata"] for entry in meta["versions"] if entry["metadata"][0] == "keep"]
        metadata_notes.extend((source_path, facts) for facts in kept[:1])
        for entry in meta["versions"]:
            public_at = _moment(entry["published"])
            if withdrawn is not None and public_at is not None and withdrawn < public_at:
                continue  # withdrawn before it was ever public: never published
            if entry["lags"]:
                report.lagging.append(note("lags", f"{slug} [{entry['lang']}]: {entry['lags']}"))
            texts.pending += 1
            documents.append(
                Document(
                    slug=slug,
                    language=config.language(entry["lang"]),
                    release_lang=meta["lang"],
                    date=dt.date.fromisoformat(meta["date"]),
                    embargo=embargo,
                    published=public_at,
                    modified=_moment(entry["modified"]),
                    listed=withdrawn is None,
                    key=digest_of(key, entry["lang"], options.embargoed),
                    source=source_path,
                    folder=snapshot_dir(config, slug, entry["lang"]),
                    texts=texts,
                    withdrawn=withdrawn,
                    keep_metadata=config.keeps_picture_metadata(entry["metadata"][0]),
                )
            )
    problems.raise_if_any()
    _metadata_warnings(config, metadata_notes, report)
    # Newest first by the release's date (its dateline), then by when it became public.
    documents.sort(key=lambda d: (d.date, d.published or now, d.slug), reverse=True)
    return documents


def _gone(config: Config, slug: str) -> Diagnostic:
    """Say that a recorded release is gone from releases/."""
    return Diagnostic(
        f"the record publishes '{slug}', but releases/{slug}/release.md no longer exists: restore it "
        "(a published release stays in the project; withdraw it to take it out of the newsroom)",
        record_path(config, slug),
        1,
        severity="warning",
    )


def _recorded(config: Config, sources: Sources, problems: Problems) -> list[str]:
    """Return the slugs of the recorded releases; a release folder in published/ that is a link is an error."""
    slugs = set()
    for path in sources.under(RECORD_DIR):
        parts = path[0].split("/")
        if parts[1].startswith("."):
            continue  # what an act killed before it ended left behind (`record.rewriting`)
        if len(parts) == 2 and os.path.islink(config.root / path[0]):
            try:
                linked_record_problem(config.root / path[0])
            except PressgenError as exc:
                problems.extend(exc)
        elif len(parts) == 3 and parts[2] == RECORD_NAME:
            slugs.add(parts[1])
    return sorted(slugs)


def recorded_embargoes(memo: Memo) -> list[dt.datetime]:
    """Return the embargoes of every recorded release not withdrawn (public or not): the build is valid
    until the next lifts."""
    return [moment for value in memo.section(EMBARGOES).values() if (moment := _moment(value)) is not None]


def _recorded_facts(config: Config, versions: list[PublicVersion]) -> RecordedRecord:
    """Return what the build needs of a recorded release to list it and key its documents."""
    source = next(v for v in versions if v.version.source is None)
    release = source.release
    facts: list[VersionRecord] = []
    for version in versions:
        lags = None
        if version.lags:
            lags = (
                f"translates the {source.lang} version of {config.day(_reflects(version, source))}, which was "
                f"updated on {config.day(source.version.changed)} (translate the changes, then publish them)"
            )
        facts.append(
            {
                "lang": version.lang,
                "published": _iso(version.public_at()),
                "modified": _iso(version.version.changed if version.version.updates else None),
                "lags": lags,
                "metadata": _metadata_facts(version.release),
            }
        )
    order = {code: index for index, code in enumerate(config.codes)}
    withdrawn = source.record.withdrawn
    return {
        "lang": release.lang,
        "date": release.date.isoformat(),
        "embargo": _iso(release.embargo),
        "withdrawn": _iso(withdrawn.at) if withdrawn is not None else None,
        "versions": sorted(facts, key=lambda f: order.get(f["lang"], len(order))),
    }


def _check_pictures(releases: list[Release]) -> None:
    problems = Problems()
    for release in releases:
        for src, line in body_assets(release):
            problem = asset_problem(release.folder, src)
            if problem:
                problems.error(f"image '{src}' {problem}", release.path, line)
    problems.raise_if_any()


def _lag_view(config: Config, version: PublicVersion, source: PublicVersion) -> LagView:
    """Say which source version a lagging translation reflects, and link to the current one."""
    here, there = urls.release_page(version.lang, version.slug), urls.release_page(source.lang, source.slug)
    return LagView(
        reflects_text=format_day(_reflects(version, source), version.language, config),
        updated_text=format_day(source.version.changed, version.language, config),
        source_name=source.language.name_in(version.language.locale),
        source_lang=source.lang,
        href=there.relative_to(here),
        url=there.url(config.base_url),
    )


def _reflects(version: PublicVersion, source: PublicVersion) -> dt.datetime:
    """Return when the source version that a translation translates was published (or updated)."""
    moments = [source.version.published, *(u.at for u in source.version.updates)]
    return max((m for m in moments if m <= version.version.changed), default=source.version.published)


# --- the preview: the current sources ------------------------------------------------------------


class _Current:
    """A release as it is in releases/ and its catalogs, read when a document of it is rendered."""

    def __init__(self, config: Config, path: Path, versions: dict[str, Version] | None):
        self.config = config
        self.path = path
        self.versions = versions
        self._release: Release | None = None
        self.pending = 0  # documents of the release not yet written: its assessment is kept until then

    def release(self, lang: str) -> Release:
        if self._release is None:
            if self.versions:
                self._release = next(iter(self.versions.values())).release
            else:
                self._release = with_change_notes(read_release(self.path, self.config), self.config)
        return self._release

    def done(self) -> None:
        # A cold preview assesses every release before it writes any: holding every assessment
        # until the end made serve's first build's memory grow with the archive. Once its documents are
        # written, a release is read again from its files if anything still asks for it.
        self.pending -= 1
        if self.pending <= 0:
            self.versions = None
            self._release = None

    def localised(self, document: Document) -> LocalisedRelease:
        release = self.release(document.lang)
        if self.versions is not None:
            catalog = self.versions[document.lang].catalog
        else:
            path = release_catalog_path(self.config, document.lang, release.slug)
            catalog = read_catalog(path, document.language) if document.lang != release.lang and path.exists() else None
        localised = localise_release(release, document.language, catalog, self.config, draft=document.draft)
        return replace(localised, preview=True)


def _stop_if_unreadable(findings: list[Diagnostic]) -> None:
    """Raise the problems of the files a preview's checks could not read (a glossary, a word list)."""
    unreadable = list(dict.fromkeys(f for f in findings if cannot_be_read(f)))
    if unreadable:
        raise PressgenError.collect(unreadable)


def _interface_verdict(
    config: Config, sources: Sources, memo: Memo, base: str, checks: list[tuple[str, str]]
) -> tuple[dict[str, list[str]], Interface | None]:
    """Return why the interface keeps each language unpublished, kept by the digests of the templates, the
    interface catalogs and what the checks read; with the interface's assessment if it was made now."""
    key = digest_of(base, "interface", sources.under("templates"), checks, _interface_digests(config, sources))
    kept = memo.section(INTERFACE).get(key)
    if kept is not None:
        return kept, None
    interface = assess_interface(config)
    _stop_if_unreadable([f for found in interface.findings.values() for f in found])
    return memo.section(INTERFACE).put(key, {lang: interface.reasons(lang) for lang in config.codes}), interface


def preview_documents(
    config: Config,
    sources: Sources,
    memo: Memo,
    facts: list[ReleaseFacts],
    options: BuildOptions,
    now: dt.datetime,
    report: BuildReport,
) -> list[Document]:
    """Choose every version of the current sources, unapproved ones as drafts: a preview.

    The gate's verdict on a version (its catalog counted and checked) is kept by the digest of
    what it reads: the release, its record's change notes, the catalog, and the language's word
    list and glossary; the interface catalogs' verdict by the digests of the templates and the
    interface catalogs.
    """
    base = digest_of(code_version(), sources.digest("pressgen.toml"))
    checks = [(path, value) for path, value in sources.under("locales") if not path.endswith(".po")]
    interface_reasons, interface = _interface_verdict(config, sources, memo, base, checks)
    keys = {release.slug: _gate_keys(config, sources, base, release, checks) for release in facts}
    assessed = _assess(config, memo, facts, keys, now, interface)

    documents: list[Document] = []
    shown: list[tuple[Path, MetadataFacts]] = []
    for release in facts:
        embargoed = release.embargo is not None and release.embargo > now
        if options.embargoed and not embargoed:
            continue
        shown.append((release.path, release.metadata))
        texts = _Current(config, release.path, assessed.get(release.slug))
        for language in config.languages:
            key = keys[release.slug][language.code]
            verdict = memo.section(GATE).get(key)
            assert verdict is not None  # kept or made just above
            reasons = list(verdict["reasons"])
            if language.code != release.lang:
                reasons += interface_reasons.get(language.code, [])
            if reasons:
                report.drafts.append(note("draft", f"{release.slug} [{language.code}]: {'; '.join(reasons)}"))
            documents.append(
                Document(
                    slug=release.slug,
                    language=language,
                    release_lang=release.lang,
                    date=release.date,
                    embargo=release.embargo,
                    published=None,
                    modified=None,
                    listed=True,
                    key=digest_of(key, bool(reasons), options.embargoed),
                    source=release.path,
                    folder=release.path.parent,
                    texts=texts,
                    draft=bool(reasons),
                    keep_metadata=config.keeps_picture_metadata(release.metadata[0]),
                )
            )
            texts.pending += 1
    _metadata_warnings(config, shown, report)
    documents.sort(key=lambda d: (d.date, d.slug), reverse=True)
    return documents


def _gate_keys(
    config: Config, sources: Sources, base: str, release: ReleaseFacts, checks: list[tuple[str, str]]
) -> dict[str, str]:
    """Return the key of the gate's verdict on each language version of a release, by language."""
    record = sources.digest(f"{RECORD_DIR}/{release.slug}/{RECORD_NAME}")
    folder = sources.under(f"releases/{release.slug}")
    keys = {}
    for language in config.languages:
        path = release_catalog_path(config, language.code, release.slug).relative_to(config.root).as_posix()
        catalog = sources.digest(path)
        keys[language.code] = digest_of(base, "draft", release.key, record, folder, language.code, catalog, checks)
    return keys


def _assess(
    config: Config,
    memo: Memo,
    facts: list[ReleaseFacts],
    keys: dict[str, dict[str, str]],
    now: dt.datetime,
    interface: Interface | None,
) -> dict[str, dict[str, Version]]:
    """Assess the releases with a version the memo holds no verdict on; keep each verdict (`GATE`)."""
    missing = [r for r in facts if any(memo.section(GATE).get(key) is None for key in keys[r.slug].values())]
    assessed: dict[str, dict[str, Version]] = {}
    if missing:
        releases = [with_change_notes(read_release(r.path, config), config) for r in missing]
        interface = interface or assess_interface(config)
        assessment = assess(config, releases, now, interface)
        _stop_if_unreadable(assessment.unreadable())
        for version in assessment.versions:
            assessed.setdefault(version.release.slug, {})[version.lang] = version
            own = [r for r in version.reasons if r not in interface.reasons(version.lang)]
            memo.section(GATE).put(keys[version.release.slug][version.lang], {"reasons": own})
    return assessed


def _interface_digests(config: Config, sources: Sources) -> list[str | None]:
    return [sources.digest(f"locales/{code}/LC_MESSAGES/messages.po") for code in config.codes]
