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
from dataclasses import dataclass, field
from typing import Any

from babel.messages.catalog import Catalog

from pressgen.catalogs import (
    INTERFACE_SOURCE_LANG,
    interface_catalog_path,
    interface_template,
    read_catalog,
    release_catalog_path,
    release_template,
)
from pressgen.checks import Finding, check_catalog
from pressgen.config import Config, Language
from pressgen.errors import PressgenError, Problems
from pressgen.langchecks import CheckContext, load_context
from pressgen.releases import Release


@dataclass(frozen=True)
class Counts:
    """How many messages of a source are translated, fuzzy or missing in one catalog."""

    translated: int = 0
    fuzzy: int = 0
    missing: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.missing

    @property
    def complete(self) -> bool:
        return self.fuzzy == 0 and self.missing == 0


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
    findings: tuple[Finding, ...] = ()

    @property
    def published(self) -> bool:
        return not self.reasons and not self.embargoed

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


def _errors(findings: list[Finding], what: str) -> list[str]:
    errors = sum(1 for f in findings if f.severity == "error")
    return [f"{what}{errors} check error{'s' if errors != 1 else ''} (run 'pressgen check')"] if errors else []


def _describe(counts: Counts, what: str) -> list[str]:
    reasons = []
    if counts.missing:
        reasons.append(f"{what}{counts.missing} untranslated message{'s' if counts.missing != 1 else ''}")
    if counts.fuzzy:
        reasons.append(f"{what}{counts.fuzzy} fuzzy message{'s' if counts.fuzzy != 1 else ''}")
    return reasons


@dataclass
class Assessment:
    """The gate's verdict on every version, with the catalogs it read."""

    versions: list[Version]
    interface: dict[str, Catalog | None]
    interface_counts: dict[str, Counts]
    interface_findings: dict[str, list[Finding]] = field(default_factory=dict)

    def findings(self) -> list[Finding]:
        """Return every check finding, interface catalogs first."""
        found = [f for findings in self.interface_findings.values() for f in findings]
        return found + [f for v in self.versions for f in v.findings]


def _context(config: Config, catalog: Catalog, src: Language, dst: Language, release: Release | None) -> CheckContext:
    """What the language checks need for one catalog: its texts, the release's names, the glossary."""
    pairs = [(m.id, m.string) for m in catalog if m.id and isinstance(m.id, str) and isinstance(m.string, str)]
    names = [release.author, *(c.name for c in release.contacts)] if release else []
    return load_context(
        config.locales_dir, src, dst, config.languages, pairs, [n for n in names if n], quotes=dst.quotes
    )


def assess(config: Config, releases: list[Release], now: dt.datetime) -> Assessment:
    """Read every catalog and decide, for each release and language, whether it is published."""
    problems = Problems()
    interface: dict[str, Catalog | None] = {}
    interface_counts: dict[str, Counts] = {}
    interface_findings: dict[str, list[Finding]] = {}
    pot = interface_template(config)
    templates_language = config.language(INTERFACE_SOURCE_LANG) if INTERFACE_SOURCE_LANG in config.codes else None
    for language in config.languages:
        if language.code == INTERFACE_SOURCE_LANG:
            interface[language.code] = None
            interface_counts[language.code] = Counts(translated=sum(1 for m in pot if m.id))
            continue
        path = interface_catalog_path(config, language.code)
        catalog = None
        if path.exists():
            try:
                catalog = read_catalog(path, language)
            except PressgenError as exc:
                problems.extend(exc)
        interface[language.code] = catalog
        interface_counts[language.code] = count_messages(pot, catalog)
        if catalog is not None and templates_language is not None:
            context = _context(config, catalog, templates_language, language, None)
            interface_findings[language.code] = check_catalog(catalog, path, templates_language, language, context)

    versions: list[Version] = []
    for release in releases:
        template = release_template(release)
        embargoed = release.embargo is not None and release.embargo > now
        for language in config.languages:
            if language.code == release.lang:
                total = sum(1 for m in template if m.id)
                versions.append(Version(release, language, Counts(translated=total), None, True, (), embargoed))
                continue
            path = release_catalog_path(config, language.code, release.slug)
            catalog = None
            reasons: list[str] = []
            if not path.exists():
                reasons.append("no catalog yet (run 'pressgen update')")
            else:
                try:
                    catalog = read_catalog(path, language)
                except PressgenError as exc:
                    problems.extend(exc)
            counts = count_messages(template, catalog)
            findings: list[Finding] = []
            if catalog is not None:
                reasons += _describe(counts, "")
                src = config.language(release.lang)
                context = _context(config, catalog, src, language, release)
                findings = check_catalog(catalog, path, src, language, context)
                reasons += _errors(findings, "")
            if language.code != INTERFACE_SOURCE_LANG:
                if interface[language.code] is None:
                    reasons.append("no interface catalog (run 'pressgen update')")
                else:
                    reasons += _describe(interface_counts[language.code], "interface: ")
                    reasons += _errors(interface_findings.get(language.code, []), "interface: ")
            versions.append(
                Version(release, language, counts, catalog, False, tuple(reasons), embargoed, tuple(findings))
            )
    problems.raise_if_any()
    return Assessment(versions, interface, interface_counts, interface_findings)


def status_rows(assessment: Assessment) -> dict[str, Any]:
    """Return the assessment as plain data, for the table and for `--format json`."""
    versions = []
    totals: dict[str, dict[str, int]] = {}
    for version in assessment.versions:
        counts = version.counts
        reasons = list(version.reasons)
        if version.embargoed:
            reasons.insert(
                0, f"under embargo until {version.release.embargo.isoformat() if version.release.embargo else ''}"
            )
        versions.append(
            {
                "release": version.release.slug,
                "lang": version.lang,
                "source": version.is_source,
                "translated": counts.translated,
                "fuzzy": counts.fuzzy,
                "missing": counts.missing,
                "published": version.published,
                "reasons": reasons,
            }
        )
        total = totals.setdefault(
            version.lang, {"translated": 0, "fuzzy": 0, "missing": 0, "published": 0, "releases": 0}
        )
        total["translated"] += counts.translated
        total["fuzzy"] += counts.fuzzy
        total["missing"] += counts.missing
        total["published"] += int(version.published)
        total["releases"] += 1
    interface = {
        lang: {"translated": c.translated, "fuzzy": c.fuzzy, "missing": c.missing}
        for lang, c in assessment.interface_counts.items()
    }
    return {"versions": versions, "totals": totals, "interface": interface}
