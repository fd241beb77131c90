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
from dataclasses import dataclass, field, replace
from pathlib import Path

from babel.messages.catalog import Catalog

from pressgen.catalogs import (
    EPOCH,
    INTERFACE_SOURCE_LANG,
    interface_template,
    lookup,
    read_catalog,
    release_template,
)
from pressgen.config import Config, Language
from pressgen.errors import Diagnostic, PressgenError, Problems, UsageError
from pressgen.files import real_dir
from pressgen.form import placeholder_problems
from pressgen.markup import typed_text_problem
from pressgen.output import project_lock
from pressgen.po import serialise
from pressgen.record import (
    ReleaseRecord,
    Update,
    VersionRecord,
    Withdrawal,
    interface_copy_path,
    read_record,
    record_path,
    recorded_slugs,
    rewriting,
    tidy_record,
    write_new,
    write_record,
)
from pressgen.releases import (
    ChangeNote,
    Release,
    VersionOf,
    asset_problem,
    read_release,
    release_files,
    release_folders,
    slug_argument,
    with_change_notes,
)
from pressgen.repair import repair_versions, restoring_command
from pressgen.segment import body_assets
from pressgen.snapshots import (
    approved_messages,
    recorded_texts,
    snapshot_dir,
    source_digest,
    translation_digest,
    write_snapshot,
)
from pressgen.status import Assessment, Interface, Version, assess, assess_interface, blockers


@dataclass
class PublishReport:
    """What one `publish` did, release by release and language by language."""

    recorded: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, lang, "published" | "updated" …)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, lang, why not)
    interfaces: list[str] = field(default_factory=list)  # languages whose interface strings were recorded
    repaired: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, lang, where from)
    named: list[str] = field(default_factory=list)  # the releases the act was asked to publish


def publish(
    config: Config,
    slugs: list[str],
    langs: list[str],
    note: str | None = None,
    minor: bool = False,
    now: dt.datetime | None = None,
    repair: bool = False,
) -> PublishReport:
    """Record the approved language versions of releases (every approved one unless `langs` names some).

    Everything is decided before anything is written: a refused act writes nothing. Each release's
    record then changes in one step (`record.rewriting`). With `repair`, the published texts of
    recorded versions that differ from their record are restored instead (`repair.py`).
    """
    moment = now or dt.datetime.now(dt.UTC)
    if note is not None:
        check_typed_text(note, "--note")
    if note is not None and minor:
        raise UsageError("give a change note (--note) or --minor, not both")
    if note is not None and not note.strip():
        raise UsageError("the change note (--note) is empty")
    if repair and (note is not None or minor):
        raise UsageError("--repair restores what was published: it takes no --note or --minor")
    for lang in langs:
        if lang not in config.codes:
            raise UsageError(f"--lang {lang}: not one of the configured languages {list(config.codes)}")
    report = PublishReport()
    with project_lock(real_dir(config.cache_dir, config.root)):
        tidy_record(config)
        if repair:
            named = [slug_argument(s, config, recorded_slugs(config), "published/") for s in slugs]
            for slug in dict.fromkeys(named):
                intact, repaired = repair_versions(config, slug, langs)
                report.unchanged += [(slug, lang) for lang in intact]
                report.repaired += [(slug, lang, where) for lang, where in repaired]
            return report
        known = [folder.name for folder in release_folders(config)]
        named = list(dict.fromkeys(slug_argument(s, config, known) for s in slugs))
        report.named = named
        problems = Problems()
        plans: list[_Plan] = []
        interfaces: dict[tuple[str, ...], Interface] = {}  # assessed once an act, by the languages it needs
        for slug in named:
            try:
                release = _read_named(config, slug)
                plans.append(_plan(config, release, langs, note, minor, moment, report, interfaces))
            except PressgenError as exc:
                problems.extend(exc)
        problems.raise_if_any()
        for plan in plans:
            plan.write(config)
            report.recorded += plan.recorded
        _record_interfaces(config, plans, report)
    return report


