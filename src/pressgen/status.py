"""The publish gate: which language versions of which releases are published, and why not.

A language version of a release is published only when (1) the release is not under embargo
at the build's `now`, and, for a language other than the release's source language, (2) its
release catalog exists and has a translation for every message of the *current* source (a
catalog that lags behind the source counts the new messages as missing), with no fuzzy one,
and (3) the interface catalog of that language is complete in the same sense. The source
language is always published (outside an embargo). The reasons are kept, so that `build`
and `status` can say why a version was left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from babel.messages.catalog import Catalog

from pressgen.catalogs import (
    INTERFACE_SOURCE_LANG,
    interface_catalog_path,
    interface_template,
    read_catalog,
    release_catalog_path,
    release_template,
)
from pressgen.checks import check_catalog
from pressgen.config import Config, Language
from pressgen.errors import Diagnostic, PressgenError, plural
from pressgen.findings import FindingsMemo
from pressgen.langchecks import CheckContext, load_context
from pressgen.releases import Release


@dataclass(frozen=True)
class Counts:
    """How many messages of a source are translated, fuzzy or missing in one catalog."""

    translated: int = 0
    fuzzy: int = 0
    missing: int = 0


@dataclass(frozen=True)
class Version:
    """One release in one language, and whether the gate lets it out."""

    release: Release
    language: Language
    counts: Counts
    catalog: Catalog | None
    is_source: bool
    reasons: tuple[str, ...] = field(default=())
    embargoed: bool = False
    findings: tuple[Diagnostic, ...] = ()
    catalog_path: Path | None = None
    interface_reasons: tuple[str, ...] = ()  # those of `reasons` that are the interface catalog's

    @property
    def own_reasons(self) -> tuple[str, ...]:
        """Return why the version itself (its catalog) is not approved, the interface's reasons left out."""
        return tuple(r for r in self.reasons if r not in self.interface_reasons)

    @property
    def approved(self) -> bool:
        """Tell whether the gate lets this version be published: nothing untranslated, fuzzy or wrong."""
        return not self.reasons

    @property
    def lang(self) -> str:
        return self.language.code


def count_messages(template: Catalog, catalog: Catalog | None) -> Counts:
    """Count the template's messages by their state in `catalog` (absent counts as missing)."""
    translated = fuzzy = missing = 0
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context) if catalog is not None else None
        if found is None or not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            missing += 1
        elif found.fuzzy:
            fuzzy += 1
        else:
            translated += 1
    return Counts(translated, fuzzy, missing)


def _errors(findings: list[Diagnostic], what: str) -> list[str]:
    errors = sum(1 for f in findings if f.blocking)
    return [f"{what}{plural(errors, 'check error')} (run 'pressgen check')"] if errors else []


def _describe(counts: Counts, what: str) -> list[str]:
    reasons = []
    if counts.missing:
        reasons.append(f"{what}{plural(counts.missing, 'untranslated message')}")
    if counts.fuzzy:
        reasons.append(f"{what}{plural(counts.fuzzy, 'fuzzy message')}")
    return reasons


@dataclass
class Assessment:
    """The gate's verdict on every version, with the catalogs it read."""

    versions: list[Version]
    interface: dict[str, Catalog | None]
    interface_counts: dict[str, Counts]
    interface_findings: dict[str, list[Diagnostic]] = field(default_factory=dict)

    def findings(self) -> list[Diagnostic]:
        """Return every check finding, interface catalogs first."""
        found = [f for findings in self.interface_findings.values() for f in findings]
        return found + [f for v in self.versions for f in v.findings]

    def unreadable(self) -> list[Diagnostic]:
        """Return the problems of the files that cannot be read, each once (`unreadable`)."""
        return unreadable(self.findings())


