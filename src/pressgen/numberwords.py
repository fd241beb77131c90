"""Numbers a text writes without a figure: in words, as ordinals, Roman numerals, durations.

A translation may write "30 procent" as "Thirty per cent", "the 14th edition" as "a XIV-a
ediție", "3e" as "third", "30 minutes" as "een half uur" and "24 hours" as "non-stop": the
figures check (`checks.check_numbers`) counts each of these as the number it stands for, on the
side that writes it so. The words are those of the site's languages; a language without a table
here has its figures compared alone.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

# Numbers a translation may write out ("Thirty per cent" for "30 procent"): one to twenty and the
# tens, in each language whose style guides ask for words ("a/b": both are the number).
CARDINALS = {
    "en": (
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty",
        "twenty thirty forty fifty sixty seventy eighty ninety",
        "hundred",
    ),
    "nl": (
        "één/een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien "
        "zeventien achttien negentien twintig",
        "twintig dertig veertig vijftig zestig zeventig tachtig negentig",
        "honderd",
    ),
    "ro": (
        "unu/una/un/o doi/două/doua trei patru cinci șase șapte opt nouă zece unsprezece/unsprăzece "
        "doisprezece/douăsprezece treisprezece paisprezece cincisprezece șaisprezece șaptesprezece "
        "optsprezece nouăsprezece douăzeci",
        "douăzeci treizeci patruzeci cincizeci șaizeci șaptezeci optzeci nouăzeci",
        "sută",
    ),
}
# Compounds as each language writes them: "twenty-five", "vijfentwintig", "douăzeci și cinci";
# the unit of an ordinal is an ordinal ("twenty-first", "eenentwintigste", "douăzeci și unulea").
COMPOUNDS = {
    "en": r"(?P<tens>\w+)-(?P<unit>\w+)",
    "nl": r"(?P<unit>\w+?)(?:en|ën)(?P<tens>\w+)",
    "ro": r"(?P<tens>\w+) și (?P<unit>\w+)",
}
# Ordinals one to twenty, then the tens, in each language ("tweede", "a doua", "al doilea").
ORDINALS = {
    "en": (
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth",
        "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth",
    ),
    "nl": (
        "eerste tweede derde vierde vijfde zesde zevende achtste negende tiende elfde twaalfde dertiende "
        "veertiende vijftiende zestiende zeventiende achttiende negentiende twintigste",
        "twintigste dertigste veertigste vijftigste zestigste zeventigste tachtigste negentigste",
    ),
    "ro": (
        "întâi/întâia/prima/primul/primei/primului doilea/doua/două treilea/treia patrulea/patra "
        "cincilea/cincea șaselea/șasea șaptelea/șaptea optulea/opta nouălea/noua zecelea/zecea "
        "unsprezecelea/unsprezecea doisprezecelea/douăsprezecea treisprezecelea/treisprezecea "
        "paisprezecelea/paisprezecea cincisprezecelea/cincisprezecea șaisprezecelea/șaisprezecea "
        "șaptesprezecelea/șaptesprezecea optsprezecelea/optsprezecea nouăsprezecelea/nouăsprezecea "
        "douăzecilea/douăzecea",
        "douăzecilea/douăzecea treizecilea/treizecea patruzecilea/patruzecea cincizecilea/cincizecea "
        "șaizecilea/șaizecea șaptezecilea/șaptezecea optzecilea/optzecea nouăzecilea/nouăzecea",
    ),
}
ROMAN = re.compile(
    r"(?<![\w-])(?P<numeral>M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
    r"(?P<suffix>-(?:a|lea|le|ul|e|de|ste)|e|ste)?(?![\w-])"
)
ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
# Durations and fractions said in words, with the figures they stand for: "a half hour" is 30
# minutes or 0.5 hours; "non-stop" is 24 hours (and 7 days); "half" of a budget is 50 per cent.
# The longer phrases of each language come first: a word counts once.
DURATIONS = {
    "en": {
        r"three quarters of an hour": ("45", "0.75"),
        r"(?:a )?quarter of an hour|quarter-hour": ("15", "0.25"),
        r"(?:an )?hour and a half|one and a half hours?": ("90", "1.5"),
        r"half an hour|half-hour|half hour": ("30", "0.5"),
        r"round the clock|around the clock|day and night|non-?stop": ("24", "7"),
        r"one and a half": ("1.5",),
        r"twice|both": ("2",),
        r"(?:a )?dozen": ("12",),
        r"half": ("50", "0.5"),
        r"a quarter|one quarter": ("25", "0.25"),
    },
    "nl": {
        r"drie kwartier": ("45", "0.75"),
        r"(?:een )?kwartier": ("15", "0.25"),
        r"anderhalf uur": ("90", "1.5"),
        r"(?:een )?half uur|halfuur": ("30", "0.5"),
        r"dag en nacht|(?:de )?klok rond|non-?stop|(?:etmaal)": ("24", "7"),
        r"anderhalf": ("1.5",),
        r"tweemaal|beide|allebei": ("2",),
        r"(?:een )?dozijn": ("12",),
        r"helft|half": ("50", "0.5"),
        r"een kwart": ("25", "0.25"),
    },
    "ro": {
        r"trei sferturi de oră": ("45", "0.75"),
        r"(?:un )?sfert de oră": ("15", "0.25"),
        r"(?:o )?oră și jumătate": ("90", "1.5"),
        r"(?:o )?jumătate de oră|jumătate de oră": ("30", "0.5"),
        r"zi și noapte|non-?stop|permanent": ("24", "7"),
        r"unu și jumătate|una și jumătate": ("1.5",),
        r"ambii|ambele": ("2",),
        r"(?:o )?duzină": ("12",),
        r"jumătate(?:a)?": ("50", "0.5"),
        r"(?:un )?sfert": ("25", "0.25"),
    },
}


def word_table(units: str, tens: str) -> dict[str, int]:
    """Return the value of each word of a table: `units` from one up, `tens` from twenty; "a/b" are both."""
    words = {word: n for n, group in enumerate(units.split(), 1) for word in group.split("/")}
    return words | {word: 10 * n for n, group in enumerate(tens.split(), 2) for word in group.split("/")}


def _cardinal_words(lang: str) -> dict[str, int]:
    if lang not in CARDINALS:
        return {}
    units, tens, hundred = CARDINALS[lang]
    return word_table(units, tens) | {hundred: 100}


def _ordinal_words(lang: str) -> dict[str, int]:
    return word_table(*ORDINALS.get(lang, ("", "")))


def roman_value(numeral: str) -> int:
    """Return the value of a well-formed Roman numeral ("XIV" is 14)."""
    total = 0
    for letter, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = ROMAN_VALUES[letter]
        total += -value if following and ROMAN_VALUES[following] > value else value
    return total


def romans(text: str) -> Counter[Decimal]:
    """Count the Roman numerals of a text: of two letters or more ("XIV", "II"), or with an ordinal ending ("I-a")."""
    found: Counter[Decimal] = Counter()
    for m in ROMAN.finditer(text):
        numeral = m["numeral"]
        if numeral and (len(numeral) >= 2 or m["suffix"]):
            found[Decimal(roman_value(numeral))] += 1
    return found


def spelled(text: str, lang: str) -> Counter[Decimal]:
    """Count the numbers a text writes in words, cardinal or ordinal ("thirty", "vijfentwintig", "a patra")."""
    cardinals, ordinals = _cardinal_words(lang), _ordinal_words(lang)
    if not cardinals:
        return Counter()
    found: Counter[Decimal] = Counter()
    lowered = text.casefold()
    for m in re.finditer(rf"(?<!\w){COMPOUNDS[lang]}(?!\w)", lowered):
        tens = cardinals.get(m["tens"], 0) or ordinals.get(m["tens"], 0)
        unit = cardinals.get(m["unit"], 0) or ordinals.get(m["unit"], 0)
        if tens >= 20 and tens % 10 == 0 and 0 < unit < 10:
            found[Decimal(tens + unit)] += 1
            lowered = lowered[: m.start()] + " " * (m.end() - m.start()) + lowered[m.end() :]
    for word in re.findall(r"[^\W\d_]+", lowered):
        value = cardinals.get(word) or ordinals.get(word)
        if value:
            found[Decimal(value)] += 1
    return found


def durations(text: str, lang: str) -> Counter[Decimal]:
    """Count the figures that durations said in words stand for ("een half uur": 30 and 0.5)."""
    found: Counter[Decimal] = Counter()
    lowered = text.casefold()
    for pattern, values in DURATIONS.get(lang, {}).items():
        for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", lowered):
            for value in values:
                found[Decimal(value)] += 1
            lowered = lowered[: m.start()] + " " * (m.end() - m.start()) + lowered[m.end() :]
    return found


def written_numbers(text: str, lang: str) -> Counter[Decimal]:
    """Count the numbers a text writes without a figure: in words, as Roman numerals, as durations."""
    return spelled(text, lang) + romans(text) + durations(text, lang)
