"""Mutation test of `pressgen check`: typical translation errors, one at a time, in copies of the catalogs.

    .venv/bin/python bench/mutations.py [--project DIR] [--seed 11] [--per-kind 3] [--pofilter] [--json FILE]

The errors are made from the catalogs' own text, at random (seeded): a word doubled, a month
changed, a sentence dropped, a name misspelt, a paragraph swapped for the other language's … For
each, the checks run on the whole mutated catalog, and an error counts as *caught* when a finding
appears that the clean catalog does not have, and as *blocking* when one of those is an error
(which keeps the language version unpublished). Three checkers are compared: `today` (the checks
of `checks.CHECKS` alone), `new` (with the language checks of `langchecks`, as `pressgen check`
runs them with a context), and Translate Toolkit's `pofilter` when it is installed (`--pofilter`).

The bundled catalogs hold no dates, links or emphasis, so before mutating, a few messages get
*carriers* on both sides, source and translation: a dated sentence (the date written in one of
several English styles, its translation as Babel writes it), a link or emphasis around a name both
sides share. The clean catalogs with carriers must give no finding either; that is reported.

The bundled catalogs are the ones the checks were first written against, and all translate from
English. So the same run also measures `pressgen check` on the corpus of correct translations
(`tests/data/translations`: nine releases, three in each language, each translated into the other
two), through the path `check` takes (`status.assess`, the release's other translations as
witnesses): every error there is a **false error** (target 0), reported per check and language
pair; and it plants the same kinds of error in the corpus's catalogs, in all six directions,
and reports its recall there (target ≥ 95 %, every error a reader sees blocking).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_interval
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from pressgen import checks, langchecks
from pressgen.config import Config, Language, load_config
from pressgen.dates import find_dates
from pressgen.errors import Diagnostic
from pressgen.releases import read_releases
from pressgen.status import Version, assess, check_context

HERE = Path(__file__).resolve().parent
# Date sentences added as carriers: the same sentence in each language, with a date in it.
DATE_SENTENCES = {
    "en": ["The conference takes place on {}.", "The next meeting is planned for {}.", "Registration closes on {}."],
    "nl": [
        "De conferentie vindt plaats op {}.",
        "De volgende bijeenkomst staat gepland voor {}.",
        "De registratie sluit op {}.",
    ],
    "ro": [
        "Conferința are loc pe {}.",
        "Următoarea reuniune este programată pentru {}.",
        "Înscrierile se închid pe {}.",
    ],
}
URLS = [
    "https://www.nato.int/cps/en/natohq/topics_78170.htm",
    "https://www.defensie.nl/actueel/nieuws",
    "https://www.mae.ro/node/1880",
    "https://ccdcoe.org/library/publications/",
]
HTML_SNIPPETS = ["<b>", "<br>", "<script>alert(1)</script>", '<a href="https://example.com/x">', "<i>", "<!-- -->"]
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"
# Kinds whose error a reader does not see in the text of a page or PDF, which collapse spaces.
# (Leading and trailing spaces are seen: they stay in the PDF's title, the heading's anchor, the
# feed and the JSON-LD.)
NOT_READER_VISIBLE = {"double-space"}


@dataclass
class Entry:
    """One message of one catalog: source text, translation, and whether a carrier changed it."""

    msgid: str
    msgstr: str
    carrier: str = ""


@dataclass
class Mutation:
    """One error put into one message of one catalog."""

    kind: str
    lang: str
    path: Path
    msgid: str
    before: str
    after: str
    caught: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class CatalogCopy:
    """A catalog read once: its path, its Babel catalog and its translated entries by msgid."""

    path: Path
    catalog: Catalog
    entries: dict[str, Entry]
    interface: bool


def words_of(text: str) -> list[re.Match[str]]:
    """Return the words of a text, not those inside placeholders, links' targets or tags."""
    hidden = [m.span() for m in re.finditer(r"%\(\w+\)s|\]\([^)]*\)|<[^>]*>", text)]
    return [m for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text) if not any(s <= m.start() < e for s, e in hidden)]


