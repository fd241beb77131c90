"""Dates in running text, read in any Babel locale: "17 May 2024", "16–17 mei 2024", "May 17", "2024-05-17".

Each date is read as its value (days, month, year), so that a source and its translation can be
compared whatever each language's way of writing it; `expected` says how Babel writes a date in
the target language. Month names, their abbreviations and the order of day and month come from
the locale's CLDR data, so any language Babel knows is read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, get_date_format, get_month_names

from pressgen.numberwords import word_table

# Month names that are also common words of their language, counted only next to a day or a
# year: Romanian "mai" (more), English "may" and "march".
HOMOGRAPHS = {"ro": frozenset({"mai"}), "en": frozenset({"may", "march"}), "fr": frozenset({"mars"})}
DASH = r"\s*[-–—]\s*"
# The words that join the two days of a range, besides a dash and the locale's "and" (CLDR's
# list pattern): "from 10 to 14 March", "van 10 tot en met 14 maart", "10 t/m 14 maart", "de la
# 10 până la 14 martie". What comes before the first day ("from", "between", "van", "tussen",
# "între", "în perioada") does not change the dates, and is not read.
RANGE_WORDS = {
    "en": ("to", "till", "until", "through", "thru"),
    "nl": ("tot en met", "t/m", "tot", "t/m.", "tm"),
    "ro": ("până la", "până în", "până pe", "până", "la"),
    "de": ("bis", "bis zum"),
    "fr": ("au",),
}


@dataclass(frozen=True)
class DateMention:
    """One date in a text: its days (one, or a range), month and year as far as the text gives them."""

    days: tuple[int, ...]
    month: int
    year: int | None
    start: int
    end: int
    text: str

    @property
    def key(self) -> tuple[tuple[int, ...], int, int | None]:
        return (self.days, self.month, self.year)

    @property
    def points(self) -> tuple[tuple[int, int, int | None], ...]:
        """Return the days this mention names, as (day, month, year): a range by its first and last day.

        "10–14 March", "10 tot en met 14 maart" and "10 March to 14 March" name the same two
        days, however each language joins them; a month alone is day 0.
        """
        return tuple((day, self.month, self.year) for day in self.days or (0,))


class _LocaleDates:
    """The date patterns of one locale, compiled once."""

    def __init__(self, locale: Locale):
        self.locale = locale
        self.language = locale.language
        months: dict[str, int] = {}
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    months.setdefault(name.casefold().rstrip("."), number)
        self.months = months
        names = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
        month = rf"(?P<month>{names})\.?"
        pattern = str(locale.list_patterns["standard"]["2"]) if locale.list_patterns else "{0}, {1}"
        conjunction = pattern.replace("{0}", "").replace("{1}", "").strip()
        words = [*RANGE_WORDS.get(self.language, ()), *([conjunction] if conjunction.isalpha() else [])]
        alternatives = "|".join(re.escape(w).replace("\\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
        weekdays = "|".join(
            sorted(
                (re.escape(d) for w in ("wide", "abbreviated") for d in locale.days["format"][w].values()),
                key=len,
                reverse=True,
            )
        )
        # "10 tot en met zaterdag 14": the second day may have its weekday.
        weekday = rf"(?:(?:{weekdays})\.?,?\s+)?"
        joiner = rf"(?:{DASH}|\s+(?:{alternatives})\s+){weekday}" if alternatives else rf"{DASH}{weekday}"
        # What joins the two dates of a range, commas and weekdays around it: "2 martie, până
        # vineri, 27 noiembrie 2026", "2 March to Friday 27 November 2026".
        self.between = re.compile(
            rf"[\s,]*(?:[-–—]|(?:{alternatives})(?=[\s,]))[\s,]*{weekday}" if alternatives else DASH
        )
        day = r"(?P<day>\d{1,2})(?:st|nd|rd|th|e|\.)?"
        day2 = r"(?P<day2>\d{1,2})(?:st|nd|rd|th|e|\.)?"
        year = r"(?P<year>\d{4})"
        boundary_start = r"(?<![\w.,])(?<!\d-)"  # "30 April-2 May" is two dates; "2024-05" is no day
        boundary_end = r"(?!\w|-[^\W\d_])"  # "April-2 May" ends a date; "April-achtig" is none
        self.day_first = re.compile(
            rf"{boundary_start}{day}(?:{joiner}{day2})?\s+{month}(?:,?\s+{year})?{boundary_end}", re.IGNORECASE
        )
        self.month_first = re.compile(
            rf"{boundary_start}{month}\s+{day}(?:{joiner}{day2})?(?:,?\s+{year})?{boundary_end}", re.IGNORECASE
        )
        self.month_year = re.compile(rf"{boundary_start}{month}\s+{year}{boundary_end}", re.IGNORECASE)
        self.month_alone = re.compile(rf"(?<!\w)(?P<month>{names})(?!\w)", re.IGNORECASE)
        short = get_date_format("short", locale).pattern
        self.numeric_day_first = short.lower().find("d") < short.find("M")
        self.homographs = HOMOGRAPHS.get(self.language, frozenset())
        self.wide = frozenset(str(n).casefold() for n in get_month_names("wide", "format", locale).values())
        self.capitalised = all(name[:1].isupper() for name in get_month_names("wide", "format", locale).values())


ISO = re.compile(r"(?<![\w.-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\w-])")
NUMERIC = re.compile(r"(?<![\w.,/-])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?![\w/-])")


@lru_cache(maxsize=16)
def _dates(locale: str) -> _LocaleDates:
    return _LocaleDates(Locale.parse(locale))


def _valid(days: tuple[int, ...], month: int, year: int | None) -> bool:
    try:
        for d in days:
            dt.date(year or 2000, month, d)  # 2000: a leap year, so 29 February is a date
    except ValueError:
        return False
    return True


def find_dates(text: str, locale: Locale | str) -> list[DateMention]:
    """Return every date in `text`, read with the month names and date order of `locale`."""
    data = _dates(str(locale))
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(days: tuple[int, ...], month: int, year: int | None, match: re.Match[str]) -> None:
        if free(match.start(), match.end()) and _valid(days, month, year):
            end = match.end()
            if match.group(0).endswith(".") and match.group(0)[:-1].casefold().endswith(tuple(data.wide)):
                end -= 1  # the sentence's full stop, not an abbreviation's: "între 18 și 22 mai."
            found.append(DateMention(days, month, year, match.start(), end, text[match.start() : end]))
            taken.append((match.start(), end))

    for m in ISO.finditer(text):
        add((int(m["day"]),), int(m["month"]), int(m["year"]), m)
    for m in NUMERIC.finditer(text):
        day, month = (m["a"], m["b"]) if data.numeric_day_first else (m["b"], m["a"])
        add((int(day),), int(month), int(m["year"]), m)
    for pattern in (data.day_first, data.month_first):
        for m in pattern.finditer(text):
            days = (int(m["day"]),) + ((int(m["day2"]),) if m["day2"] else ())
            add(days, data.months[m["month"].casefold()], int(m["year"]) if m["year"] else None, m)
    for m in data.month_year.finditer(text):
        add((), data.months[m["month"].casefold()], int(m["year"]), m)
    found.sort(key=lambda d: d.start)
    # "30 April – 2 May 2026": the year of a range's end is its start's too.
    for index in range(len(found) - 2, -1, -1):
        first, last = found[index], found[index + 1]
        if first.year is None and last.year is not None and data.between.fullmatch(text[first.end : last.start]):
            found[index] = replace(first, year=last.year)
    return found


def months_mentioned(text: str, locale: Locale | str) -> Counter[int]:
    """Count the months a text names, in dates or alone ("in May"); homographs only in dates."""
    data = _dates(str(locale))
    counts: Counter[int] = Counter(d.month for d in find_dates(text, locale))
    spans = [(d.start, d.end) for d in find_dates(text, locale)]
    for m in data.month_alone.finditer(text):
        if any(s <= m.start() < e for s, e in spans):
            continue
        word = m.group(0)
        folded = word.casefold()
        if data.capitalised and not word[0].isupper():
            continue
        if folded in data.homographs and not (data.capitalised and not sentence_start(text, m.start())):
            continue  # "mai sigur", "May I": a word, unless a capital mid-sentence makes it the month
        if folded not in {n.casefold() for n in get_month_names("wide", "format", data.locale).values()}:
            continue  # abbreviations ("Mar", "jan") only count inside a date
        counts[data.months[folded]] += 1
    return counts


# A time of day: "14:00", "09.30 uur", "ora 10", "7.30 pm", "10 a.m.". A figure with a full stop
# ("12.30") is a time only with a word that says so: it may be a decimal; an hour alone only
# with am/pm or the Romanian "ora" ("10 uur" may be ten hours).
TIME = re.compile(
    r"(?<![\w.,:/-])(?:(?P<before>ora|orele)\s+)?(?P<h>[01]?\d|2[0-4])(?:(?P<sep>[:.])(?P<m>[0-5]\d))?"
    r"(?:\s*(?P<after>uur|u\.|h\b|hrs\b|am\b|pm\b|a\.m\.|p\.m\.))?(?!\w|[.,:]\d)",
    re.IGNORECASE,
)
# The first time of a range says nothing itself: "tussen 13.00 en 15.00 uur", "9.30–11.00 uur".
TIME_RANGE = re.compile(r"\s*(?:[-–—]|en|tot|and|to|și|până la)\s*")
CLOCK = ("am", "pm", "a.m.", "p.m.")
# Times that languages write as words: midnight is 24.00 uur and ora 24:00 (one day's end is the
# next one's start), noon 12:00 ("la prânz", "'s middags om twaalf uur"). Whole words only: the
# "noon" of "afternoon" and the "amiază" of "după-amiază" are none.
TIME_WORDS = re.compile(
    r"(?<![\w-])(?:(?P<midnight>midnight|middernacht|miezul nopții|miezul noptii)"
    r"|(?P<noon>noon|midday|middaguur|prânz|pranz|amiază|amiaza))(?!\w)",
    re.IGNORECASE,
)
_HOURS = word_table("one two three four five six seven eight nine ten eleven twelve", "") | word_table(
    "één/een twee drie vier vijf zes zeven acht negen tien elf twaalf", ""
)
_HOUR = r"(\d{1,2}|" + "|".join(sorted(_HOURS, key=len, reverse=True)) + ")"
# Times said as words of the clock, read on a twelve-hour dial: Dutch "half tien" is 9.30,
# "kwart over tien" 10.15, "kwart voor tien" 9.45; English "half past nine", "quarter to ten".
CLOCK_WORDS = re.compile(
    rf"(?<!\w)(?:(?P<half>half)|(?P<offset>half past|quarter past|quarter to|kwart over|kwart voor))"
    rf"\s+(?P<hour>{_HOUR[1:-1]})(?!\w)(?!\s+(?:uur|hours?|procent|per|%|miljoen|million))",
    re.IGNORECASE,
)
CLOCK_OFFSETS = {"half past": 30, "quarter past": 15, "kwart over": 15, "quarter to": -15, "kwart voor": -15}
HALF_DAY = 12 * 60
DAY = 24 * 60


@dataclass(frozen=True)
class TimeMention:
    """A time of day in a text: minutes after midnight, and where it is."""

    minutes: int
    start: int
    end: int
    text: str
    dial: bool = False  # read on a twelve-hour dial ("half tien"): 9.30 or 21.30


def find_times(text: str, decimal: str = ".") -> list[TimeMention]:
    """Return the times of day in a text, in any of the site's languages' ways of writing one.

    `decimal` is the language's decimal sign: where it is a comma, "9.30" can only be a time.
    """
    found: list[TimeMention] = []
    matches = list(TIME.finditer(text))
    for index, m in enumerate(matches):
        after = (m["after"] or "").casefold()
        following = matches[index + 1] if index + 1 < len(matches) else None
        ranged = following is not None and TIME_RANGE.fullmatch(text[m.end() : following.start()])
        if not after and m["m"] is not None and following is not None and following["after"] and ranged:
            after = following["after"].casefold()  # "13.00 en 15.00 uur": both are times
        if m["m"] is None and not (m["before"] or after in CLOCK):
            continue  # "12" is a figure, "12 uur" may be a duration
        if m["sep"] == "." and not (m["before"] or after or decimal != "."):
            continue  # "12.30" alone may be a decimal
        hours, minutes = int(m["h"]), int(m["m"] or 0)
        suffix = after.replace(".", "")
        if suffix == "pm" and hours < 12:
            hours += 12
        elif suffix == "am" and hours == 12:
            hours = 0
        start = m.start("h")
        found.append(TimeMention((hours * 60 + minutes) % DAY, start, m.end(), text[start : m.end()]))
    for m in TIME_WORDS.finditer(text):
        found.append(TimeMention(0 if m["midnight"] else 12 * 60, m.start(), m.end(), m.group(0)))
    for m in CLOCK_WORDS.finditer(text):
        hour = m["hour"].casefold()
        hours = int(hour) if hour.isdigit() else _HOURS[hour]
        offset = -30 if m["half"] else CLOCK_OFFSETS[" ".join(m["offset"].casefold().split())]
        if 1 <= hours <= 12:
            minutes = (hours * 60 + offset) % HALF_DAY
            found.append(TimeMention(minutes, m.start(), m.end(), m.group(0), dial=True))
    return sorted(found, key=lambda t: t.start)


def same_time(a: TimeMention, b: TimeMention) -> bool:
    """Tell whether two times are the same time of day; one read on a twelve-hour dial matches either half."""
    if a.dial or b.dial:
        return a.minutes % HALF_DAY == b.minutes % HALF_DAY
    return a.minutes == b.minutes


def homograph_of(month: int, text: str, locale: Locale | str) -> bool:
    """Tell whether `text` has a word that names `month` but is read as a word ("în mai" is "in May")."""
    data = _dates(str(locale))
    return any(
        data.months.get(m.group(0).casefold()) == month and m.group(0).casefold() in data.homographs
        for m in data.month_alone.finditer(text)
    )


def sentence_start(text: str, position: int) -> bool:
    """Tell whether the word at `position` begins a sentence (where any word has a capital)."""
    before = text[:position].rstrip(" \u00a0\"'“‘„«([")
    return not before or before[-1] in ".!?…:"


def expected(mention: DateMention, locale: Locale | str) -> list[str]:
    """Return how Babel writes a date in `locale`: the forms a translation should use."""
    loc = Locale.parse(str(locale))
    year = mention.year or 2000
    first = dt.date(year, mention.month, mention.days[0] if mention.days else 1)
    if not mention.days:
        return [format_skeleton("yMMMM", first, locale=loc)]
    if len(mention.days) == 2:
        last = dt.date(year, mention.month, mention.days[1])
        skeleton = "yMMMMd" if mention.year else "MMMMd"
        return [format_interval(first, last, skeleton, locale=loc)]
    if mention.year is None:
        return [format_skeleton("MMMMd", first, locale=loc)]
    return [format_date(first, "long", locale=loc), format_date(first, "medium", locale=loc)]


def describe(mention: DateMention, locale: Locale | str) -> str:
    """Write a date the way the given locale does, to name it in a message."""
    return expected(mention, locale)[0]
