"""Language checks of translations: what a reviewer who reads both languages would catch.

Each check takes a message's source text and translation and yields `(severity, message)`
findings, as the checks of `checks.CHECKS` do; those that need more than the two texts (the
glossary, the dictionaries, the names of the release, the site's quote marks) read it from a
`CheckContext`. `bind(context)` turns them into plain `checks.Check` functions.

Severity follows the reader: whatever changes what a journalist reads (a date, a name, a
sentence, the language, a misspelt word, an untranslated text, a doubled word, a changed end of
sentence) is an error and keeps the language version unpublished; what the page does not show
(double spaces, which HTML and PDF collapse) or what is pure house style is a warning.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import get_decimal_symbol

from pressgen.config import Language
from pressgen.dates import (
    DateMention,
    TimeMention,
    describe,
    expected,
    find_dates,
    find_times,
    homograph_of,
    months_mentioned,
    same_time,
)
from pressgen.errors import Severity, plural
from pressgen.files import read_regular, stat_of
from pressgen.glossary import Glossary, find, load_glossary
from pressgen.markup import PROTECTED, QUOTES, quote_marks
from pressgen.names import (
    ACRONYM,
    NAME_ENDINGS,
    close_words,
    derived_from_place,
    explained_by_acronym,
    front_matter_names,
    has_name,
    is_name_word,
    keeps_place,
    persons_after_titles,
    places_in,
    translit,
    without_time_zones,
)
from pressgen.po import MAX_BYTES
from pressgen.sentences import align, split_sentences
from pressgen.spelling import (
    Speller,
    compound_word,
    distance,
    find_dictionary,
    fold,
    missing_dictionary_hint,
    slip_targets,
)

Finding = tuple[Severity, str]
ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")
NAME_BREAK = re.compile(r"[.!?:;,()\"“”„«»]")  # what ends a person's name (not an apostrophe: "O’Brien")
ROMAN_ORDINAL = re.compile(r"[IVXLCDM]+(?:e|ste|de)")
WORD_LIST_NAME = "words.txt"  # per language, beside its catalogs: a hunspell personal dictionary
LangCheck = Callable[[str, str, Language, Language, "CheckContext"], Iterable[Finding]]

# Parts of a message that are not prose: link targets, code, HTML, URLs, e-mail addresses and
# placeholders. Word checks look at the rest (the same parts `translate.PROTECTED` keeps).
# What no translation changes (markup.PROTECTED), HTML, and bare %s placeholders.
NOT_PROSE = re.compile(rf"{PROTECTED.pattern}|</?[a-zA-Z][^<>]*>|%[sd]")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
LETTERS = re.compile(r"[^\W\d_]+")

DOUBLE_QUOTES = "“”„‟«»″"
OPENING_QUOTES = "“„«"

# Length of a translation over its source's, for the language pairs of the bundled project
# (measured on its reviewed catalogs); a catalog with enough long messages uses its own median.
LENGTH_RATIOS = {("en", "nl"): 1.13, ("en", "ro"): 1.12}
DEFAULT_LENGTH_RATIO = 1.1
LONG_MESSAGE = 80  # characters of prose from which a length alone says something
SHORT_MESSAGE = 40  # below this, a one-sentence source is a label: no length judged at all
# A translation's length over the usual (see LENGTH_RATIOS), beyond which a changed number of
# sentences is a dropped or added one, not a split or merged one; and beyond which, whatever
# the count, part of the text is missing or added. On the bundled catalogs the scale of every
# message from 40 characters on lies between 0.85 and 1.16.
FEWER_SENTENCES_SCALE = 0.8
MORE_SENTENCES_SCALE = 1.25
SHORTER_SCALE = 0.65
LONGER_SCALE = 1.8
MIN_LANGUAGE_WORDS = 5  # words from which the statistical language identifier is trusted
LANGUAGE_CONFIDENCE = 0.9

# Words of a language that are never written without their diacritics, as a translation that lost
# them writes them ("si" for "și"); a word that is also a word of another language ("in") only
# in a text with no diacritic at all.
LOST_DIACRITICS = {
    "ro": {"si": "și", "dupa": "după", "fara": "fără", "catre": "către", "cand": "când", "insa": "însă", "isi": "își"},
}
LOST_DIACRITICS_BARE = {"ro": {"in": "în"}}
DIACRITIC_LETTERS = {"ro": "ăâîșțĂÂÎȘȚ"}
COGNATE_LENGTH = 8  # letters from which a word one slip from a word of the source is taken for its cognate

SEVERITY: dict[str, Severity] = {
    "doubled-word": "error",
    "grammatical-double": "warning",
    "space-before-punctuation": "error",
    "double-space": "warning",  # the page and the PDF show one space
    # Kept in the PDF's title metadata, a heading's anchor ("#--eensgezind"), feeds and JSON-LD.
    "edge-whitespace": "error",
    "ascii-quotes": "error",
    "foreign-quotes": "warning",
    "unbalanced-quotes": "error",
    "dropped-quotes": "error",
    "dropped-name-quotes": "warning",
    "date": "error",
    "date-format": "warning",
    "sentences": "error",
    "name": "error",
    # A name the translation leaves out, with no evidence it had to stay (a person's, or one the
    # message's other translation keeps): a rendering by the language's own term is common.
    "dropped-name": "warning",
    "language": "error",
    "misspelling": "error",
    "unknown-word": "warning",
    "untranslated": "error",
    # A term translated otherwise is terminology, for the reviewer; a forbidden one ("Holland") is wrong.
    "glossary": "warning",
    "forbidden-term": "error",
    "misspelt-term": "error",
    "end-punctuation": "error",
}


@dataclass(frozen=True)
class CheckContext:
    """What the language checks know beyond one message: see `load_context`."""

    languages: tuple[str, ...] = ()
    glossary: Glossary | None = None
    spellers: Mapping[str, Speller] = field(default_factory=dict)
    quotes: str | None = None
    names: frozenset[str] = frozenset()
    length_ratio: float | None = None
    notes: tuple[str, ...] = ()
    # The other translations of each message (by its source text), in the release's other
    # languages: a surname they keep as it is is a name ("staatssecretaris Tuinman").
    witnesses: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # (language, text)
    # Every word of the release's source texts: a translation may move a name from one message
    # to another ("clujeni" → "the people of Cluj-Napoca", the dateline's city).
    vocabulary: frozenset[str] = frozenset()
    # The capitalised words that the catalog's translations keep as their source writes them, in
    # a message that is not a copy: a name of the release ("Constanța" in a title and a heading).
    # Not every word: an interface catalog keeps "on" and "The" in some message or other.
    kept: frozenset[str] = frozenset()
    # What the message is in the release ("body: list item", "title"): `#.` of its catalog entry.
    part: str = ""


def part_of(context: CheckContext) -> str:
    """Return what the message is: "paragraph", "heading", "list item", "table cell", "title", "location" …"""
    return context.part.rsplit(": ", 1)[-1].split(" (")[0]


def _finding(kind: str, text: str) -> Finding:
    return SEVERITY[kind], text


def excerpt(text: str, length: int = 60) -> str:
    """Return the start of a text, cut at a word, to quote it in a finding."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"