def naive_sentences(text: str) -> list[str]:
    """Split at . ! ? followed by a capital; independent of pressgen's own segmentation."""
    parts = re.split(r"(?<=[.!?”])\s+(?=[„“\"]?[A-ZÀ-ÖØ-ÞĂÂÎȘȚ])", text)
    merged: list[str] = []
    for part in parts:
        if merged and re.search(r"\b(?:Ms|Mr|Dr|dhr|mevr|dna|dl)\.$", merged[-1]):
            merged[-1] += " " + part
        else:
            merged.append(part)
    return merged


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def typo(word: str, rng: random.Random) -> str:
    """Return `word` with one typical typing error: a letter dropped, doubled, swapped or replaced."""
    for _ in range(20):
        i = rng.randrange(len(word))
        op = rng.choice(["drop", "double", "swap", "replace", "accent"])
        if op == "drop" and len(word) > 3:
            new = word[:i] + word[i + 1 :]
        elif op == "double":
            new = word[:i] + word[i] + word[i:]
        elif op == "swap" and i < len(word) - 1 and word[i] != word[i + 1]:
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif op == "replace" and word[i].isalpha():
            near = KEYBOARD[max(0, KEYBOARD.find(word[i].lower()) - 1)] if word[i].lower() in KEYBOARD else "e"
            new = word[:i] + (near.upper() if word[i].isupper() else near) + word[i + 1 :]
        elif op == "accent":
            plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
            new = unicodedata.normalize("NFC", plain)
        else:
            continue
        if new != word:
            return new
    return word[:-1]


def read_catalogs(project: Path, language: Language) -> list[CatalogCopy]:
    copies = []
    for path in sorted((project / "locales" / language.code).rglob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.locale_id)
        entries = {
            m.id: Entry(m.id, m.string)
            for m in catalog
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
        }
        copies.append(CatalogCopy(path, catalog, entries, "LC_MESSAGES" in path.parts))
    return copies


# --- carriers: dates, links and emphasis on both sides -----------------------------------------


def add_carriers(rng: random.Random, catalogs: dict[str, list[CatalogCopy]], languages: dict[str, Language]) -> None:
    """Give a few release messages a dated sentence, a link or emphasis, in the source and every translation."""
    release = {lang: next(c for c in copies if not c.interface) for lang, copies in catalogs.items()}
    langs = list(release)
    shared = [m for m in release[langs[0]].entries if all(m in release[lang].entries for lang in langs)]
    long_ids = [m for m in shared if len(m) > 150]
    rng.shuffle(long_ids)
    en_gb, en_us = Locale.parse("en_GB"), Locale.parse("en_US")
    # Three dated sentences, each date in another English style.
    for number, msgid in enumerate(long_ids[:3]):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
        style = ["long", "range", "us", "iso"][rng.randrange(4)] if number else "long"
        end = day + dt.timedelta(days=1)
        if style == "range":
            day = day.replace(day=min(day.day, 27))
            end = day + dt.timedelta(days=1)
            text = format_interval(day, end, "yMMMMd", locale=en_gb)
        elif style == "us":
            text = format_date(day, "long", locale=en_us)
        elif style == "iso":
            text = day.isoformat()
        else:
            text = format_date(day, "long", locale=en_gb)
        sentence = DATE_SENTENCES["en"][number].format(text)
        new_id = f"{msgid} {sentence}"
        for lang in langs:
            locale = languages[lang].locale
            shown = (
                format_interval(day, end, "yMMMMd", locale=locale)
                if style == "range"
                else format_date(day, "long", locale=locale)
            )
            entry = release[lang].entries.pop(msgid)
            translated = DATE_SENTENCES[lang][number].format(shown)
            release[lang].entries[new_id] = Entry(new_id, f"{entry.msgstr} {translated}", "date")
    # Links and emphasis around names that the source and every translation write alike.
    rest = [m for m in release[langs[0]].entries if release[langs[0]].entries[m].carrier == "" and len(m) > 150]
    rng.shuffle(rest)
    for number, msgid in enumerate(rest[:4]):
        common = [
            w.group(0)
            for w in words_of(msgid)
            if w.group(0)[0].isupper()
            and len(w.group(0)) > 3
            and all(
                re.search(rf"(?<!\w){re.escape(w.group(0))}(?!\w)", release[lang].entries[msgid].msgstr)
                for lang in langs
            )
        ]
        if not common:
            continue
        name = rng.choice(common)
        if number < 2:
            wrapped, kind = f"[{name}]({rng.choice(URLS)})", "link"
        else:
            marker = "*" if number == 2 else "**"
            wrapped, kind = f"{marker}{name}{marker}", "emphasis"

        def once(text: str, name: str = name, wrapped: str = wrapped) -> str:
            return re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", lambda _: wrapped, text, count=1)

        new_id = once(msgid)
        for lang in langs:
            entry = release[lang].entries.pop(msgid)
            release[lang].entries[new_id] = Entry(new_id, once(entry.msgstr), kind)


# --- the mutations -----------------------------------------------------------------------------

Candidate = tuple[str, str]  # (msgid, new translation)