def unreadable(findings: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return, each once, the findings that say a file cannot be read: catalogs, and the glossaries and
    word lists the checks need (each is its language's reason too). Check findings are not."""
    return list(dict.fromkeys(f for f in findings if cannot_be_read(f)))


def cannot_be_read(finding: Diagnostic) -> bool:
    """Tell whether a finding says a file could not be read: an error no check made (not a flag's warning)."""
    return finding.check is None and finding.severity == "error"


def check_context(
    config: Config,
    catalog: Catalog,
    src: Language,
    dst: Language,
    release: Release | None,
    others: Iterable[Catalog] = (),
) -> CheckContext:
    """What the language checks need for one catalog: its texts, the release's names, the glossary.

    `others` are the release's catalogs in its other languages: what they keep of a message as it
    is tells a name from a word (`langchecks.CheckContext.witnesses`).
    """
    pairs = _pairs(catalog)
    names = _names(release) if release else []
    witnesses: dict[str, tuple[tuple[str, str], ...]] = {}
    for other in others:
        lang = other.locale.language if other.locale else ""
        for source, translation in _pairs(other, approved=True):
            witnesses[source] = (*witnesses.get(source, ()), (lang, translation))
    return load_context(
        config.locales_dir,
        src,
        dst,
        config.languages,
        pairs,
        names,
        quotes=dst.quotes,
        witnesses=witnesses,
    )


def _names(release: Release) -> list[str]:
    """Return the names of the people a release names in its front matter (the checks keep them)."""
    return [n for n in (release.author, *(c.name for c in release.contacts)) if n]


def _pairs(catalog: Catalog, approved: bool = False) -> list[tuple[str, str]]:
    """Return a catalog's (source, translation) texts: all translated ones, or only the approved."""
    return [
        (m.id, m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and not (approved and (m.fuzzy or not m.string))
    ]


def read_interfaces(
    config: Config, langs: Iterable[str] | None = None
) -> tuple[dict[str, Catalog | None], dict[str, list[Diagnostic]]]:
    """Read the interface catalogs of `langs` (default: every language): the catalogs, and the problems of
    those that cannot be read (None for them, for the templates' language, and where there is none)."""
    found: dict[str, Catalog | None] = {}
    broken: dict[str, list[Diagnostic]] = {}
    for language in config.languages:
        if langs is not None and language.code not in langs:
            continue
        path = interface_catalog_path(config, language.code)
        found[language.code] = None
        if language.code != INTERFACE_SOURCE_LANG and (path.exists() or path.is_symlink()):
            try:
                found[language.code] = read_catalog(path, language)
            except PressgenError as exc:
                broken[language.code] = exc.diagnostics
    return found, broken


def _unreadable(diagnostics: list[Diagnostic], what: str) -> str:
    """Return the reason a catalog that cannot be read gives: its first problem, with its line."""
    first = diagnostics[0]
    where = f" (line {first.line})" if first.line is not None else ""
    return f"{what}the catalog cannot be read: {first.message}{where}"


@dataclass
class Interface:
    """The interface catalogs, and what the gate makes of each: counts, check findings, reasons."""

    catalogs: dict[str, Catalog | None]
    counts: dict[str, Counts]
    findings: dict[str, list[Diagnostic]]
    broken: dict[str, list[Diagnostic]] = field(default_factory=dict)  # the problems of those that cannot be read

    def reasons(self, code: str) -> list[str]:
        """Return why the interface keeps a translation of language `code` unpublished (none: it does not)."""
        if code == INTERFACE_SOURCE_LANG:
            return []
        if code in self.broken:
            return [_unreadable(self.broken[code], "interface: ")]
        if self.catalogs.get(code) is None:
            return ["no interface catalog (run 'pressgen update')"]
        return _describe(self.counts[code], "interface: ") + _errors(self.findings.get(code, []), "interface: ")


def assess_interface(config: Config, langs: Iterable[str] | None = None, memo: FindingsMemo | None = None) -> Interface:
    """Read the interface catalogs (of `langs`, default: all) and count and check them against the templates' strings.

    A catalog that cannot be read keeps its language unpublished: its problems are the findings.
    """
    interface, broken = read_interfaces(config, langs)
    findings = memo or FindingsMemo(config)
    interface_counts: dict[str, Counts] = {}
    interface_findings: dict[str, list[Diagnostic]] = {code: list(found) for code, found in broken.items()}
    # The templates' strings are extracted only for a language that has a catalog to count against them.
    pot = interface_template(config) if any(c != INTERFACE_SOURCE_LANG for c in interface) else Catalog()
    templates_language = config.language(INTERFACE_SOURCE_LANG) if INTERFACE_SOURCE_LANG in config.codes else None
    for language in config.languages:
        if language.code not in interface:
            continue
        if language.code == INTERFACE_SOURCE_LANG:
            interface_counts[language.code] = Counts(translated=sum(1 for m in pot if m.id))
            continue
        path = interface_catalog_path(config, language.code)
        catalog = interface[language.code]
        interface_counts[language.code] = count_messages(pot, catalog)
        if catalog is not None and templates_language is not None:
            check = partial(_check, config, catalog, path, templates_language, language, None, [])
            try:
                interface_findings[language.code] = findings.findings(findings.key(path), check)
            except PressgenError as exc:  # the language's glossary or word list
                interface_findings[language.code] = exc.diagnostics
    if memo is None:
        findings.save()
    return Interface(interface, interface_counts, interface_findings, broken)


def assess(
    config: Config,
    releases: list[Release],
    now: dt.datetime,
    interface: Interface | None = None,
    langs: Iterable[str] | None = None,
) -> Assessment:
    """Read the catalogs and decide, for each release and language, whether it is published.

    Only the languages `langs` are assessed (default: all; the release's own language always):
    `publish --lang nl` reads nothing of Romanian. A catalog that cannot be read keeps its language
    unpublished, with its problems as the version's findings. `interface` is the interface
    catalogs' assessment, if it was made already.
    """
    wanted = set(langs) if langs is not None else set(config.codes)
    translations = {lang for release in releases for lang in wanted if lang != release.lang}
    memo = FindingsMemo(config)
    interface = interface or assess_interface(config, translations, memo)
    versions: list[Version] = []
    for release in releases:
        template = release_template(release)
        embargoed = release.embargo is not None and release.embargo > now
        # Every translation's catalog that can be read: the others witness what a name is
        # (`check_context`); one that cannot be read stops only its own language.
        catalogs: dict[str, Catalog | PressgenError | None] = {
            language.code: _read_translation(config, release, language)
            for language in config.languages
            if language.code != release.lang
        }
        for language in config.languages:
            if language.code == release.lang:
                total = sum(1 for m in template if m.id)
                versions.append(Version(release, language, Counts(translated=total), None, True, (), embargoed))
                continue
            if language.code not in wanted:
                continue
            read = catalogs[language.code]
            others = [c for code, c in catalogs.items() if code != language.code and isinstance(c, Catalog)]
            versions.append(
                _assess_translation(config, release, language, template, embargoed, interface, read, others, memo)
            )
    memo.save()
    return Assessment(versions, interface.catalogs, interface.counts, interface.findings)


def _read_translation(config: Config, release: Release, language: Language) -> Catalog | PressgenError | None:
    """Read one translation's catalog: the catalog, why it cannot be read, or None where there is none."""
    path = release_catalog_path(config, language.code, release.slug)
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return read_catalog(path, language)
    except PressgenError as exc:
        return exc


def _assess_translation(
    config: Config,
    release: Release,
    language: Language,
    template: Catalog,
    embargoed: bool,
    interface: Interface,
    read: Catalog | PressgenError | None,
    others: list[Catalog],
    memo: FindingsMemo,
) -> Version:
    """Decide whether one translation of a release is approved: its catalog counted and checked.

    `read` is its catalog as `_read_translation` read it; `others` are the release's catalogs in
    its other languages (`check_context`'s witnesses).
    """
    path = release_catalog_path(config, language.code, release.slug)
    catalog = read if isinstance(read, Catalog) else None
    reasons: list[str] = []
    findings: list[Diagnostic] = []
    if read is None:
        reasons.append("no catalog yet (run 'pressgen update')")
    elif isinstance(read, PressgenError):
        reasons.append(_unreadable(read.diagnostics, ""))
        findings = read.diagnostics
    counts = count_messages(template, catalog)
    if catalog is not None:
        reasons += _describe(counts, "")
        src = config.language(release.lang)
        # What the checks read besides the catalog: the release's names (not its text: a fixed typo
        # of the source checks no translation again), and its other translations (witnesses of
        # what a name is).
        inputs = [
            release_catalog_path(config, lang.code, release.slug)
            for lang in config.languages
            if lang.code not in (release.lang, language.code)
        ]
        check = partial(_check, config, catalog, path, src, language, release, others)
        try:
            findings = memo.findings(memo.key(path, *inputs, names=_names(release)), check)
        except PressgenError as exc:  # the language's glossary or word list
            findings = exc.diagnostics
        reasons += _errors(findings, "")
    theirs = tuple(interface.reasons(language.code))
    reasons += theirs
    return Version(release, language, counts, catalog, False, tuple(reasons), embargoed, tuple(findings), path, theirs)


def _check(
    config: Config,
    catalog: Catalog,
    path: Path,
    src: Language,
    dst: Language,
    release: Release | None,
    others: list[Catalog],
) -> list[Diagnostic]:
    """Run the checks on one catalog (`FindingsMemo` keeps what they find)."""
    return check_catalog(catalog, path, src, dst, check_context(config, catalog, src, dst, release, others))


def blockers(config: Config, assessment: Assessment, version: Version) -> list[Diagnostic]:
    """Return why a version is not approved, each problem with its catalog's path and line."""
    found: list[Diagnostic] = []
    template = release_template(version.release)
    if version.catalog_path is not None:
        if version.catalog is not None:
            found += _unapproved(template, version.catalog, version.catalog_path)
        elif not version.findings:
            found.append(Diagnostic("no catalog yet (run 'pressgen update')", version.catalog_path))
    found += [f for f in version.findings if f.blocking]
    if not version.is_source and version.lang != INTERFACE_SOURCE_LANG:
        path = interface_catalog_path(config, version.lang)
        catalog = assessment.interface.get(version.lang)
        if catalog is None and not assessment.interface_findings.get(version.lang):
            found.append(Diagnostic("no interface catalog (run 'pressgen update')", path))
        elif catalog is None:
            found += assessment.interface_findings[version.lang]
        else:
            found += _unapproved(interface_template(config), catalog, path, "interface: ")
            found += [f for f in assessment.interface_findings.get(version.lang, []) if f.blocking]
    return found


def _unapproved(template: Catalog, catalog: Catalog, path: Path, what: str = "") -> list[Diagnostic]:
    found = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        shown = str(message.id if isinstance(message.id, str) else message.id[0])
        shown = shown if len(shown) <= 50 else shown[:50].rsplit(" ", 1)[0] + "…"
        if entry is None:
            found.append(Diagnostic(f"{what}'{shown}' is not in the catalog yet (run 'pressgen update')", path))
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            found.append(Diagnostic(f"{what}untranslated message '{shown}'", path, entry.lineno))
        elif entry.fuzzy:
            found.append(
                Diagnostic(f"{what}fuzzy message '{shown}': approve it (remove the fuzzy flag)", path, entry.lineno)
            )
    return found