MARKUP = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|[\[\]]")


def prose(text: str) -> str:
    """Return `text` with what is not prose (link targets, code, HTML, placeholders, emphasis marks) blanked.

    Blanks keep every other character where it was, so that positions still point into `text`.
    """
    text = NOT_PROSE.sub(lambda m: " " * len(m.group(0)), text)
    return MARKUP.sub(lambda m: " " * len(m.group(0)), text)


# --- doubled words and whitespace ---------------------------------------------------------------

# Words that a sentence may rightly write twice in a row: Dutch reflexive "je je", "dat dat".
GRAMMATICAL_DOUBLES = {"nl": frozenset({"je", "dat", "die", "er", "ze", "we", "u"}), "en": frozenset({"that", "had"})}
DOUBLED = re.compile(r"(?<![\w'’-])([^\W\d_]+(?:['’-][^\W\d_]+)*)([ \t\u00a0]+)(\1)(?![\w'’-])", re.IGNORECASE)


def _doubles(text: str) -> list[str]:
    return [m.group(1).casefold() for m in DOUBLED.finditer(prose(text))]


def check_doubled_words(
    source: str, target: str, src: Language, dst: Language, context: CheckContext
) -> Iterable[Finding]:
    """A word written twice in a row ("de de", "și și"), unless the source doubles it too.

    A pair that is often grammar (Dutch "waar je je … verplaatst", "dat dat"; English "that
    that") is a warning: the reviewer reads it.
    """
    allowed = set(_doubles(source))
    grammar = GRAMMATICAL_DOUBLES.get(dst.locale.language, frozenset())
    for match in DOUBLED.finditer(prose(target)):
        word = match.group(1).casefold()
        if word in grammar:
            yield _finding("grammatical-double", f"'{match.group(1)} {match.group(3)}': doubled, or grammar?")
        elif word not in allowed:
            yield _finding("doubled-word", f"'{match.group(1)} {match.group(3)}': a word is doubled")


SPACE_BEFORE = re.compile(r"[^\s]([ \t\u00a0]+)([,.;:!?])(?=\s|$|[”’»\"')\]])")


def check_whitespace(
    source: str, target: str, src: Language, dst: Language, context: CheckContext
) -> Iterable[Finding]:
    """Double spaces, a space before punctuation, and leading or trailing whitespace unlike the source's."""
    if source[:1].isspace() != target[:1].isspace():
        yield _finding("edge-whitespace", "leading whitespace differs from the source")
    if source[-1:].isspace() != target[-1:].isspace():
        yield _finding("edge-whitespace", "trailing whitespace differs from the source")
    inner_target, inner_source = target.strip(), source.strip()
    if re.search(r"\S {2,}\S", inner_target) and not re.search(r"\S {2,}\S", inner_source):
        yield _finding("double-space", "double space inside the text")
    if "\t" in inner_target and "\t" not in inner_source:
        yield _finding("double-space", "tab inside the text")
    marks_before_source = {m.group(2) for m in SPACE_BEFORE.finditer(inner_source)}
    for match in SPACE_BEFORE.finditer(inner_target):
        if match.group(2) not in marks_before_source:
            yield _finding("space-before-punctuation", f"space before '{match.group(2)}'")
            break


def fix_whitespace(source: str, target: str) -> str:
    """Return `target` with its edges spaced like the source's and no double spaces inside."""
    inner = re.sub(r"(?<=\S) {2,}(?=\S)", " ", target.strip())
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return f"{lead}{inner}{trail}"


# --- end punctuation and quotation marks -------------------------------------------------------

END_MARKS = {".": ".", "!": "!", "?": "?", ":": ":", ";": ";", "…": "…"}
LIST_ENDS = {"", ".", ";", ","}  # how list items end differs between languages


def _end_mark(text: str) -> str:
    text = text.rstrip().rstrip("”“„\"’'»«)]*_ ")
    if text.endswith("..."):
        return "…"
    return END_MARKS.get(text[-1:], "")


ENDING_WORD = re.compile(r"(?<![^\W\d_])([^\W\d_]+)\.\s*$")


def _ends_with_abbreviation(text: str, dst: Language, context: CheckContext) -> bool:
    """Tell whether a text ends with a short lower-case word its language's dictionary does not know, and a stop."""
    found = ENDING_WORD.search(text.rstrip())
    if found is None or len(found.group(1)) > ABBREVIATION_LENGTH or not found.group(1).islower():
        return False
    speller = context.spellers.get(dst.locale.language)
    return speller is not None and not speller.verdicts([found.group(1)])[found.group(1)].known


def check_end_punctuation(
    source: str, target: str, src: Language, dst: Language, context: CheckContext
) -> Iterable[Finding]:
    """The same mark at the end: a question stays a question, a sentence keeps its full stop.

    Lists end their items as each language does (Romanian and Dutch with ";" and "." where
    English has none), and a heading may become a question ("Who takes part" → "Wie doen er
    mee?"), as Dutch headings often are.
    """
    expected_mark, found = _end_mark(source), _end_mark(target)
    if found == "." and not expected_mark and _ends_with_abbreviation(target, dst, context):
        found = ""  # "12,4 mil.": the stop of an abbreviation, not of a sentence
    kind = part_of(context)
    if kind == "list item" and {expected_mark, found} <= LIST_ENDS:
        return
    if kind in ("heading", "title", "subtitle") and not expected_mark and found == "?":
        return
    if expected_mark != found:
        yield _finding(
            "end-punctuation",
            f"ends with '{found or 'no punctuation'}' where the source ends with '{expected_mark or 'none'}'",
        )


def quote_style(dst: Language, configured: str | None = None) -> str | None:
    """Return a language's four quote marks (double open and close, single open and close).

    The configured ones (`quotes` in the language's table of pressgen.toml, which rendering
    uses too) win; otherwise those the Markdown renderer puts in (`markup.QUOTES`): “…” for
    Dutch, the house style, as the Dutch government writes; „…” for Romanian. A language
    `markup.QUOTES` does not list has no style to check.
    """
    if configured:
        return configured
    if dst.locale.language not in QUOTES:
        return None
    return "".join(m.strip() for m in quote_marks(dst.locale.language))