def check_typed_text(text: str, option: str) -> None:
    """Refuse a text typed on the command line that cannot be recorded as it is (`markup.typed_text_problem`)."""
    problem = typed_text_problem(text)
    if problem is not None:
        raise UsageError(f"{option}: the text {problem}")


def _read_named(config: Config, slug: str) -> Release:
    """Read the one release an act names: only its own problems can stop the act."""
    problems = Problems()
    paths = release_files(config, problems, only=slug)
    problems.raise_if_any()
    return with_change_notes(read_release(paths[0], config), config)


@dataclass
class _Plan:
    """What an act records of one release: its record as it will be, and the texts to copy in."""

    release: Release
    record: ReleaseRecord
    source_lang: str
    snapshots: list[tuple[str, list[tuple[str, str]] | None]] = field(default_factory=list)  # (lang, messages)
    recorded: list[tuple[str, str, str]] = field(default_factory=list)
    approved: list[Version] = field(default_factory=list)  # the translations approved in this act
    interfaces: dict[str, Catalog | None] = field(default_factory=dict)

    def write(self, config: Config) -> None:
        """Write the record and the texts of the versions it records, as one step."""
        if not self.recorded:
            return
        with rewriting(config, self.release.slug) as stage:
            for lang, messages in self.snapshots:
                write_snapshot(config, self.release, lang, stage / lang, messages)
                # What was copied is what was approved: a file saved meanwhile must not slip in.
                if recorded_texts(config, self.record, self.record.versions[lang], stage / lang)[2] != (
                    self.record.versions[lang].text
                ):
                    raise PressgenError(
                        "changed while it was being published: nothing was recorded; publish it again",
                        self.release.path,
                    )
            write_record(config, self.record, self.source_lang, stage)


def _plan(
    config: Config,
    release: Release,
    langs: list[str],
    note: str | None,
    minor: bool,
    now: dt.datetime,
    report: PublishReport,
    interfaces: dict[tuple[str, ...], Interface],
) -> _Plan:
    """Decide what to record of one release; raise, writing nothing, if any version named is refused."""
    record = read_record(config, release.slug) or ReleaseRecord(release.slug, record_path(config, release.slug))
    source_lang = release.lang
    wanted = list(dict.fromkeys(langs)) if langs else list(config.codes)
    explicit = bool(langs)
    if record.withdrawn is not None:
        return _plan_reasons(config, release, record, wanted, explicit, now, report)
    translations = tuple(sorted(lang for lang in wanted if lang != source_lang))
    if translations and translations not in interfaces:
        interfaces[translations] = assess_interface(config, translations)
    _check_images(release)
    digest = source_digest(release)
    recorded_source = record.version(source_lang)
    source_changes = recorded_source is None or recorded_source.text != digest
    publishes_source = source_lang in wanted and source_changes
    # A note given with the source is the source's; it is a message of the release, which each
    # translation must have translated before it is republished with it.
    if note is not None and publishes_source and recorded_source is not None:
        pending = ChangeNote(note, now, record.path.relative_to(config.root).as_posix(), None)
        release = replace(release, change_notes=(*release.change_notes, pending))
    assessment = assess(config, [release], now, interfaces.get(translations), langs=wanted)
    plan = _Plan(release, record, source_lang)
    act = _Act(wanted, explicit, note, minor, now, report)
    problems = Problems()
    source = _plan_source(config, plan, act, recorded_source, digest, problems)
    _plan_translations(config, plan, act, assessment, source, digest, problems)
    problems.raise_if_any()
    plan.interfaces = assessment.interface
    return plan


def _check_images(release: Release) -> None:
    """Refuse a release whose body shows an image that cannot be published with it."""
    problems = Problems()
    for src, line in body_assets(release):
        problem = asset_problem(release.folder, src)
        if problem:
            problems.error(f"image '{src}' {problem}", release.path, line)
    problems.raise_if_any()


@dataclass(frozen=True)
class _Act:
    """What one act asks of each release it names: which languages, and how to record them."""

    wanted: list[str]
    explicit: bool  # the languages were named (--lang): a version that cannot be recorded stops the act
    note: str | None
    minor: bool
    now: dt.datetime
    report: PublishReport