def _positions(entries: dict[str, Entry], pick: Callable[[Entry], Iterator[str]]) -> list[Candidate]:
    return [(e.msgid, new) for e in entries.values() for new in pick(e)]


def generate(kind: str, copy: CatalogCopy, other: CatalogCopy | None, rng: random.Random, lang: str) -> list[Candidate]:
    """Return every way of making an error of this kind in this catalog (the harness samples some)."""
    entries = copy.entries

    def doubled(e: Entry) -> Iterator[str]:
        for w in words_of(e.msgstr):
            yield e.msgstr[: w.end()] + " " + w.group(0) + e.msgstr[w.end() :]

    def double_space(e: Entry) -> Iterator[str]:
        for m in re.finditer(r"(?<=\S) (?=\S)", e.msgstr):
            yield e.msgstr[: m.start()] + "  " + e.msgstr[m.end() :]

    def ascii_quotes(e: Entry) -> Iterator[str]:
        if re.search("[“”„«»]", e.msgstr):
            yield re.sub("[“”„«»]", '"', e.msgstr)

    def date_part(part: str) -> Callable[[Entry], Iterator[str]]:
        def change(e: Entry) -> Iterator[str]:
            if e.carrier != "date":
                return
            months = [
                str(n) for n in Locale.parse(copy.catalog.locale_identifier or "en").months["format"]["wide"].values()
            ]
            names = "|".join(months)
            for m in re.finditer(rf"(?P<day>\d{{1,2}})(?:–\d{{1,2}})? (?P<month>{names}) (?P<year>\d{{4}})", e.msgstr):
                if part == "month":
                    other_month = rng.choice([x for x in months if x != m["month"]])
                    yield e.msgstr[: m.start("month")] + other_month + e.msgstr[m.end("month") :]
                elif part == "day":
                    day = int(m["day"])
                    new_day = day + rng.choice([-2, -1, 1, 2]) if 3 <= day <= 26 else day + 1
                    yield e.msgstr[: m.start("day")] + str(new_day) + e.msgstr[m.end("day") :]
                else:
                    yield (
                        e.msgstr[: m.start("year")]
                        + str(int(m["year"]) + rng.choice([-1, 1]))
                        + e.msgstr[m.end("year") :]
                    )

        return change

    def dropped_sentence(e: Entry) -> Iterator[str]:
        sentences = naive_sentences(e.msgstr)
        if len(sentences) >= 2:
            for i, s in enumerate(sentences):
                if not re.search(r"\d", s):
                    yield " ".join(sentences[:i] + sentences[i + 1 :])

    def added_sentence(e: Entry) -> Iterator[str]:
        pool = [s for x in entries.values() if x.msgid != e.msgid for s in naive_sentences(x.msgstr) if len(s) > 40]
        if len(e.msgstr) > 80 and pool:
            yield f"{e.msgstr} {rng.choice(pool)}"

    glossary_words = set()
    glossary_path = copy.path.parents[1] / "glossary.tbx"
    if glossary_path.is_file():
        glossary_words = set(re.findall(r"<term>([^<]+)</term>", glossary_path.read_text(encoding="utf-8")))
    glossary_words = {w for term in glossary_words for w in re.findall(r"[^\W\d_]+", term)}

    def misspelt_name(e: Entry) -> Iterator[str]:
        source_words = {w.group(0) for w in words_of(e.msgid)}
        for w in re.finditer(r"[^\W\d_]+", e.msgstr):
            word = w.group(0)
            if (
                word[0].isupper()
                and len(word) >= 4
                and (fold(word) in {fold(s) for s in source_words} or word in glossary_words)
            ):
                yield e.msgstr[: w.start()] + typo(word, rng) + e.msgstr[w.end() :]

    def typo_word(e: Entry) -> Iterator[str]:
        source = e.msgid.casefold()
        for w in re.finditer(r"[^\W\d_]+", e.msgstr):
            word = w.group(0)
            if word.islower() and len(word) >= 4 and word not in source:
                yield e.msgstr[: w.start()] + typo(word, rng) + e.msgstr[w.end() :]

    def wrong_language(e: Entry) -> Iterator[str]:
        if other and e.msgid in other.entries and len(e.msgid.split()) >= 4:
            yield other.entries[e.msgid].msgstr

    def wrong_language_sentence(e: Entry) -> Iterator[str]:
        if other and e.msgid in other.entries:
            mine, theirs = naive_sentences(e.msgstr), naive_sentences(other.entries[e.msgid].msgstr)
            if len(mine) == len(theirs) >= 2:
                for i in range(len(mine)):
                    yield " ".join([*mine[:i], theirs[i], *mine[i + 1 :]])

    def untranslated_word(e: Entry) -> Iterator[str]:
        if len(e.msgid.split()) == 1 and e.msgid != e.msgstr:
            yield e.msgid

    def untranslated_message(e: Entry) -> Iterator[str]:
        if len(e.msgid.split()) >= 2 and e.msgid != e.msgstr:
            yield e.msgid

    def untranslated_sentence(e: Entry) -> Iterator[str]:
        mine, source = naive_sentences(e.msgstr), naive_sentences(e.msgid)
        if len(mine) == len(source) >= 2:
            for i in range(len(mine)):
                yield " ".join([*mine[:i], source[i], *mine[i + 1 :]])

    def end_punctuation(e: Entry) -> Iterator[str]:
        text = e.msgstr.rstrip()
        m = re.search(r"([.!?:;…])([”»\"’]?)$", text)
        if m:
            for new in ["", "!", "?", ";", ","]:
                if new != m.group(1):
                    yield text[: m.start()] + new + m.group(2)
        elif text and text[-1].isalpha():
            yield text + rng.choice([".", ":"])

    def edge_whitespace(e: Entry) -> Iterator[str]:
        yield " " + e.msgstr
        yield e.msgstr + " "
        yield e.msgstr + "\n"

    def space_before_punctuation(e: Entry) -> Iterator[str]:
        for m in re.finditer(r"(?<=\w)([,.;:!?])(?=\s|$)", e.msgstr):
            yield e.msgstr[: m.start()] + " " + e.msgstr[m.start() :]

    def changed_figure(e: Entry) -> Iterator[str]:
        if e.carrier == "date":
            return
        for m in re.finditer(r"\d+", e.msgstr):
            digits = m.group(0)
            i = rng.randrange(len(digits))
            new = digits[:i] + str((int(digits[i]) + rng.randrange(1, 9)) % 10) + digits[i + 1 :]
            yield e.msgstr[: m.start()] + new + e.msgstr[m.end() :]

    def dropped_link(e: Entry) -> Iterator[str]:
        for m in re.finditer(r"\[([^\]]+)\]\(([^)]+)\)", e.msgstr):
            yield e.msgstr[: m.start()] + m.group(1) + e.msgstr[m.end() :]

    def changed_link(e: Entry) -> Iterator[str]:
        for m in re.finditer(r"\]\((https?://[^)]+)\)", e.msgstr):
            url = m.group(1)
            new = rng.choice([url.replace("https://", "http://"), url.rstrip("/") + "x", url.replace(".", "-", 1)])
            yield e.msgstr[: m.start(1)] + new + e.msgstr[m.end(1) :]

    def broken_markup(e: Entry) -> Iterator[str]:
        for m in re.finditer(r"\*\*?|\]\(|\[", e.msgstr):
            yield e.msgstr[: m.start()] + e.msgstr[m.start() + 1 :]

    def html(e: Entry) -> Iterator[str]:
        for w in words_of(e.msgstr):
            snippet = rng.choice(HTML_SNIPPETS)
            yield e.msgstr[: w.start()] + snippet + e.msgstr[w.start() :]

    def placeholder(e: Entry) -> Iterator[str]:
        for m in re.finditer(r"%\((\w+)\)s", e.msgstr):
            yield (
                e.msgstr[: m.start()] + rng.choice(["", f"%({m.group(1)}x)s", f"({m.group(1)})"]) + e.msgstr[m.end() :]
            )

    generators: dict[str, Callable[[Entry], Iterator[str]]] = {
        "doubled-word": doubled,
        "double-space": double_space,
        "ascii-quotes": ascii_quotes,
        "date-month": date_part("month"),
        "date-day": date_part("day"),
        "date-year": date_part("year"),
        "dropped-sentence": dropped_sentence,
        "added-sentence": added_sentence,
        "misspelt-name": misspelt_name,
        "typo": typo_word,
        "wrong-language": wrong_language,
        "wrong-language-sentence": wrong_language_sentence,
        "untranslated-word": untranslated_word,
        "untranslated-message": untranslated_message,
        "untranslated-sentence": untranslated_sentence,
        "end-punctuation": end_punctuation,
        "edge-whitespace": edge_whitespace,
        "space-before-punctuation": space_before_punctuation,
        "changed-figure": changed_figure,
        "dropped-link": dropped_link,
        "changed-link": changed_link,
        "broken-markup": broken_markup,
        "html": html,
        "placeholder": placeholder,
    }
    return [(m, new) for m, new in _positions(entries, generators[kind]) if new != entries[m].msgstr]


