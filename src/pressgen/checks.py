"""Quality checks over catalogs: what a reviewer would catch, each with a name and a severity.

Each check compares one message's source text with its translation and reports findings with
the catalog's path and the message's line. Errors keep a language version out of the build
(see `status.assess`); warnings are for the reviewer. `--fix` repairs what can be repaired
without judgement: Romanian cedilla letters become comma-below letters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, get_group_symbol, parse_decimal

from pressgen.catalogs import catalogs_of
from pressgen.config import Config, Language
from pressgen.errors import IGNORE_FLAG, Diagnostic, Severity, did_you_mean
from pressgen.images import gps_position
from pressgen.langchecks import REPLACES, CheckContext, bind, fix_whitespace, without_dates
from pressgen.markup import EMAIL, PLACEHOLDER, URL, Link, html_tags, invisible_characters, links, markdown
from pressgen.msgfmt import catalog_problems
from pressgen.numberwords import written_numbers
from pressgen.po import PoCatalog, write_po_file
from pressgen.releases import Release, asset_problem
from pressgen.segment import body_assets, extract_messages

CEDILLA = {"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"}
CEDILLA_RE = re.compile("[şţŞŢ]")
ROUND_THE_CLOCK = re.compile(r"(?<![\d.,/])24/7(?![\d/])")
NUMBER = re.compile(r"\d(?:[\d.,\u00a0\u202f\u2009]*\d)?")
END_PUNCTUATION = ".!?:;…"
# What no reviewer can accept with an `ignore-<check>` flag: it breaks a page or a reader's trust
# (a link, an address, a placeholder, markup, HTML, invisible characters, a catalog msgfmt refuses).
NEVER_ACCEPTED = frozenset({"links", "urls", "emails", "placeholders", "markup", "html", "invisible", "msgfmt"})
# Weblate's names of its checks that are pressgen's under another name: a flag that Weblate
# writes ("ignore-same") accepts the findings of pressgen's check of the same idea.
WEBLATE_CHECKS = {
    "same": "untranslated",
    "end-stop": "end-punctuation",
    "end-colon": "end-punctuation",
    "end-question": "end-punctuation",
    "end-exclamation": "end-punctuation",
    "end-ellipsis": "end-punctuation",
    "end-semicolon": "end-punctuation",
    "begin-space": "whitespace",
    "end-space": "whitespace",
    "double-space": "whitespace",
    "punctuation-spacing": "whitespace",
    "duplicate": "doubled-words",
    "python-format": "placeholders",
    "url": "urls",
    "safe-html": "html",
    "zero-width-space": "invisible",
}
# Quote marks each language must not use: Romanian opens with „, Dutch and English with “.
WRONG_QUOTES = {"ro": "“«»", "nl": "„«»", "en": "„«»"}


Check = Callable[[str, str, Language, Language], Iterable[tuple[Severity, str]]]


def _kept(name: str, pattern: re.Pattern[str], group: int = 0) -> Check:
    def check(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
        expected = Counter(m.group(group) for m in pattern.finditer(source))
        found = Counter(m.group(group) for m in pattern.finditer(target))
        for item in sorted((expected - found).elements()):
            yield "error", f"{name} '{item}' of the source is missing or changed"
        for item in sorted((found - expected).elements()):
            yield "error", f"{name} '{item}' is not in the source"

    return check


def _inline_shape(text: str) -> Counter[str]:
    tokens = markdown("en").parseInline(text, {})
    children = tokens[0].children or [] if tokens else []
    return Counter(t.type for t in children if t.type.endswith("_open") or t.type in ("code_inline", "image"))


def check_markup(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    """Emphasis, links, code and images: the same inline markup, and no stray markers."""
    expected, found = _inline_shape(source), _inline_shape(target)
    if expected != found:
        names = {
            "em_open": "emphasis",
            "strong_open": "strong emphasis",
            "link_open": "link",
            "code_inline": "code",
            "image": "image",
            "s_open": "strikethrough",
        }
        missing = [names.get(k, k) for k in (expected - found)]
        extra = [names.get(k, k) for k in (found - expected)]
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"extra {', '.join(extra)}")
        yield "error", f"inline markup differs from the source ({'; '.join(parts)})"
    for marker in ("**", "`"):
        if target.count(marker) % 2 and not source.count(marker) % 2:
            yield "error", f"unbalanced '{marker}' in the translation"
    if target.count("[") != target.count("]") and source.count("[") == source.count("]"):
        yield "error", "unbalanced '[' ']' in the translation"


def check_html(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    """HTML in a translation is never rendered; it is an error, whatever it is.

    Tags are found by an HTML tokenizer, as a browser would read them (`<svg/onload=…>` too).
    """
    added = Counter(html_tags(target)) - Counter(html_tags(source))
    if added:
        tags = ", ".join(repr(tag) for tag in added.elements())
        yield "error", f"HTML {tags} in a translation is not allowed (it is shown as text, never run)"


def check_links(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    """The same link and image targets as the source, in the same order, as the Markdown parser reads them."""
    expected, found = links(source), links(target)
    for link in found:
        if not link.allowed and link not in expected:
            yield "error", _refused(link)
    expected_targets = [(link.kind, link.target) for link in expected]
    found_targets = [(link.kind, link.target) for link in found]
    if expected_targets == found_targets:
        return
    missing = Counter(expected_targets) - Counter(found_targets)
    extra = Counter(found_targets) - Counter(expected_targets)
    for kind, target_url in sorted(missing.elements()):
        yield "error", f"{kind} target {target_url!r} of the source is missing or changed"
    for kind, target_url in sorted(extra.elements()):
        yield "error", f"{kind} target {target_url!r} is not in the source"
    if not missing and not extra:
        yield "error", "the links are in another order than in the source: each link text must keep its own target"


def check_invisible(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    """Bidirectional overrides and zero-width characters change what a reader sees without showing."""
    allowed = Counter(name for _, name in invisible_characters(source))
    for column, name in invisible_characters(target):
        if allowed[name] > 0:
            allowed[name] -= 1
            continue
        yield (
            "error",
            f"invisible character {name} at column {column} (a bidirectional control or zero-width character)",
        )


@dataclass(frozen=True)
class _Figure:
    """A number of a text as written, and the value a reader of its language reads in it."""

    text: str
    value: Decimal
    index: int  # which written number it is: a malformed one gives several values
    well_formed: bool = True


def _numbers(text: str, language: Language) -> list[_Figure]:
    """Return each figure of a text as written and as a reader of `language` reads it."""
    figures: list[_Figure] = []
    group = get_group_symbol(language.locale)
    decimal = get_decimal_symbol(language.locale)
    for index, token in enumerate(NUMBER.findall(text)):
        cleaned = token.replace("\u00a0", group if group.isspace() else "").replace("\u202f", "").replace("\u2009", "")
        try:
            figures.append(_Figure(token, parse_decimal(cleaned, language.locale, strict=True), index))
        except NumberFormatError:
            # Not a well-formed number in this locale: read it digit by digit groups.
            pieces = re.split(rf"[{re.escape(group + decimal)},.]", cleaned)
            figures += [_Figure(token, Decimal(piece), index, False) for piece in pieces if piece.isdigit()]
        except InvalidOperation:
            continue
    return figures


def _plain(value: Decimal) -> str:
    """Write a number without grouping, with a point before its decimals: 2500, 2.5."""
    return format(value.normalize(), "f")


def _written_in(value: Decimal, token: str, language: Language) -> str:
    """Write a number as `language` does, grouped if `token` was, with as many decimals."""
    decimals = max(0, -int(value.as_tuple().exponent))
    grouped = bool(re.search(r"\d[^\d]\d{3}(?!\d)", token)) and abs(value) >= 1000
    pattern = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, pattern, locale=language.locale)


def check_numbers(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    """The same figures, each read in its own locale's format (1,234.5 in English is 1.234,5 in Dutch).

    A figure written out in words on the other side ("Thirty per cent" for "30 procent") counts.

    Each differing figure is shown as written, then as the number it is to a reader of its
    language: "2,500" copied from English into Dutch gives "the source has 2,500 (2500, written
    2.500 in Dutch); the translation has 2,500 (read as 2.5 in Dutch)".
    """
    # "24/7" is said "24 uur per dag", "non-stop": its 7 is the week, not a figure to carry over.
    source, target = ROUND_THE_CLOCK.sub("24", source), ROUND_THE_CLOCK.sub("24", target)
    expected, found = _numbers(source, src), _numbers(target, dst)
    source_values, target_values = Counter(f.value for f in expected), Counter(f.value for f in found)
    missing, extra = source_values - target_values, target_values - source_values
    # A figure the other side writes in words is there: "30 procent" and "Thirty per cent", an
    # ordinal ("fourth", "3e"), a Roman numeral ("a XIV-a"), a duration ("een half uur").
    missing -= written_numbers(target, dst.locale.language)
    extra -= written_numbers(source, src.locale.language)
    # A figure one side repeats (a phone number given twice) is there if the other has it once.
    missing = Counter({value: n for value, n in missing.items() if not target_values[value]})
    extra = Counter({value: n for value, n in extra.items() if not source_values[value]})
    if not missing and not extra:
        return
    source_name, name = src.name_in("en"), dst.name_in("en")

    def in_source(figure: _Figure) -> str:
        if not figure.well_formed:
            return f"{figure.text} (not a number as {source_name} writes one)"
        notes = [_plain(figure.value)] if _plain(figure.value) != figure.text else []
        written = _written_in(figure.value, figure.text, dst)
        notes += [f"written {written} in {name}"] if written != figure.text else []
        return f"{figure.text} ({', '.join(notes)})" if notes else figure.text

    def in_translation(figure: _Figure) -> str:
        if not figure.well_formed:
            return f"{figure.text} (not a number as {name} writes one)"
        plain = _plain(figure.value)
        return figure.text if plain == figure.text else f"{figure.text} (read as {plain} in {name})"

    parts = []
    if missing:
        parts.append("the source has " + ", ".join(in_source(f) for f in _taken(expected, missing)))
    if extra:
        parts.append("the translation has " + ", ".join(in_translation(f) for f in _taken(found, extra)))
    yield "error", f"figures differ once read in each language's number format: {'; '.join(parts)}"


def _taken(figures: list[_Figure], wanted: Counter[Decimal]) -> list[_Figure]:
    """Return the figures, in text order, whose values `wanted` counts; a malformed number once."""
    left = Counter(wanted)
    taken: dict[int, _Figure] = {}
    for figure in figures:
        if left[figure.value] > 0:
            left[figure.value] -= 1
            taken.setdefault(figure.index, figure)
    return list(taken.values())


def check_untranslated(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    words = re.findall(r"[^\W\d_]{4,}", PLACEHOLDER.sub("", source))
    if source == target and len(words) >= 2:
        yield "warning", "the translation is a copy of the source"


def check_spaces(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    if source[:1].isspace() != target[:1].isspace():
        yield "warning", "leading whitespace differs from the source"
    if source[-1:].isspace() != target[-1:].isspace():
        yield "warning", "trailing whitespace differs from the source"


def check_punctuation(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    def end(text: str) -> str:
        text = text.rstrip().rstrip('”“„"’»)*_')
        return text[-1:] if text[-1:] in END_PUNCTUATION else ""

    if end(source) != end(target):
        yield (
            "warning",
            f"ends with '{end(target) or 'no punctuation'}' where the source ends with '{end(source) or 'none'}'",
        )


def check_cedilla(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    if dst.locale.language == "ro" and CEDILLA_RE.search(target):
        letters = "".join(sorted(set(CEDILLA_RE.findall(target))))
        yield "error", f"Romanian is written with comma-below letters, not cedilla '{letters}' (pressgen check --fix)"


def check_quotes(source: str, target: str, src: Language, dst: Language) -> Iterable[tuple[Severity, str]]:
    wrong = [ch for ch in WRONG_QUOTES.get(dst.locale.language, "") if ch in target]
    if wrong:
        yield "warning", f"quote marks {' '.join(wrong)} are not used in {dst.name}"


CHECKS: dict[str, Check] = {
    "links": check_links,
    "urls": _kept("URL", URL),
    "emails": _kept("e-mail address", EMAIL),
    "placeholders": _kept("placeholder", PLACEHOLDER),
    "markup": check_markup,
    "html": check_html,
    "invisible": check_invisible,
    "numbers": check_numbers,
    "untranslated": check_untranslated,
    "spaces": check_spaces,
    "punctuation": check_punctuation,
    "cedilla": check_cedilla,
    "quotes": check_quotes,
}


def active_checks(context: CheckContext | None) -> dict[str, Check]:
    """Return the checks to run: with a context, the language checks in place of those they replace."""
    if context is None:
        return CHECKS
    checks = {name: check for name, check in CHECKS.items() if name not in REPLACES}
    checks["numbers"] = without_dates(CHECKS["numbers"])
    return checks | bind(context)


def accepted_checks(flags: Iterable[str]) -> frozenset[str]:
    """Return the checks whose findings a reviewer accepted on a message: its `ignore-<check>` flags.

    Weblate names its check flags so (`#, ignore-dates`); the flags Weblate itself writes for
    its checks of the same idea count too (`ignore-same` accepts `untranslated`). What breaks a
    page or a reader's trust whatever a reviewer says (`NEVER_ACCEPTED`) cannot be accepted.
    """
    names = (f.removeprefix(IGNORE_FLAG) for f in flags if f.startswith(IGNORE_FLAG))
    return frozenset(WEBLATE_CHECKS.get(name, name) for name in names) - NEVER_ACCEPTED


def how_to_accept(check: str) -> str:
    """Say, in a few words to add to an error, how a reviewer accepts it on its message."""
    return f"(if the translation is right, add the flag {IGNORE_FLAG}{check} to its '#,' line)"


def check_message(
    message: Message,
    path: Path,
    src: Language,
    dst: Language,
    context: CheckContext | None = None,
    line: int | None = None,
) -> list[Diagnostic]:
    """Run every check on one translated message; its findings point at `line` (its msgstr's).

    A finding of a check the message's flags accept (`ignore-<check>`) is kept, marked accepted;
    every other error of a check that can be accepted says how.
    """
    if not message.id or not message.string or not isinstance(message.id, str) or not isinstance(message.string, str):
        return []
    line = message.lineno if line is None else line
    accepted = accepted_checks(message.flags)
    if context is not None and message.auto_comments:
        context = replace(context, part=message.auto_comments[0])  # "body: list item", "location …"
    findings = []
    for name, check in active_checks(context).items():
        for severity, text in check(message.id, message.string, src, dst):
            if name in accepted:
                findings.append(Diagnostic(text, path, line, severity, name, accepted=True))
                continue
            if severity == "error" and name not in NEVER_ACCEPTED:
                text = f"{text} {how_to_accept(name)}"
            findings.append(Diagnostic(text, path, line, severity, name))
    return findings


def _flag_problems(message: Message, path: Path, line: int | None, checks: Iterable[str]) -> list[Diagnostic]:
    """Say which `ignore-…` flags of a message do nothing: a check that cannot be accepted, or no check."""
    names = [*checks, "msgfmt"]
    found = []
    for flag in sorted(f for f in message.flags if f.startswith(IGNORE_FLAG)):
        name = WEBLATE_CHECKS.get(flag.removeprefix(IGNORE_FLAG), flag.removeprefix(IGNORE_FLAG))
        if name in NEVER_ACCEPTED:
            text = f"the flag '{flag}' has no effect: no reviewer can accept what the {name} check finds"
        elif name not in names:
            text = f"the flag '{flag}' has no effect: there is no check '{name}'{did_you_mean(name, names)}"
        else:
            continue
        found.append(Diagnostic(text, path, line, "warning"))
    return found


def check_catalog(
    catalog: Catalog, path: Path, src: Language, dst: Language, context: CheckContext | None = None
) -> list[Diagnostic]:
    """Run every check on every translated message of a catalog, and GNU msgfmt --check's rules."""
    findings = []
    if isinstance(catalog, PoCatalog):
        findings = [Diagnostic(p.message, path, p.line, "error", "msgfmt") for p in catalog_problems(catalog)]
    names = list(active_checks(context))
    for message in catalog:
        if not message.id:
            continue
        flag_line = catalog.flag_line(message) if isinstance(catalog, PoCatalog) else message.lineno
        findings += _flag_problems(message, path, flag_line, names)
        line = catalog.string_line(message) if isinstance(catalog, PoCatalog) else message.lineno
        findings += check_message(message, path, src, dst, context, line)
    return findings


def fix_catalog(catalog: Catalog, dst: Language) -> int:
    """Repair what needs no judgement: Romanian cedilla letters, and spaces at the edges of a
    translation unlike its source's or doubled inside it; return how many messages changed."""
    changed = 0
    for message in catalog:
        if not message.id or not isinstance(message.string, str) or not message.string:
            continue
        fixed = message.string
        if isinstance(message.id, str):
            fixed = fix_whitespace(message.id, fixed)
        if dst.locale.language == "ro":
            fixed = CEDILLA_RE.sub(lambda m: CEDILLA[m.group(0)], fixed)
        if fixed != message.string:
            message.string = fixed
            changed += 1
    return changed


def _refused(link: Link) -> str:
    return f"the {link.kind} to {link.target!r} uses a scheme pressgen refuses; it is shown as text"


def _invisible(column: int, name: str) -> str:
    return f"invisible character {name} at column {column} (a bidirectional control or zero-width character)"


def check_sources(releases: Iterable[Release], config: Config) -> list[Diagnostic]:
    """Check the releases themselves: raw HTML, refused links, invisible characters, located pictures."""
    findings = []
    for release in releases:
        for message in extract_messages(release):
            texts = [
                ("html", f"raw HTML {tag!r} is shown as text, not rendered; write Markdown instead")
                for tag in html_tags(message.text)
            ]
            texts += [("links", _refused(link)) for link in links(message.text) if not link.allowed]
            texts += [("invisible", _invisible(column, name)) for column, name in invisible_characters(message.text)]
            findings += [Diagnostic(text, release.path, message.line, "warning", check) for check, text in texts]
        findings += _located_pictures(release, config)
    return findings


def _located_pictures(release: Release, config: Config) -> list[Diagnostic]:
    """Warn about each picture whose metadata records where it was taken (a GPS position)."""
    pictures = [(release.image.src, release.image.line)] if release.image is not None else []
    if config.keeps_picture_metadata(release.picture_metadata):
        fate = "and it is published with it (picture_metadata: keep)"
    else:
        fate = "the copy published leaves it out, but the file in the project keeps it"
    return [
        Diagnostic(
            f"picture '{src}' records where it was taken (a GPS position); {fate}",
            release.path,
            line,
            "warning",
            "metadata",
        )
        for src, line in dict.fromkeys([*pictures, *body_assets(release)])
        if not asset_problem(release.folder, src) and gps_position(release.folder / src)
    ]


def fix_catalogs(config: Config) -> list[tuple[Path, int]]:
    """Apply `fix_catalog` to every catalog of the project, writing those that changed."""
    fixed = []
    for language in config.languages:
        for path, catalog in catalogs_of(config, language):
            count = fix_catalog(catalog, language)
            if count:
                write_po_file(path, catalog)
                fixed.append((path, count))
    return fixed