def _plan_source(
    config: Config, plan: _Plan, act: _Act, recorded_source: VersionRecord | None, digest: str, problems: Problems
) -> VersionRecord | None:
    """Plan the source version (if it is wanted and changed); return its record entry as it will be."""
    release, record, source_lang = plan.release, plan.record, plan.source_lang
    wanted, explicit, note, minor, now, report = act.wanted, act.explicit, act.note, act.minor, act.now, act.report
    source_changes = recorded_source is None or recorded_source.text != digest
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
                f"{config.day(recorded_source.changed)}: give a change note (--note TEXT), or --minor "
                "for a correction readers need not be told about",
                release.path,
            )
        else:
            source = _source_entry(config, recorded_source, source_lang, digest, None if minor else note, now, record)
            plan.snapshots.append((source_lang, None))
            plan.record = plan.record.with_version(source)
            plan.recorded.append((release.slug, source_lang, "published" if recorded_source is None else "updated"))
    elif explicit and source_changes and any(lang != source_lang for lang in wanted):
        # Translations always translate the recorded source: it must not have unpublished changes.
        what = "is not published yet" if recorded_source is None else "has changes that are not published"
        problems.error(
            f"the {config.language(source_lang).name} version {what}: publish it first, or together "
            f"(--lang {source_lang})",
            release.path,
        )
    return source


def _plan_translations(
    config: Config,
    plan: _Plan,
    act: _Act,
    assessment: Assessment,
    source: VersionRecord | None,
    digest: str,
    problems: Problems,
) -> None:
    """Plan each translation wanted: record it if it is approved and changed, against `source`."""
    release, record, source_lang = plan.release, plan.record, plan.source_lang
    explicit, report = act.explicit, act.report
    versions = {v.lang: v for v in assessment.versions}
    template = release_template(release)
    for lang in act.wanted:
        if lang == source_lang:
            continue
        version = versions[lang]
        recorded = record.version(lang)
        if version.reasons and not version.own_reasons and source is not None and recorded is not None:
            # Only the interface catalog is not approved: it stops this version only if it is to change.
            texts = translation_digest(source.text, approved_messages(template, version.catalog))
            if texts == recorded.text and source.text == digest:
                report.unchanged.append((release.slug, lang))
                continue
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
            entry = _translation_entry(config, recorded, version, source, messages, act.note, act.minor, act.now)
        except PressgenError as exc:
            problems.extend(exc)
            continue
        plan.approved.append(version)
        if entry is None:
            report.unchanged.append((release.slug, lang))
        else:
            plan.snapshots.append((lang, messages))
            plan.record = plan.record.with_version(entry)
            plan.recorded.append((release.slug, lang, "published" if recorded is None else "updated"))


def _plan_reasons(
    config: Config,
    release: Release,
    record: ReleaseRecord,
    wanted: list[str],
    explicit: bool,
    now: dt.datetime,
    report: PublishReport,
) -> _Plan:
    """Plan the one thing an act records of a withdrawn release: the approved translations of its reason.

    The reason is a message of the release's catalogs (`#. withdrawal reason of DATE`), approved
    like any other; until its translation is recorded, a translation shows it in the source language.
    """
    withdrawn = record.withdrawn
    assert withdrawn is not None and release.withdrawal is not None
    reason = " ".join(release.withdrawal.text.split())
    plan = _Plan(release, record, release.lang)
    langs = [lang for lang in wanted if lang != release.lang and record.version(lang) is not None]
    assessment = assess(config, [release], now, langs=langs)
    problems = Problems()
    translations = dict(withdrawn.translations)
    for version in assessment.versions:
        if version.is_source:
            continue
        message = version.catalog.get(reason) if version.catalog is not None else None
        translated = lookup(version.catalog, reason)
        findings = [f for f in version.findings if f.severity == "error" and message and f.line == message.lineno]
        if translated is None or findings:
            why = "its withdrawal reason is not translated and approved yet" if not findings else "check errors"
            if explicit:
                shown = reason if len(reason) <= 50 else reason[:50] + "…"
                if version.catalog is None:
                    problems.items.extend(version.findings or [Diagnostic(version.reasons[0], version.catalog_path)])
                elif message is None:
                    problems.error(f"'{shown}' is not in the catalog yet (run 'pressgen update')", version.catalog_path)
                elif findings:
                    problems.items.extend(findings)
                else:
                    state = "fuzzy message" if message.fuzzy else "untranslated message"
                    problems.error(
                        f"{state} '{shown}': the reason of the withdrawal", version.catalog_path, message.lineno
                    )
            else:
                report.skipped.append((release.slug, version.lang, why))
        elif translations.get(version.lang) == translated:
            report.unchanged.append((release.slug, version.lang))
        else:
            translations[version.lang] = translated
            plan.recorded.append((release.slug, version.lang, "recorded the withdrawal reason of"))
    if not explicit and not plan.recorded and not any(slug == release.slug for slug, _ in report.unchanged):
        report.skipped = [skip for skip in report.skipped if skip[0] != release.slug]
        problems.error(
            f"the release was withdrawn on {config.day(withdrawn.at)}; a withdrawn release is not published again "
            "(only the translations of its withdrawal reason are, once approved)",
            record.path,
        )
    problems.raise_if_any()
    plan.record = replace(record, withdrawn=replace(withdrawn, translations=translations))
    return plan