KINDS = [
    "doubled-word", "double-space", "ascii-quotes", "date-month", "date-day", "date-year", "dropped-sentence",
    "added-sentence", "misspelt-name", "typo", "wrong-language", "wrong-language-sentence", "untranslated-word",
    "untranslated-message", "untranslated-sentence", "end-punctuation", "edge-whitespace",
    "space-before-punctuation", "changed-figure", "dropped-link", "changed-link", "broken-markup", "html",
    "placeholder",
]  # fmt: skip


# --- running the checkers ----------------------------------------------------------------------

FindingKey = tuple[str, str, str, str]  # msgid, check, severity, message


def run_checks(
    project: Path, copy: CatalogCopy, entries: dict[str, Entry], src: Language, dst: Language, languages: list[Language]
) -> dict[str, Counter[FindingKey]]:
    """Return the findings of `today` and `new` on one catalog's entries."""
    pairs = [(e.msgid, e.msgstr) for e in entries.values()]
    context = langchecks.load_context(
        project / "locales", src, dst, languages, pairs, names=RELEASE_NAMES, quotes=dst.quotes
    )
    today = dict(checks.CHECKS)
    new = {k: v for k, v in today.items() if k not in langchecks.REPLACES} | langchecks.bind(context)
    new["numbers"] = langchecks.without_dates(today["numbers"])
    found: dict[str, Counter[FindingKey]] = {}
    for label, suite in (("today", today), ("new", new)):
        counter: Counter[FindingKey] = Counter()
        for e in entries.values():
            for name, check in suite.items():
                for severity, message in check(e.msgid, e.msgstr, src, dst):
                    counter[(e.msgid, name, severity, message)] += 1
        found[label] = counter
    return found