# A single opening mark that starts no quotation: an elision ("‘s-Hertogenbosch", "‘t", "‘90").
ELISION = re.compile(r"[‘‚](?=(?:s|t|n)\b|\d)")


# A quoted passage of the source, in any style (a nested one too).
QUOTED = re.compile(r"„[^”“„]*[”“]|“[^”“]*”|«[^«»]*»|‘[^‘’]*’|\"[^\"]*\"")
SAID_WORDS = 5  # words from which a quoted passage is what someone said, not a name or a term


def _quotations(text: str, opening: str = "") -> int:
    """Count the quoted passages of a text: opening marks, double and single, and straight quotes by pairs.

    Every language has its other style, inside quotations or on its own: English and Dutch ‘…’,
    Dutch „…”, Romanian «…»; each is a quotation.
    """
    straight = text.count('"')
    singles = len(re.findall("[‘‚‹]", text)) - len(ELISION.findall(text))
    return sum(1 for c in text if c in OPENING_QUOTES or (opening and c == opening)) + singles + straight // 2


def check_quotes(source: str, target: str, src: Language, dst: Language, context: CheckContext) -> Iterable[Finding]:
    """Quotation marks in the target language's style, balanced, and as many quotations as the source."""
    style = quote_style(dst, context.quotes)
    text, original = prose(target), prose(source)
    want = f"{style[0]}…{style[1]}" if style else "typographic quotes"
    source_quotes = _quotations(original)
    target_quotes = _quotations(text, style[0] if style else "")
    if '"' in text:
        kind = "ascii-quotes" if source_quotes else "foreign-quotes"
        yield _finding(kind, f'straight quotes " in the translation: write {want}')
    if style:
        foreign = sorted({c for c in text if c in DOUBLE_QUOTES and c not in style})
        if foreign:
            yield _finding(
                "foreign-quotes", f"quote marks {' '.join(foreign)} are not used in {dst.name}: write {want}"
            )
        opening, closing = style[0], style[1]
        # ’ closes a quote and is the apostrophe too: such a style cannot be counted.
        if not foreign and opening != closing and closing != "’" and text.count(opening) != text.count(closing):
            source_style = quote_style(src) or "“”"
            if original.count(source_style[0]) == original.count(source_style[1]):
                yield _finding(
                    "unbalanced-quotes", f"{text.count(opening)} '{opening}' but {text.count(closing)} '{closing}'"
                )
    if target_quotes < source_quotes:
        # Quote marks around a name or a term ("Programul „Casa Verde”") are each language's
        # custom; a quotation of words someone said is not dropped without changing the text.
        said = sum(1 for passage in QUOTED.finditer(original) if len(LETTERS.findall(passage.group(0))) >= SAID_WORDS)
        kind = "dropped-quotes" if target_quotes < said else "dropped-name-quotes"
        yield _finding(kind, f"the source quotes {source_quotes} passage(s), the translation {target_quotes}")


# --- dates -------------------------------------------------------------------------------------


def check_dates(source: str, target: str, src: Language, dst: Language, context: CheckContext) -> Iterable[Finding]:
    """Every date of the source in the translation with the same day, month and year; no other month.

    Dates are compared by the days they name (`DateMention.points`), so that a range may be
    written as the target language writes it: "from 10 to 14 March", "10–14 maart", "van dinsdag
    10 tot en met zaterdag 14 maart", "între 10 și 14 martie", or as its two dates.
    """
    source_dates = find_dates(prose(source), src.locale)
    target_dates = find_dates(prose(target), dst.locale)
    wanted = Counter(p for d in source_dates for p in d.points)
    found = Counter(p for d in target_dates for p in d.points)
    reported = False
    for mention in source_dates:
        if any(found[p] < wanted[p] for p in mention.points):
            forms = " or ".join(f"'{f}'" for f in dict.fromkeys(expected(mention, dst.locale)))
            yield _finding("date", f"the date '{mention.text}' of the source is missing or changed: write {forms}")
            reported = True
    for mention in target_dates:
        if any(found[p] > wanted[p] for p in mention.points):
            yield _finding("date", f"the date '{mention.text}' is not in the source")
            reported = True
        elif (
            mention.days
            and len(mention.days) == 1
            and mention.year
            and str(mention.year) in mention.text  # not a year it takes from the end of its range
            and mention.text not in expected(mention, dst.locale)
        ):
            yield _finding(
                "date-format", f"write '{mention.text}' as {dst.name} does: '{describe(mention, dst.locale)}'"
            )
    if reported:
        return
    source_months = months_mentioned(prose(source), src.locale)
    target_months = months_mentioned(prose(target), dst.locale)
    for month in sorted(set(target_months) - set(source_months)):
        if not homograph_of(month, prose(source), src.locale):
            yield _finding(
                "date", f"the translation names month {month} ({_month_name(month, dst)}), the source does not"
            )
    for month in sorted(set(source_months) - set(target_months)):
        if not homograph_of(month, prose(target), dst.locale):
            yield _finding(
                "date", f"the source names month {month} ({_month_name(month, src)}), the translation does not"
            )


def _month_name(month: int, language: Language) -> str:
    return str(language.locale.months["format"]["wide"][month])


def without_dates(
    check: Callable[[str, str, Language, Language], Iterable[Finding]],
) -> Callable[[str, str, Language, Language], Iterable[Finding]]:
    """Wrap a check (the figures check) so that it does not see dates, which `check_dates` compares, nor times.

    "2024-05-17" is rightly "17 mei 2024" in a translation; read as figures it would be 2024, 5
    and 17 against 17 and 2024. Times are compared here as times of day: "19.30 uur" is "7.30 pm"
    and "ora 19:30"; a whole hour may stand as a figure on the other side ("at 10" for "ora 10").
    """

    def check_outside_dates(source: str, target: str, src: Language, dst: Language) -> Iterable[Finding]:
        source, target = _blank_dates(source, src), _blank_dates(target, dst)
        source_times = find_times(source, get_decimal_symbol(src.locale))
        target_times = find_times(target, get_decimal_symbol(dst.locale))
        source_left, target_left = _unmatched(source_times, target_times), _unmatched(target_times, source_times)
        source, target = _blank(source, source_times), _blank(target, target_times)
        for times, where in (
            (source_left, "of the source is missing or changed"),
            (target_left, "is not in the source"),
        ):
            other = target if times is source_left else source
            for time in times:
                # A whole hour may stand as a figure on the other side: "ora 10" for "at 10".
                blanked = _blank_hour(other, time)
                if blanked == other:
                    yield _finding("date", f"the time '{time.text}' {where}")
                elif times is source_left:
                    target = blanked
                else:
                    source = blanked
        yield from check(source, target, src, dst)

    return check_outside_dates