def _record_interfaces(config: Config, plans: list[_Plan], report: PublishReport) -> None:
    """Record the interface strings of each language a translation of was approved in this act.

    The public build shows a language's pages with the interface strings as last recorded
    (`interface_copy_path`), never with `locales/`: a translator's save reaches the public site
    only through `publish`, as a release's texts do. The copy holds the approved messages of
    the templates' current strings; it is written only when they changed.
    """
    done: set[str] = set()
    template = None
    for plan in plans:
        for version in plan.approved:
            lang = version.lang
            catalog = plan.interfaces.get(lang)
            if lang in done or lang == INTERFACE_SOURCE_LANG or catalog is None:
                continue
            done.add(lang)
            template = template or interface_template(config)
            approved = {}
            for message in template:
                found = catalog.get(message.id, message.context)
                if message.id and found is not None and found.string and not found.fuzzy:
                    approved[(found.context, _text(found.id))] = found
            path = interface_copy_path(config, lang)
            if _interface_pairs(path, version.language) == {key: _text(m.string) for key, m in approved.items()}:
                continue
            copy = Catalog(
                locale=version.language.locale,
                project="pressgen templates",
                header_comment=INTERFACE_HEADER.format(language=version.language.name),
                creation_date=EPOCH,
                revision_date=EPOCH,
                fuzzy=False,
            )
            for message in approved.values():
                copy.add(message.id, message.string, context=message.context).flags.clear()
            real_dir(path.parent, config.root)
            write_new(path, serialise(copy))
            report.interfaces.append(lang)


INTERFACE_HEADER = (
    "# The interface strings of the templates in {language}, as last approved: written by\n"
    "# 'pressgen publish', shown by 'pressgen build'. Translate locales/, not this file."
)


def _text(value: str | tuple[str, ...] | list[str] | None) -> str:
    return value if isinstance(value, str) else "\0".join(value or ())


def _interface_pairs(path: Path, language: Language) -> dict[tuple[str | None, str], str] | None:
    """Return the messages of a recorded interface copy, None if there is none or it cannot be read."""
    if not path.is_file() or path.is_symlink():
        return None
    try:
        catalog = read_catalog(path, language)
    except PressgenError:
        return None
    return {(m.context, _text(m.id)): _text(m.string) for m in catalog if m.id}