def catalog_text(copy: CatalogCopy, entries: dict[str, Entry]) -> bytes:
    catalog = Catalog(locale=copy.catalog.locale, fuzzy=False)
    catalog.mime_headers = copy.catalog.mime_headers
    for e in entries.values():
        catalog.add(e.msgid, e.msgstr)
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    return out.getvalue()


def run_pofilter(files: dict[str, bytes], lang: str) -> dict[str, Counter[str]]:
    """Run pofilter on PO texts (by name); return the msgids it flags in each, with the tests."""
    program = shutil.which("pofilter") or str(Path(sys.executable).with_name("pofilter"))
    if not Path(program).exists():
        return {}
    result: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        inputs, outputs = Path(tmp) / "in", Path(tmp) / "out"
        inputs.mkdir()
        for name, data in files.items():
            (inputs / f"{name}.po").write_bytes(data)
        subprocess.run(
            [
                program,
                f"--language={lang}",
                "--progress=none",
                "--errorlevel=none",
                "-i",
                str(inputs),
                "-o",
                str(outputs),
            ],
            check=True,
            capture_output=True,
        )
        for name in files:
            out = outputs / f"{name}.po"
            flagged: Counter[str] = Counter()
            if out.is_file():
                with out.open("rb") as handle:
                    for m in read_po(handle):
                        if m.id:
                            tests = [c for c in m.user_comments + m.auto_comments if "(pofilter)" in c]
                            for t in tests or ["(pofilter)"]:
                                flagged[f"{m.id}\x00{t}"] += 1
            result[name] = flagged
    return result


RELEASE_NAMES: list[str] = []
CORPUS = HERE.parent / "tests" / "data" / "translations"


# --- the corpus of correct translations ---------------------------------------------------------