def _blank(text: str, spans: Iterable[DateMention | TimeMention]) -> str:
    for mention in sorted(spans, key=lambda m: m.start, reverse=True):
        text = text[: mention.start] + " " * (mention.end - mention.start) + text[mention.end :]
    return text


def _unmatched(times: list[TimeMention], others: list[TimeMention]) -> list[TimeMention]:
    """Return the times that `others` does not have (as many times as it lacks them); see `same_time`."""
    free = list(others)
    unmatched = []
    # Exact times first, so that a time on a twelve-hour dial takes only what is left.
    for time in sorted(times, key=lambda t: t.dial):
        match = next((o for o in free if o.minutes == time.minutes), None) or next(
            (o for o in free if same_time(time, o)), None
        )
        if match is None:
            unmatched.append(time)
        else:
            free.remove(match)
    return sorted(unmatched, key=lambda t: t.start)


def _blank_hour(text: str, time: TimeMention) -> str:
    """Blank the first figure of `text` that is the whole hour of `time` ("10" for 10:00 or 22:00)."""
    if time.minutes % 60:
        return text
    hours = "|".join(str(h) for h in dict.fromkeys((time.minutes // 60, time.minutes // 60 % 12 or 12)))
    return re.sub(rf"(?<![\d.,:])(?:{hours})(?!\d|[.,:]\d)", lambda m: " " * len(m.group(0)), text, count=1)


def _blank_dates(text: str, language: Language) -> str:
    return _blank(text, find_dates(text, language.locale))


# --- sentences ---------------------------------------------------------------------------------


def expected_length_ratio(pairs: Iterable[tuple[str, str]], src: Language, dst: Language) -> float:
    """Return the usual length of a translation over its source's: the catalog's median, or the pair's."""
    ratios = [len(t) / len(s) for s, t in pairs if len(s) >= 2 * LONG_MESSAGE and t]
    if len(ratios) >= 5:
        return statistics.median(ratios)
    return pair_ratio(src.locale.language, dst.locale.language)


def pair_ratio(src: str, dst: str) -> float:
    """Return the usual length of a translation from `src` into `dst` over its source's.

    Measured pairs are in `LENGTH_RATIOS`; the other direction is their inverse (Dutch into
    English is shorter), and two languages measured against English are compared through it.
    """
    if (src, dst) in LENGTH_RATIOS:
        return LENGTH_RATIOS[(src, dst)]
    if (dst, src) in LENGTH_RATIOS:
        return 1 / LENGTH_RATIOS[(dst, src)]
    if ("en", src) in LENGTH_RATIOS and ("en", dst) in LENGTH_RATIOS:
        return LENGTH_RATIOS[("en", dst)] / LENGTH_RATIOS[("en", src)]
    return DEFAULT_LENGTH_RATIO


def check_sentences(source: str, target: str, src: Language, dst: Language, context: CheckContext) -> Iterable[Finding]:
    """As many sentences as the source, and a length that fits: a dropped or added sentence is an error."""
    # Lengths of the prose alone: a link's address is no text of either side.
    original, translation = " ".join(prose(source).split()), " ".join(prose(target).split())
    if not original or not translation:
        return
    ratio = context.length_ratio or pair_ratio(src.locale.language, dst.locale.language)
    source_sentences = split_sentences(original, src.locale.language)
    target_sentences = split_sentences(translation, dst.locale.language)
    n_source, n_target = len(source_sentences), len(target_sentences)
    if len(original) < SHORT_MESSAGE and n_source < 2:
        return  # a label: its translation may well be twice as long, or half
    scale = len(translation) / (len(original) * ratio)
    # One sentence says little by its length alone until it is long: an institution's long name
    # is rightly a short one in another language.
    long_enough = len(original) >= (LONG_MESSAGE if n_source > 1 else 2 * LONG_MESSAGE)
    counts = f"{plural(n_target, 'sentence')} where the source has {n_source}"
    if n_source != n_target:
        moves = align([len(s) for s in source_sentences], [len(t) for t in target_sentences], ratio)
        i = j = 0
        for di, dj in moves:
            if (di, dj) == (1, 0):
                yield _finding("sentences", f"{counts}: '{excerpt(source_sentences[i])}' has no translation")
                return
            if (di, dj) == (0, 1):
                yield _finding("sentences", f"{counts}: '{excerpt(target_sentences[j])}' is not in the source")
                return
            i, j = i + di, j + dj
    if n_target < n_source and scale < FEWER_SENTENCES_SCALE:
        yield _finding("sentences", f"{counts}, and it is {1 - scale:.0%} shorter than usual: a sentence is missing")
    elif n_target > n_source and scale > MORE_SENTENCES_SCALE:
        yield _finding("sentences", f"{counts}, and it is {scale - 1:.0%} longer than usual: a sentence was added")
    elif long_enough and scale < SHORTER_SCALE:
        yield _finding("sentences", f"the translation is {1 - scale:.0%} shorter than usual: part of it is missing")
    elif long_enough and scale > LONGER_SCALE:
        yield _finding("sentences", f"the translation is {scale - 1:.0%} longer than usual: text was added")


# --- names and glossary ------------------------------------------------------------------------


def known_names(
    sources: Iterable[str], speller: Speller | None, lang: str, extra: Iterable[str] = ()
) -> frozenset[str]:
    """Return the proper names of a release's source texts: capitalised words no dictionary knows.

    A capitalised word counts when the source language's dictionary does not know it and it is
    not only ever the first word of a sentence (where any word has a capital); an acronym counts
    anywhere. Particles ("de", "van") and time zones never count (`names.is_name_word`). `extra`
    adds the names of the front matter (the author, the contacts) that are a person's name or
    no common word (`names.front_matter_names`: "Press office" gives none).
    """
    extra_words = front_matter_names(extra, speller)
    if speller is None:
        return frozenset(extra_words)
    inside: set[str] = set()
    initial: set[str] = set()
    for text in sources:
        for sentence in split_sentences(prose(text), lang):
            words = list(LETTERS.finditer(sentence))
            for index, match in enumerate(words):
                word = match.group(0)
                if not word[0].isupper() or not is_name_word(word):
                    continue
                (initial if index == 0 else inside).add(word)
    candidates = inside | {w for w in initial if w.isupper()}
    verdicts = speller.verdicts(sorted(candidates))
    return frozenset({w for w, v in verdicts.items() if not v.known} | extra_words)


def check_names(source: str, target: str, src: Language, dst: Language, context: CheckContext) -> Iterable[Finding]:
    """Each name of the source in the translation: kept as it is (diacritics aside), or as its language names a place.

    See `names`: what counts as a name, and how a translation may write it. An acronym may give
    way to one of the translation's language (NAVO for NATO), the words of a name the source
    explains by an acronym to that acronym ("(CEF)").
    """
    text, translation = without_time_zones(prose(source)), prose(target)
    speller = context.spellers.get(src.locale.language)
    names = context.names | known_names([source], speller, src.locale.language)
    glossary_words = context.glossary.words if context.glossary else frozenset()
    target_words = LETTERS.findall(translation)
    witnesses = context.witnesses.get(source, ())
    persons = _kept_persons(text, witnesses, context)
    kept_elsewhere = [LETTERS.findall(prose(other)) for _, other in witnesses]
    explained = explained_by_acronym(text)
    source_acronyms = [w for w in LETTERS.findall(text) if ACRONYM.match(w)]
    spare = len([w for w in target_words if ACRONYM.match(w) and w not in source_acronyms])
    languages = tuple(sorted({*context.languages, src.locale.language, dst.locale.language}))
    places = places_in(text, src.locale.language, languages)
    # A place the translation names as its language does is there, whatever the words: "Kyiv", "Kiev".
    named = {
        w
        for name, place in places
        if keeps_place(target_words, translation, place, src.locale.language, dst.locale.language, languages)
        for w in LETTERS.findall(name)
    }
    reported: set[str] = set()
    words = LETTERS.findall(text)
    _add_run_on_names(text, persons)
    for name in dict.fromkeys(words):
        if (name not in names and name not in persons) or not is_name_word(name) or name in named:
            continue
        if name.casefold() in glossary_words or has_name(target_words, name):
            continue
        # An acronym's plural is written as each language does: "GGDs", "GGD's", "(GGD)" in Romanian.
        if ACRONYM_PLURAL.fullmatch(name) and has_name(target_words, name[:-1]):
            continue
        if ROMAN_ORDINAL.fullmatch(name):  # "XXIIe", "XIV-a": an ordinal, which `numbers` reads
            continue
        if explained.get(name) in target_words or derived_from_place(name, src.locale.language):
            continue
        if ACRONYM.match(name) and spare > 0:
            spare -= 1  # a translated acronym: NAVO for NATO, UE for EU
            continue
        close = close_words(target_words, name)
        hint = f" (the translation has '{close[0]}')" if close else ""
        reported.add(name)
        # Strong evidence: a slip of it in the translation, a person's name, or the message's other
        # translation keeping it. Otherwise "GHG" may well be "broeikasgas", "IenW" the ministry's name.
        # An acronym the source spells out may go where the name is translated ("(IenW)"), and a
        # title made of common words may have its official translation ("Cybersecuritybeeld").
        descriptive = name in explained.values() or (speller is not None and compound_word(name.casefold(), speller))
        witnessed = not descriptive and any(has_name(other, name) for other in kept_elsewhere)
        sure = close or name in persons or witnessed
        yield _finding(
            "name" if sure else "dropped-name", f"the name '{name}' of the source is missing or misspelt{hint}"
        )
    for name, place in places:
        words = LETTERS.findall(name)
        if reported & set(words) or any(w.casefold() in glossary_words for w in words) or set(words) <= named:
            continue
        if not keeps_place(target_words, translation, place, src.locale.language, dst.locale.language, languages):
            written = place.names.get(dst.locale.language) or name
            close = close_words(target_words, written, slips=1)
            hint = f" (the translation has '{close[0]}')" if close else ""
            yield _finding("name", f"the place '{name}' of the source is missing or misspelt: write '{written}'{hint}")


def _add_run_on_names(text: str, persons: set[str]) -> None:
    """Add the words of a person's name that run on from the one after a title: "Mayor Radu Mureșan", up to
    the end of its sentence or a quotation ("… said Minister Ioana Popescu. “As one GP told me")."""
    for before, word in itertools.pairwise(LETTERS.finditer(text)):
        between = text[before.end() : word.start()]
        run_on = before.group(0) in persons and not NAME_BREAK.search(between)
        if run_on and word.group(0)[:1].isupper() and is_name_word(word.group(0)):
            persons.add(word.group(0))


def _kept_persons(text: str, witnesses: Sequence[tuple[str, str]], context: CheckContext) -> set[str]:
    """Return the surnames after a title: those the release's other translations keep as it is, not as a word.

    Without other translations, a word after an English or Dutch title is one; after a
    Romanian title it may be an institution in the genitive ("ministrul Energiei"), and is not.
    """
    found = set()
    for name, sure in persons_after_titles(text):
        kept = bool(witnesses) or sure
        for lang, translation in witnesses:
            speller = context.spellers.get(lang)
            known = speller is not None and speller.verdicts([name.casefold()])[name.casefold()].known
            if known or not has_name(LETTERS.findall(prose(translation)), name):
                kept = False
        if kept:
            found.add(name)
    return found


def check_glossary(source: str, target: str, src: Language, dst: Language, context: CheckContext) -> Iterable[Finding]:
    """A glossary term of the source translated as the glossary says, and no forbidden translation."""
    if context.glossary is None:
        return
    text = prose(target)
    slipped: set[str] = set()  # a word misspelt is reported once, under the first term it belongs to
    for term in context.glossary.in_source(prose(source)):
        # A forbidden name is forbidden with its capital: "Olanda", not the adjective "olandeze".
        banned = [
            (span, forbidden)
            for forbidden in term.forbidden
            for span in find(text, forbidden)
            if not forbidden[:1].isupper() or text[span[0]].isupper()
        ]
        # A forbidden word is no inflection of an accepted one ("Olanda" is not "olandez").
        accepted = [
            span
            for t in term.targets
            for span in find(text, t)
            if not any(span[0] < end and start < span[1] for (start, end), _ in banned)
        ]
        slip = _misspelt_term(text, term.targets)
        if slip is not None:
            written, meant = slip
            if written not in slipped:
                slipped.add(written)
                yield _finding(
                    "misspelt-term",
                    f"'{written}' is misspelt: '{term.sources[0]}' is translated as '{meant}' (glossary)",
                )
        elif term.targets and not accepted:
            options = " or ".join(f"'{t}'" for t in term.targets[:3])
            yield _finding("glossary", f"'{term.sources[0]}' is translated as {options} (glossary)")
        for forbidden in dict.fromkeys(f for _, f in banned):
            yield _finding("forbidden-term", f"'{forbidden}' is not used for '{term.sources[0]}' (glossary)")


def _misspelt_term(text: str, targets: Sequence[str]) -> tuple[str, str] | None:
    """Find a glossary translation with one of its names written with a slip ("AVO", "Romania").

    Wherever the term's words stand in order but one, and that one is a capitalised word (a
    name, an acronym) one letter off, or with other diacritics, it is misspelt: even when the
    term is written right elsewhere in the message. An ending is no slip ("Nederlandse",
    "Alianței Nord-Atlantice"), nor a capital at the start of a sentence; a lower-case word
    written otherwise is more often rephrased than misspelt, and the dictionary judges it anyway.
    """
    words = LETTERS.findall(text)
    for target in targets:
        wanted = LETTERS.findall(target)
        for start in range(len(words) - len(wanted) + 1):
            window = words[start : start + len(wanted)]
            slips = [(w, t) for w, t in zip(window, wanted, strict=True) if not find(w, t)]
            if len(slips) != 1:
                continue
            written, meant = slips[0]
            if len(meant) < 3 or not meant[0].isupper() or not written[:1].isupper():
                continue
            slipped = distance(written, meant) <= 1 or fold(written) == fold(meant)
            if slipped and written.casefold() != meant.casefold() and not _inflected(written, meant):
                return written, target
    return None


def _inflected(written: str, meant: str) -> bool:
    """Tell whether two words differ only in the last two letters of a stem: an ending ("Atlantice")."""
    common = 0
    for a, b in zip(written.casefold(), meant.casefold(), strict=False):
        if a != b:
            break
        common += 1
    return common >= 4 and common >= max(len(written), len(meant)) - 2


# --- untranslated text and wrong language -------------------------------------------------------


def _kept_as_is(word: str, context: CheckContext) -> bool:
    """A word that a translation keeps: a name, or a glossary term translated as itself."""
    if word in context.names:
        return True
    glossary = context.glossary
    return glossary is not None and any(
        word.casefold() in (w.casefold() for t in term.sources for w in LETTERS.findall(t))
        and any(t.casefold() == s.casefold() for t in term.targets for s in term.sources)
        for term in glossary.terms
    )


def _same_in_both(words: Sequence[str], src: Language, dst: Language, context: CheckContext) -> bool:
    """Tell whether words copied from the source are right in the translation as they are.

    Each is a name or a glossary term kept as is; a word that other messages of the catalog
    keep as it is ("Constanța" in the title); an acronym or a unit ("MW", "km"); a word of
    the target language too ("Transport", "Energie", "Total": its dictionary knows it); or a
    proper name, which the source language's dictionary knows only with its capital (a place
    such as "Tallinn", "Eindhoven", "Cluj-Napoca").
    """
    if _renamed(" ".join(words), src, dst, context):
        return False
    rest = [w for w in words if not (_kept_as_is(w, context) or len(w) <= 2 or w.isupper() or w in context.kept)]
    if part_of(context) == "location" and all(w[:1].isupper() for w in rest):
        return True  # a dateline's place, which most languages write as its own: "Constanța"
    target, source = context.spellers.get(dst.locale.language), context.spellers.get(src.locale.language)
    if not rest or target is None or source is None:
        return not rest
    known = target.verdicts(rest)
    lower = source.verdicts(w.casefold() for w in rest)
    return all(known[w].known or (w[:1].isupper() and not lower[w.casefold()].known) for w in rest)


def _renamed(text: str, src: Language, dst: Language, context: CheckContext) -> bool:
    """Tell whether a text has a name the target language writes otherwise: a glossary term, a place of CLDR.

    "The Hague" copied into Dutch is untranslated ("Den Haag"), as "Bucharest" is ("Boekarest").
    """
    glossary = context.glossary
    if glossary is not None:
        for term in glossary.in_source(text):
            if term.targets and not any(find(text, t) for t in term.targets):
                return True
    languages = tuple(sorted({*context.languages, src.locale.language, dst.locale.language}))
    for _, place in places_in(text, src.locale.language, languages):
        written = place.names.get(dst.locale.language)
        if written and written != place.names.get(src.locale.language) and not find(text, written):
            return True
    return False


def check_untranslated(
    source: str, target: str, src: Language, dst: Language, context: CheckContext
) -> Iterable[Finding]:
    """A copy of the source, or a sentence of it: an error, unless it is right in both languages as it is.

    See `_same_in_both`: a name, a number, a glossary term kept as is, a unit, a word that both
    languages write alike, a place.
    """
    words = LETTERS.findall(prose(source))
    if source.strip() == target.strip():
        if not words or _same_in_both(words, src, dst, context):
            return
        yield _finding("untranslated", "the translation is a copy of the source")
        return
    target_text = " ".join(prose(target).split())
    for sentence in split_sentences(prose(source), src.locale.language):
        sentence_words = LETTERS.findall(sentence)
        copied = re.search(rf"(?<!\w){re.escape(' '.join(sentence.split()))}(?!\w)", target_text)
        if copied and len(sentence_words) >= 2 and not _same_in_both(sentence_words, src, dst, context):
            yield _finding("untranslated", f"a sentence of the source is left untranslated: '{excerpt(sentence)}'")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Loaded once, and only when a check needs it: the model takes half a second to read.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=256)
def _identify(text: str, candidates: tuple[str, ...] | None) -> tuple[str, float]:
    """Return the likeliest language of `text` and its probability, among `candidates` (None: all)."""
    identifier = _identifier()
    if candidates is not None:
        candidates = tuple(c for c in candidates if c in identifier.labels)
        if len(candidates) < 2:
            return "", 0.0
    identifier.set_languages(list(candidates) if candidates is not None else None)
    language, confidence = identifier.classify(text)
    return str(language), float(confidence)


def _language_name(code: str) -> str:
    return str(Locale("en").languages.get(code, code))


def _language_words(text: str, context: CheckContext, source: str) -> list[str]:
    """The words that tell a text's language: not the names, not the glossary's terms."""
    names_here = {w for w in LETTERS.findall(source) if w[:1].isupper()} | context.names
    glossary_words = context.glossary.words if context.glossary else frozenset()
    return [w for w in LETTERS.findall(prose(text)) if w not in names_here and w.casefold() not in glossary_words]


def check_language(source: str, target: str, src: Language, dst: Language, context: CheckContext) -> Iterable[Finding]:
    """The translation is in its language, every sentence of it.

    A message or sentence of five words or more (names and glossary terms aside) goes to the
    language identifier (py3langid, whose model ships in its package), among all its languages
    and then among the site's: another language at 90 % or more is an error. A shorter text is
    in another language when the target language's dictionary knows none of its words and
    another of the site's dictionaries knows them all.
    """
    own = dst.locale.language
    site = tuple(sorted({*context.languages, src.locale.language, own}))
    for piece in dict.fromkeys([target, *split_sentences(target, own)]):
        words = _language_words(piece, context, source)
        if len(words) < MIN_LANGUAGE_WORDS:
            continue
        for candidates in (None, site):
            language, confidence = _identify(" ".join(words), candidates)
            if language and language != own and confidence >= LANGUAGE_CONFIDENCE:
                yield _finding(
                    "language", f"this reads as {_language_name(language)}, not {dst.name}: '{excerpt(piece)}'"
                )
                return
    words = _language_words(target, context, source)
    mine = context.spellers.get(own)
    if not words or len(words) >= MIN_LANGUAGE_WORDS or mine is None:
        return
    if any(v.known for v in mine.verdicts(words).values()):
        return
    for other, speller in sorted(context.spellers.items()):
        if other != own and all(v.known for v in speller.verdicts(words).values()):
            yield _finding("language", f"'{' '.join(words)}' reads as {_language_name(other)}, not {dst.name}")
            return


# --- spelling ----------------------------------------------------------------------------------


def _own_words(source: str, context: CheckContext) -> tuple[list[str], list[str]]:
    """Words a translation may use whatever the dictionary says: the source's and the names, the glossary's.

    The first may gain diacritics in the translation (Luminita, Luminița); the glossary's
    are written in the target language already, diacritics and all.
    """
    source_words = LETTERS.findall(prose(source)) + sorted(context.names | context.vocabulary)
    glossary_words = []
    if context.glossary is not None:
        glossary_words = [w for term in context.glossary.terms for t in term.targets for w in LETTERS.findall(t)]
    return source_words, glossary_words


def _close(word: str, candidates: Sequence[str]) -> str | None:
    """Return the candidate one typing slip away from `word`: first one that differs only in diacritics."""
    for candidate in candidates:
        if fold(candidate) == fold(word):
            return candidate
    for candidate in candidates:
        # One slip, diacritics aside ("Luminițaa" for "Luminița"); or hunspell proposes to split a
        # word ("co organizează").
        if distance(fold(candidate), fold(word)) <= 1 or candidate.replace(" ", "").replace("-", "") == word:
            return candidate
    return None


class _Vouched:
    """The words a message's translation may use whatever the dictionary says, as `check_spelling` tells."""

    def __init__(self, source: str, context: CheckContext) -> None:
        source_words, glossary_words = _own_words(source, context)
        self.message_words = LETTERS.findall(prose(source))
        self.message_words += [w for _, text in context.witnesses.get(source, ()) for w in LETTERS.findall(prose(text))]
        source_words += self.message_words
        self.folded, self.exact = {fold(w) for w in source_words}, {w.casefold() for w in glossary_words}
        self.stems = {fold(w) for w in source_words if len(w) >= 4 and w[:1].isupper()}
        self.spelt = {translit(w) for w in source_words if w[:1].isupper()}
        self.names = [w for w in source_words if w[:1].isupper()] + glossary_words

    def accepts(self, word: str) -> bool:
        if fold(word) in self.folded or word.casefold() in self.exact:
            return True
        if word[:1].isupper() and translit(word) in self.spelt:
            return True  # a name of the source transliterated as the language does: "Zelenski"
        # A name of the source with a case ending: "Rotterdamul", "Rotterdamului", "Rotterdamse".
        folded_word = fold(word)
        return word[:1].isupper() and any(
            folded_word.startswith(stem) and folded_word[len(stem) :] in NAME_ENDINGS for stem in self.stems
        )


def _unknown_pieces(words: list[str], speller: Speller, vouched: _Vouched) -> dict[str, str]:
    """Return each word the dictionary does not know, with its first unknown piece (split at - and apostrophes)."""
    whole = speller.verdicts(w.replace("’", "'") for w in words)
    unknown: dict[str, str] = {}
    for word in words:
        if whole[word.replace("’", "'")].known:
            continue
        pieces = [p for p in re.split(r"['’-]", word) if len(p) > 1 and not vouched.accepts(p)]
        verdicts = speller.verdicts(pieces) if pieces != [word] else {word: whole[word]}
        piece = next((p for p in pieces if not verdicts[p].known), None)
        if piece is not None:
            unknown[word] = piece
    return unknown


def check_spelling(source: str, target: str, src: Language, dst: Language, context: CheckContext) -> Iterable[Finding]:
    """Words the target language's dictionary does not know: an error only with strong evidence of a slip.

    Words of the release's sources and of the message's other translations (names, terms kept
    in English), a name with a case ending ("Rotterdamului"), the release's names and the
    glossary's terms are accepted. An unknown word is misspelt (an error) when it is a lower-case
    word, not glued to a figure ("12th"), that no dictionary of the site knows, that is no known
    word with an ending ("metri cubi"), a compound of known words ("actievekoolfilters") or a long
    word's cognate in the source ("perovskit"), and that is one slip (a letter dropped, doubled,
    swapped or replaced, or its diacritics lost) from a dictionary word. A word with capitals (a
    name, an acronym of three letters or more) is misspelt when it is one slip from a name of the
    source ("ERC" for "ERCC"). Every other unknown word (an acronym, a technical term, a foreign
    name, a word of another of the site's languages) is a warning: a word the dictionary does not
    know is not wrong.
    """
    speller = context.spellers.get(dst.locale.language)
    if speller is None:
        return
    vouched = _Vouched(source, context)
    text = prose(target)
    matches = [
        m
        for m in WORD.finditer(text)
        if len(m.group(0)) > 1 and not vouched.accepts(m.group(0)) and not text[m.start() - 1 : m.start()].isdigit()
    ]
    abbreviations = {m.group(0) for m in matches if _abbreviation(text, m, source)}
    unknown = _unknown_pieces(list(dict.fromkeys(m.group(0) for m in matches)), speller, vouched)
    others = [sp for lang, sp in sorted(context.spellers.items()) if lang != dst.locale.language]
    foreign = {
        word: next((_language_name(lang) for lang, _ in _spellers_knowing(others, piece, context)), None)
        for word, piece in unknown.items()
    }
    # A long word one slip from a word of the source is its cognate ("elektrolysers", "perovskit").
    cognates = {fold(w) for w in vouched.message_words if w.islower() and len(w) >= COGNATE_LENGTH}
    lower = [
        p
        for w, p in unknown.items()
        if p.islower()
        and foreign[w] is None
        and w not in abbreviations
        and not any(distance(fold(p), c) <= 1 for c in cognates)
    ]
    targets = slip_targets(lower, speller, dst.locale.language) if lower else {}
    lang = dst.locale.language
    lost = LOST_DIACRITICS.get(lang, {})
    if lang in DIACRITIC_LETTERS and not any(c in DIACRITIC_LETTERS[lang] for c in text):
        lost = lost | LOST_DIACRITICS_BARE.get(lang, {})
    for word, piece in unknown.items():
        close = targets.get(piece) if piece in targets else None
        if piece.casefold() in lost:
            plain = lost[piece.casefold()]
            close = plain[0].upper() + plain[1:] if piece[0].isupper() else plain
        if close is None and not piece.islower() and len(piece) >= 3:
            # A name of the source with a slip: "Luminițaa", "ERC"; not "ONU" of "UN", two letters.
            close = _close(piece, [n for n in vouched.names if len(n) >= 3])
        if close:
            yield _finding("misspelling", f"'{word}' is misspelt: did you mean '{close}'?")
        elif foreign[word]:
            yield _finding("unknown-word", f"'{word}' is not in the {dst.name} dictionary (it is {foreign[word]})")
        else:
            yield _finding("unknown-word", f"'{word}' is not in the {dst.name} dictionary")


ABBREVIATION_LENGTH = 5  # letters at most of a word written with a full stop for the rest ("bijv.", "mil.")


def _abbreviation(text: str, match: re.Match[str], source: str) -> bool:
    """Tell whether a short word followed by a full stop is an abbreviation ("bijv. water", "12,4 mil."):
    the stop is followed by a word in lower case or a figure, or ends a text whose source ends with none."""
    if len(match.group(0)) > ABBREVIATION_LENGTH or text[match.end() : match.end() + 1] != ".":
        return False
    rest = text[match.end() + 1 :]
    if not rest.strip():
        return _end_mark(source) == ""
    following = rest.lstrip()
    return rest[:1].isspace() and (following[:1].islower() or following[:1].isdigit())


def _spellers_knowing(spellers: Sequence[Speller], word: str, context: CheckContext) -> Iterator[tuple[str, Speller]]:
    """Yield the other languages (code, dictionary) whose dictionary knows `word` as it is or in lower case."""
    for lang, speller in sorted(context.spellers.items()):
        if speller in spellers:
            verdicts = speller.verdicts([word, word.casefold()])
            if verdicts[word].known or verdicts[word.casefold()].known:
                yield lang, speller


# --- registration ------------------------------------------------------------------------------

LANG_CHECKS: dict[str, LangCheck] = {
    "doubled-words": check_doubled_words,
    "whitespace": check_whitespace,
    "end-punctuation": check_end_punctuation,
    "quotes": check_quotes,
    "dates": check_dates,
    "sentences": check_sentences,
    "names": check_names,
    "glossary": check_glossary,
    "untranslated": check_untranslated,
    "language": check_language,
    "spelling": check_spelling,
}
# The checks of `checks.CHECKS` that these replace: same idea, stricter or with a context.
REPLACES = ("spaces", "punctuation", "quotes", "untranslated")


def bind(context: CheckContext) -> dict[str, Callable[[str, str, Language, Language], Iterable[Finding]]]:
    """Return the language checks as `checks.Check` functions that all read `context`."""
    return {name: partial(_bound, check, context) for name, check in LANG_CHECKS.items()}


def _bound(
    check: LangCheck, context: CheckContext, source: str, target: str, src: Language, dst: Language
) -> list[Finding]:
    return list(check(source, target, src, dst, context))


@lru_cache(maxsize=16)
def _speller(dictionary: Path, personal: Path | None, identity: tuple[int, ...]) -> Speller:
    # One hunspell process per dictionary and word list for the whole run; a changed word list
    # (its size or times) gets a new one.
    return Speller(dictionary, personal)


def _word_list(path: Path) -> tuple[Path | None, tuple[int, ...]]:
    """Return a language's word list (None if there is none) and what identifies its version.

    Like a catalog, it must be a regular file of a bounded size, not a link: hunspell would read
    whatever a link leads to.
    """
    status = stat_of(path)
    if status is None:
        return None, ()
    identity = (status.st_mode, status.st_ino, status.st_size, status.st_mtime_ns)
    _check_word_list(path, identity)
    return path, identity


@lru_cache(maxsize=16)
def _check_word_list(path: Path, identity: tuple[int, ...]) -> None:
    read_regular(path, "word list", MAX_BYTES)


def missing_dictionaries(languages: Iterable[Language]) -> list[str]:
    """Say, for each language without a hunspell dictionary, that its spelling goes unchecked, and how to fix it."""
    missing = sorted({language.locale_id for language in languages if find_dictionary(language.locale_id) is None})
    return [
        f"{missing_dictionary_hint(locale)}; until then, words in {locale} are not spell-checked" for locale in missing
    ]


def load_context(
    locales_dir: Path,
    src: Language,
    dst: Language,
    languages: Sequence[Language] = (),
    pairs: Iterable[tuple[str, str]] = (),
    names: Iterable[str] = (),
    quotes: str | None = None,
    witnesses: Mapping[str, tuple[tuple[str, str], ...]] | None = None,
) -> CheckContext:
    """Gather what the language checks need for one catalog.

    `pairs` are the catalog's (source, translation) texts: the names of the release and the
    usual length ratio come from them; `names` adds names from elsewhere (front matter: the
    author, the contacts); `quotes` is the language's configured quote marks; `witnesses` the
    other translations of each message (by its source text), in the release's other languages. Dictionaries come
    from `find_dictionary`, each with its project word list `locales/<lang>/words.txt`.
    """
    pairs = list(pairs)
    notes: list[str] = []
    spellers: dict[str, Speller] = {}
    for language in {src, dst, *languages}:
        personal, identity = _word_list(locales_dir / language.code / WORD_LIST_NAME)
        dictionary = find_dictionary(language.locale_id)
        if dictionary is None:
            notes.append(missing_dictionary_hint(language.locale_id))
            continue
        spellers[language.locale.language] = _speller(dictionary, personal, identity)
    glossary = load_glossary(locales_dir, src.code, dst.code)
    return CheckContext(
        languages=tuple(sorted({lang.locale.language for lang in (src, dst, *languages)})),
        glossary=glossary,
        spellers=spellers,
        quotes=quotes,
        names=known_names((s for s, _ in pairs), spellers.get(src.locale.language), src.locale.language, names),
        length_ratio=expected_length_ratio(pairs, src, dst),
        notes=tuple(sorted(notes)),
        witnesses=witnesses or {},
        vocabulary=frozenset(w for s, _ in pairs for w in WORD.findall(prose(s))),
        kept=frozenset(
            w
            for s, t in pairs
            if s.strip() != t.strip()
            for w in set(LETTERS.findall(prose(s))) & set(LETTERS.findall(prose(t)))
            if w[:1].isupper()
        ),
    )