def _source_entry(
    config: Config,
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
    _not_before(config, previous, now, record.path)
    return VersionRecord(lang, previous.published, digest, None, (*previous.updates, Update(now, note)))


def _translation_entry(
    config: Config,
    previous: VersionRecord | None,
    version: Version,
    source: VersionRecord,
    messages: list[tuple[str, str]],
    note: str | None,
    minor: bool,
    now: dt.datetime,
) -> VersionRecord | None:
    """Return the record of a translation as published now, or None if it is published as it is."""
    digest = translation_digest(source.text, messages)
    if previous is not None and previous.text == digest:
        return None
    if previous is None:
        return VersionRecord(version.lang, now, digest, source.text)
    _not_before(config, previous, now, version.catalog_path)
    if previous.source != source.text:
        # Catching up with the source: its change notes since, as translated.
        since = [u.note for u in source.updates if u.note and u.at > previous.changed]
        update = Update(now, " ".join(lookup(version.catalog, n) or n for n in since) or None)
    elif minor or note is not None:
        update = Update(now, None if minor else note)  # a correction of the translation alone
    else:
        raise PressgenError(
            f"the {version.language.name} translation changed since it was published on "
            f"{config.day(previous.changed)}: give a change note in {version.language.name} (--note TEXT), "
            "or --minor for a correction readers need not be told about",
            version.catalog_path,
        )
    return VersionRecord(version.lang, previous.published, digest, source.text, (*previous.updates, update))


def _not_before(config: Config, previous: VersionRecord, now: dt.datetime, path: Path | None) -> None:
    if now < previous.changed:
        raise PressgenError(
            f"--now {config.local(now).isoformat()} is before the last change of this version "
            f"({config.local(previous.changed).isoformat()})",
            path,
        )


def withdraw(config: Config, slug: str, reason: str, now: dt.datetime | None = None) -> ReleaseRecord:
    """Mark a published release withdrawn: its pages stay, marked, and it leaves lists and feeds.

    A release withdrawn before it was ever public (under embargo) is never published. Withdrawing
    reads the record alone: a broken source or catalog cannot stop it.
    """
    check_typed_text(reason, "--reason")
    if not reason.strip():
        raise UsageError("give the reason readers will see (--reason TEXT)")
    with project_lock(real_dir(config.cache_dir, config.root)):
        tidy_record(config)
        recorded = recorded_slugs(config)
        folders = config.releases_dir.iterdir() if config.releases_dir.is_dir() else iter(())
        drafts = [folder.name for folder in folders if folder.name not in recorded]
        slug = slug_argument(slug, config, [*recorded, *drafts], "published/")
        if slug not in recorded:
            raise UsageError(f"'{slug}' was never published: there is nothing to withdraw")
        record = read_record(config, slug)
        assert record is not None
        if record.withdrawn is not None:
            raise PressgenError(f"the release was withdrawn already, on {config.day(record.withdrawn.at)}", record.path)
        source_lang = next((lang for lang, v in record.versions.items() if v.source is None), config.source_language)
        record = replace(record, withdrawn=Withdrawal(now or dt.datetime.now(dt.UTC), reason.strip()))
        with rewriting(config, slug) as stage:
            write_record(config, record, source_lang, stage)
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


def read_versions(config: Config, slug: str) -> list[PublicVersion]:
    """Read one recorded release: each of its language versions, with its texts as published (verified).

    It reads published/ alone: the release's folder in releases/ may be broken, or gone.
    """
    record = read_record(config, slug)
    assert record is not None
    versions: list[PublicVersion] = []
    sources = [r for r in record.versions.values() if r.source is None]
    if len(sources) != 1:
        raise PressgenError("the record must hold exactly one source version (a table without 'source')", record.path)
    source = sources[0]
    for lang, entry in record.versions.items():
        folder = snapshot_dir(config, slug, lang)
        try:
            release, catalog, texts = recorded_texts(config, record, entry, folder)
        except PressgenError as exc:
            raise PressgenError.collect([*exc.diagnostics, _differs(config, record, entry)]) from None
        if texts != entry.text:
            raise PressgenError.collect([_differs(config, record, entry)])
        versions.append(PublicVersion(record, entry, source, release, config.language(lang), catalog))
    return versions


def _differs(config: Config, record: ReleaseRecord, entry: VersionRecord) -> Diagnostic:
    """Say that a version's published texts are not what the record says, and the one way to restore them."""
    return Diagnostic(
        f"the published texts of the {entry.lang} version differ from what the record says was published "
        f"(were they edited by hand?): {restoring_command(config, record, entry)}",
        snapshot_dir(config, record.slug, entry.lang),
    )