def translation_corpus(project: Path, dest: Path) -> Path:
    """Make a project in `dest`: the configuration, templates and word lists of `project`, the corpus's releases."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(project / "pressgen.toml", dest / "pressgen.toml")
    shutil.copytree(project / "templates", dest / "templates")
    for lang_dir in sorted((project / "locales").iterdir()):
        target = dest / "locales" / lang_dir.name
        target.mkdir(parents=True)
        for part in ("LC_MESSAGES", "glossary.tbx", "words.txt"):
            if (lang_dir / part).is_dir():
                shutil.copytree(lang_dir / part, target / part)
            elif (lang_dir / part).is_file():
                shutil.copy2(lang_dir / part, target / part)
    shutil.copytree(CORPUS / "releases", dest / "releases")
    for lang_dir in sorted((CORPUS / "locales").iterdir()):
        shutil.copytree(lang_dir / "releases", dest / "locales" / lang_dir.name / "releases")
    return dest


@dataclass
class CorpusResult:
    """What `pressgen check` finds on the corpus, and what it catches of the errors planted in it."""

    findings: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (pair, check, severity)
    messages: Counter[str] = field(default_factory=Counter)  # translated messages by pair
    mutations: list[Mutation] = field(default_factory=list)


def measure_corpus(project: Path, rng: random.Random, per_kind: int) -> CorpusResult:
    """Check the corpus as `pressgen check` does; then plant errors in it, `per_kind` of each kind per direction."""
    result = CorpusResult()
    with tempfile.TemporaryDirectory() as tmp:
        root = translation_corpus(project, Path(tmp) / "corpus")
        config = load_config(root)
        assessment = assess(config, read_releases(config), dt.datetime.now(dt.UTC))
        versions = [v for v in assessment.versions if v.catalog is not None]
        for version in versions:
            pair = f"{version.release.lang}→{version.lang}"
            result.messages[pair] += sum(1 for m in version.catalog or () if m.id and m.string)
            for finding in version.findings:
                if not finding.accepted:
                    result.findings[(pair, finding.check or "", finding.severity)] += 1
        for version in versions:
            result.mutations += _corpus_mutations(config, version, versions, rng, per_kind)
    return result


def _entries(version: Version) -> dict[str, Entry]:
    entries = {}
    for m in version.catalog or ():
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy:
            dated = bool(re.search(r"\d{1,2}(?:–\d{1,2})? \w+ \d{4}", m.string)) and bool(
                find_dates(m.string, version.language.locale)
            )
            entries[m.id] = Entry(m.id, m.string, "date" if dated else "")
    return entries


def _corpus_mutations(
    config: Config, version: Version, versions: list[Version], rng: random.Random, per_kind: int
) -> list[Mutation]:
    """Plant each kind of error in one corpus catalog; say what the checks find of each that the clean message lacks."""
    assert version.catalog is not None and version.catalog_path is not None
    siblings = [v for v in versions if v.release is version.release and v is not version]
    src = config.language(version.release.lang)
    context = check_context(
        config, version.catalog, src, version.language, version.release, [v.catalog for v in siblings if v.catalog]
    )
    copy = CatalogCopy(version.catalog_path, version.catalog, _entries(version), False)
    # The other translation of the release (not its source, which has no catalog): a witness.
    sibling = next((v for v in siblings if v.catalog is not None and v.catalog_path is not None), None)
    other = None
    if sibling is not None and sibling.catalog is not None and sibling.catalog_path is not None:
        other = CatalogCopy(sibling.catalog_path, sibling.catalog, _entries(sibling), False)
    by_id = {m.id: m for m in version.catalog if m.id}
    mutations = []
    for kind in KINDS:
        options = generate(kind, copy, other, rng, version.lang)
        for msgid, after in rng.sample(options, min(per_kind, len(options))):
            mutation = Mutation(
                kind, f"{version.release.lang}→{version.lang}", copy.path, msgid, copy.entries[msgid].msgstr, after
            )
            clean = Counter(_keys(checks.check_message(by_id[msgid], copy.path, src, version.language, context)))
            changed = by_id[msgid].clone()
            changed.string, changed.flags = after, set(by_id[msgid].flags)
            found = Counter(_keys(checks.check_message(changed, copy.path, src, version.language, context)))
            mutation.caught["new"] = [f"{severity}: {check}: {text}" for check, severity, text in (found - clean)]
            mutations.append(mutation)
    return mutations


def _keys(findings: list[Diagnostic]) -> list[tuple[str, str, str]]:
    # Without the hint on how to accept an error, which does not tell one finding from another.
    return [(f.check or "", f.severity, f.message.split(" (if the translation is right")[0]) for f in findings]


def report_corpus(result: CorpusResult) -> None:
    """Print the corpus's false errors per check and language pair, and the recall of errors planted in it."""
    errors = sum(n for (_, _, severity), n in result.findings.items() if severity == "error")
    warnings = sum(n for (_, _, severity), n in result.findings.items() if severity == "warning")
    pairs = sorted(result.messages)
    print(f"\n## The corpus of correct translations ({sum(result.messages.values())} translated messages)\n")
    print(f"false errors: {errors} (target 0); warnings: {warnings}\n")
    checks_found = sorted({check for _, check, _ in result.findings})
    if checks_found:
        print("| check | " + " | ".join(pairs) + " |")
        print("|" + " --- |" * (len(pairs) + 1))
        for check in checks_found:
            cells = [
                f"{result.findings[(p, check, 'error')]} / {result.findings[(p, check, 'warning')]}" for p in pairs
            ]
            print(f"| {check} (errors / warnings) | " + " | ".join(cells) + " |")
    mutations = result.mutations
    if not mutations:
        return
    print(f"\nerrors planted in the corpus: {len(mutations)}\n")
    print("| direction | planted | caught | blocking |")
    print("| --- | --- | --- | --- |")
    for pair in sorted({m.lang for m in mutations}):
        group = [m for m in mutations if m.lang == pair]
        caught = sum(1 for m in group if m.caught.get("new"))
        blocking = sum(1 for m in group if _blocks(m.caught.get("new", [])))
        print(f"| {pair} | {len(group)} | {caught} | {blocking} |")
    caught = sum(1 for m in mutations if m.caught.get("new"))
    visible = [m for m in mutations if m.kind not in NOT_READER_VISIBLE]
    blocking = sum(1 for m in visible if _blocks(m.caught.get("new", [])))
    print(
        f"| **all** | {len(mutations)} | {caught} ({caught / len(mutations):.0%}) "
        f"| {blocking} of {len(visible)} reader-visible |"
    )
    for title, group in (
        ("missed in the corpus", [m for m in mutations if not m.caught.get("new")]),
        (
            "caught in the corpus only as warnings (reader-visible)",
            [m for m in visible if m.caught.get("new") and not _blocks(m.caught["new"])],
        ),
    ):
        if group:
            print(f"\n{title}:")
            for m in group:
                print(f"  {m.lang} {m.kind}: {_diff(m.before, m.after)}  {m.caught.get('new', [])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=HERE.parent)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-kind", type=int, default=3, help="errors of each kind, per language")
    parser.add_argument("--pofilter", action="store_true", help="also run Translate Toolkit's pofilter")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show", action="store_true", help="print every mutation and what caught it")
    parser.add_argument(
        "--corpus-per-kind", type=int, default=2, help="errors of each kind planted per corpus direction"
    )
    parser.add_argument("--no-corpus", action="store_true", help="leave out the corpus of correct translations")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    config = load_config(args.project)
    src = config.language(config.source_language)
    targets = [lang for lang in config.languages if lang.code != src.code]
    for release_md in sorted((args.project / "releases").glob("*/release.md")):
        author = re.search(r"^author:\s*(.+)$", release_md.read_text(encoding="utf-8"), re.MULTILINE)
        if author:
            RELEASE_NAMES.append(author.group(1).strip())

    catalogs = {lang.code: read_catalogs(args.project, lang) for lang in targets}
    clean_findings: dict[str, int] = Counter()
    for lang in targets:
        for copy in catalogs[lang.code]:
            found = run_checks(args.project, copy, copy.entries, src, lang, list(config.languages))
            for label, counter in found.items():
                clean_findings[f"{label} (bundled catalogs)"] += sum(counter.values())
                for key in counter:
                    print(f"clean {label}: {copy.path.name}: {key[1]}: {key[2]}: {key[3]}", file=sys.stderr)

    add_carriers(rng, catalogs, {lang.code: lang for lang in targets})
    baselines: dict[tuple[str, Path], dict[str, Counter[FindingKey]]] = {}
    for lang in targets:
        for copy in catalogs[lang.code]:
            found = run_checks(args.project, copy, copy.entries, src, lang, list(config.languages))
            baselines[(lang.code, copy.path)] = found
            for label, counter in found.items():
                clean_findings[f"{label} (with carriers)"] += sum(counter.values())
                for key in counter:
                    print(f"carrier {label}: {copy.path.name}: {key[1]}: {key[2]}: {key[3]}", file=sys.stderr)

    mutations: list[Mutation] = []
    for lang in targets:
        others = [o for o in targets if o.code != lang.code]
        for kind in KINDS:
            options: list[tuple[CatalogCopy, Candidate]] = []
            for copy in catalogs[lang.code]:
                other = next((c for o in others for c in catalogs[o.code] if c.interface == copy.interface), None)
                options += [(copy, c) for c in generate(kind, copy, other, rng, lang.code)]
            for copy, (msgid, new) in rng.sample(options, min(args.per_kind, len(options))):
                mutations.append(Mutation(kind, lang.code, copy.path, msgid, copy.entries[msgid].msgstr, new))

    pofilter_inputs: dict[str, dict[str, bytes]] = {lang.code: {} for lang in targets}
    for number, mutation in enumerate(mutations):
        lang = next(t for t in targets if t.code == mutation.lang)
        copy = next(c for c in catalogs[lang.code] if c.path == mutation.path)
        entries = dict(copy.entries)
        entries[mutation.msgid] = Entry(mutation.msgid, mutation.after, entries[mutation.msgid].carrier)
        found = run_checks(args.project, copy, entries, src, lang, list(config.languages))
        base = baselines[(lang.code, copy.path)]
        for label in ("today", "new"):
            new_findings = found[label] - base[label]
            mutation.caught[label] = [f"{k[2]}: {k[1]}: {k[3]}" for k in new_findings]
        if args.pofilter:
            pofilter_inputs[lang.code][f"m{number:04d}"] = catalog_text(copy, entries)
            pofilter_inputs[lang.code][f"c{number:04d}"] = catalog_text(copy, copy.entries)
    if args.pofilter:
        for lang in targets:
            clean_files = {
                f"clean-{i}": catalog_text(c, c.entries) for i, c in enumerate(read_catalogs(args.project, lang))
            }
            flagged = run_pofilter({**pofilter_inputs[lang.code], **clean_files}, lang.code)
            clean_findings["pofilter (bundled catalogs)"] += sum(
                sum(flagged.get(n, Counter()).values()) for n in clean_files
            )
            for number, mutation in enumerate(mutations):
                if mutation.lang != lang.code:
                    continue
                extra = flagged.get(f"m{number:04d}", Counter()) - flagged.get(f"c{number:04d}", Counter())
                mutation.caught["pofilter"] = [k.split("\x00")[1] for k in extra]

    report(mutations, clean_findings, args)
    if not args.no_corpus:
        report_corpus(measure_corpus(args.project, random.Random(args.seed), args.corpus_per_kind))
    return 0


def report(mutations: list[Mutation], clean: dict[str, int], args: argparse.Namespace) -> None:
    checkers = ["today", "new"] + (["pofilter"] if args.pofilter else [])
    print(f"{len(mutations)} mutations, seed {args.seed}, {args.per_kind} per kind and language\n")
    header = (
        "| kind | n | "
        + " | ".join(f"{c} caught | {c} blocking" if c != "pofilter" else "pofilter caught" for c in checkers)
        + " |"
    )
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    totals: Counter[str] = Counter()
    visible_total = 0
    for kind in KINDS:
        group = [m for m in mutations if m.kind == kind]
        if not group:
            continue
        cells = []
        for c in checkers:
            caught = sum(1 for m in group if m.caught.get(c))
            blocking = sum(1 for m in group if any(f.startswith("error") for f in m.caught.get(c, [])))
            totals[f"{c} caught"] += caught
            totals[f"{c} blocking"] += blocking
            if kind not in NOT_READER_VISIBLE:
                totals[f"{c} visible blocking"] += blocking
            cells.append(f"{caught}" if c == "pofilter" else f"{caught} | {blocking}")
        if kind not in NOT_READER_VISIBLE:
            visible_total += len(group)
        mark = "" if kind not in NOT_READER_VISIBLE else " (not shown to readers)"
        print(f"| {kind}{mark} | {len(group)} | " + " | ".join(cells) + " |")
    n = len(mutations)
    cells = []
    for c in checkers:
        caught = totals[f"{c} caught"]
        blocking = totals[f"{c} blocking"]
        cells.append(
            f"{caught} ({caught / n:.0%})"
            if c == "pofilter"
            else f"{caught} ({caught / n:.0%}) | {blocking} ({blocking / n:.0%})"
        )
    print(f"| **total** | {n} | " + " | ".join(cells) + " |")
    print()
    for c in ("today", "new"):
        print(f"{c}: reader-visible errors blocking: {totals[f'{c} visible blocking']} of {visible_total}")
    print()
    for label, count in sorted(clean.items()):
        print(f"findings on clean catalogs, {label}: {count}")
    missed = [m for m in mutations if not m.caught.get("new")]
    soft = [
        m
        for m in mutations
        if m.caught.get("new") and m.kind not in NOT_READER_VISIBLE and not _blocks(m.caught["new"])
    ]
    for title, group in (("missed by new", missed), ("caught by new only as warnings (reader-visible)", soft)):
        if group:
            print(f"\n{title}:")
            for m in group:
                print(f"  {m.lang} {m.kind}: {_diff(m.before, m.after)}  {m.caught.get('new', [])}")
    if args.show:
        print("\nall mutations:")
        for m in mutations:
            print(f"  {m.lang} {m.kind}: {_diff(m.before, m.after)}")
            for c in checkers:
                print(f"      {c}: {m.caught.get(c, [])}")
    if args.json:
        args.json.write_text(
            json.dumps([m.__dict__ | {"path": str(m.path)} for m in mutations], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )


def _blocks(findings: list[str]) -> bool:
    return any(f.startswith("error") for f in findings)


def _diff(before: str, after: str) -> str:
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    a, b = before[start : len(before) - end], after[start : len(after) - end]
    context = before[max(0, start - 15) : start]
    return f"…{context}[{a[:60]!r} → {b[:60]!r}]"


if __name__ == "__main__":
    sys.exit(main())
