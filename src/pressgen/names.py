"""Names in a source text, as the source treats them, and whether a translation keeps each one.

A name is what a translation must carry over, in some form, whatever its language:

- a **kept name** is written the same in every language, diacritics and transliteration aside:
  a capitalised word that the source language's dictionary does not know (Ollongren, Cluj,
  Woensel), an acronym (RVO, ANRE), a person named in the front matter (the author, a contact
  whose name is a person's), and a surname after a title or a first name ("staatssecretaris
  Tuinman", "Gijs Tuinman") that the other translations of the release keep as it is;
- a **place name** of CLDR (countries, regions, the cities of time zones) has a name in each
  language: "China" is "China" in Dutch and Romanian, "Bucharest" is "Boekarest" and "București";
  a translation writes it so, inflected ("Chinei", "României"), or as the adjective of the place
  or of its language ("Romanian", "Roemeense", "neerlandeză").

What is not a name: the articles, prepositions and particles of any language ("de", "van",
"der", "la", "și"), a capitalised common noun of a role or a contact ("Press office"), a time
zone (EET), and the words of an organisation's name that the source explains by an acronym the
translation keeps ("Connecting Europe Facility (CEF)" → "Mecanismul pentru interconectarea
Europei (CEF)"). An acronym the translation replaces by one of its own language (NAVO for NATO,
UE for EU) is kept too.
"""

from __future__ import annotations

import itertools
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.languages import get_official_languages

from pressgen.glossary import find
from pressgen.spelling import Speller, distance, fold

LETTERS = re.compile(r"[^\W\d_]+")


# Articles, prepositions, conjunctions and name particles of the site's languages (and of the
# names that come with them): never a name, capitalised or not ("De Vries", "Van den Heuvel").
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


PARTICLES = _word_set(
    "a al an and at av d da das de del della den der des di din do dos du e el en et het i in la le les lo "
    "los lui o of op pe s t te ten ter the to tot van von voor y zu și cu"
)
# Time zones are written in each language's way ("EET", "ora Estoniei", "Estse tijd").
TIME_ZONES = _word_set("UTC GMT CET CEST EET EEST WET WEST BST IST MSK")
# A place that names a time zone ("10:00 Bucharest time", "ora României", "Nederlandse tijd")
# is rendered as each language says it, "local time" too: it is no name to carry over.
ZONE_PHRASE = re.compile(
    r"(?:\b[A-Z][\w-]+(?:\s+[A-Z][\w-]+){0,2}\s+(?:[Tt]ime|[Tt]ijd)\b)"
    r"|(?:\bora\s+(?:oficială\s+|locală\s+)?(?:a\s+)?[A-ZĂÂÎȘȚ][\w-]+(?:\s+[A-ZĂÂÎȘȚ][\w-]+){0,2})"
)
# Words of a street's name that say what kind of street it is: each language writes its own
# ("Strada Memorandumului" is "Memorandumului Street"), so they are no names.
STREET_WORDS = _word_set(
    "strada str bulevardul bd calea piața piata aleea șoseaua soseaua splaiul intrarea drumul "
    "straat laan weg plein gracht kade singel dreef steeg "
    "street road avenue square boulevard lane drive"
)
# Titles before a person's name, in the site's languages (lower case, without a full stop). In
# English and Dutch a capitalised word right after one is a name ("staatssecretaris Tuinman");
# a Romanian title may take an institution in the genitive instead ("ministrul Energiei"), so
# there the release's other translations must keep the word too (`GENITIVE_TITLES`).
TITLES = _word_set(
    "minister secretary president premier chancellor mayor governor ambassador commissioner general "
    "admiral director chair chairman chairwoman spokesperson spokesman spokeswoman councillor alderman "
    "king queen prince princess mr mrs ms dr prof professor sir "
    "staatssecretaris minister-president burgemeester wethouder gedeputeerde commissaris gouverneur "
    "ambassadeur generaal admiraal directeur voorzitter woordvoerder koning koningin prins prinses "
    "mevrouw meneer heer dhr mevr mw ir drs"
)
GENITIVE_TITLES = _word_set(
    "ministrul ministra ministrului premierul premierului președintele președinta președintelui primarul "
    "primarului primărița secretarul secretarului guvernatorul ambasadorul comisarul generalul amiralul "
    "directorul directoarea purtătorul consilierul regele regina prințul domnul doamna dl dna dlui dnei"
)
# Endings the site's languages put on a name: Romanian articles and cases ("Rotterdamului"),
# Dutch adjectives and genitives ("Rotterdamse", "Ruttes").
NAME_ENDINGS = frozenset({"ul", "ului", "lui", "ei", "le", "lor", "s", "se"})
ACRONYM = re.compile(r"^[A-ZĂÂÎȘȚ]{2,}[0-9]*$")
# An organisation's name explained by its acronym: "Connecting Europe Facility (CEF)".
# An acronym has two capitals or more, and may have small letters too ("IenW", "NEa").
EXPLAINED = re.compile(r"((?:[^\W\d_][\w’'-]*\s+){1,8})\((?P<acronym>(?=(?:\w*[A-ZĂÂÎȘȚ]){2})[A-ZĂÂÎȘȚ][\w]{1,7})\)")
# Letters that transliterations of one name write otherwise: Zelensky, Zelenski, Zelenskyj.
TRANSLITERATION = (("kh", "h"), ("ch", "h"), ("sch", "s"), ("sh", "s"), ("sj", "s"), ("zh", "j"), ("zj", "j"),
                   ("ck", "k"), ("tz", "ts"), ("w", "v"), ("y", "i"), ("j", "i"))  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A place CLDR names in each language: its names, and the names of its official languages."""

    code: str
    names: Mapping[str, str]  # by language code
    languages: Mapping[str, tuple[str, ...]]  # the place's languages named in each language


def translit(word: str) -> str:
    """Fold a word as transliterations differ: case, diacritics and letters such as kh/h, y/i, w/v."""
    text = fold(word)
    for a, b in TRANSLITERATION:
        text = text.replace(a, b)
    return text


def is_person_like(name: str, speller: Speller | None) -> bool:
    """Tell whether a front matter name is a person's: a first word that is no common word ("Eva de Vries").

    "Press office", "NATO Press Office", "Persvoorlichting" and "Biroul de presă" are a role or
    an office: their words are common nouns, not names.
    """
    words = [w for w in LETTERS.findall(name) if w.casefold() not in PARTICLES]
    if len(words) < 2 or not words[0][:1].isupper() or words[0].isupper():
        return False
    return speller is None or not speller.verdicts([words[0].casefold()])[words[0].casefold()].known


def front_matter_names(names: Iterable[str], speller: Speller | None) -> set[str]:
    """Return the words of front matter names (author, contacts) that are names.

    A person's name gives every capitalised word but its particles; an office or role gives only
    the words that are no common word of the source language (an acronym such as NATO).
    """
    found: set[str] = set()
    for name in names:
        words = [w for w in LETTERS.findall(name) if len(w) > 1 and w[:1].isupper() and w.casefold() not in PARTICLES]
        if is_person_like(name, speller):
            found.update(words)
        elif speller is not None:
            verdicts = speller.verdicts(w.casefold() for w in words)
            found.update(w for w in words if not verdicts[w.casefold()].known)
    return found


def is_name_word(word: str) -> bool:
    """Tell whether a word can be a name at all: not a particle, not a time zone, two letters or more."""
    folded = word.casefold()
    return len(word) > 1 and folded not in PARTICLES and folded not in STREET_WORDS and word not in TIME_ZONES


def without_time_zones(text: str) -> str:
    """Return `text` with the places that only name a time zone blanked ("Bucharest time", "ora României")."""
    return ZONE_PHRASE.sub(lambda m: " " * len(m.group(0)), text)


@lru_cache(maxsize=16)
def _place_words(lang: str) -> tuple[str, ...]:
    locale = Locale.parse(lang)
    names = [*locale.languages.values(), *locale.territories.values()]
    return tuple(sorted({fold(str(n)) for n in names if len(str(n)) >= 5 and " " not in str(n)}))


def derived_from_place(word: str, lang: str) -> bool:
    """Tell whether a word is derived from a language's or a country's name: "Roemeenstalige", "Hongaarstalig"."""
    folded = fold(word)
    return any(folded.startswith(name) and len(folded) > len(name) + 2 for name in _place_words(lang))


def persons_after_titles(text: str) -> list[tuple[str, bool]]:
    """Return the capitalised words that follow a title ("staatssecretaris Tuinman"), each with whether it is sure.

    It is sure after an English or Dutch title; after a Romanian one it may be an institution
    ("ministrul Energiei"), which the caller confirms otherwise.
    """
    words = list(re.finditer(r"[^\W\d_][\w’'-]*\.?", text))
    found = []
    for before, word in itertools.pairwise(words):
        name, title = word.group(0).rstrip("."), before.group(0).rstrip(".").casefold()
        capitalised = name[:1].isupper() and not name.isupper()
        joined = not text[before.end() : word.start()].strip()  # "Spokesperson, Maritime …" is no title
        titled = title in TITLES or title in GENITIVE_TITLES
        if capitalised and joined and titled and name.casefold() not in TITLES | GENITIVE_TITLES and is_name_word(name):
            found.append((name, title in TITLES))
    return found


def explained_by_acronym(text: str) -> dict[str, str]:
    """Return the words of names the text explains by an acronym, with the acronym: {"Facility": "CEF"}."""
    found = {}
    for m in EXPLAINED.finditer(text):
        words = LETTERS.findall(m.group(1))
        # The name's own words: the capitalised run before the acronym, particles inside it.
        run: list[str] = []
        for w in reversed(words):
            if w[:1].isupper() or w.casefold() in PARTICLES:
                run.insert(0, w)
            else:
                break
        for w in run:
            found[w] = m["acronym"]
    return found


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")))


@lru_cache(maxsize=16)
def places(languages: tuple[str, ...]) -> tuple[Place, ...]:
    """Return the places CLDR names (territories and time zones' cities) with their names in `languages`."""
    locales = {lang: Locale.parse(lang) for lang in languages}
    found = []
    english = Locale.parse("en")
    for key in english.territories:
        code = str(key)
        if not code.isalpha() or code in ("ZZ", "UN"):
            continue
        names = {lang: str(loc.territories.get(code, "")) for lang, loc in locales.items()}
        spoken = get_official_languages(code) if len(code) == 2 else ()
        named = {
            lang: tuple(str(loc.languages[s]) for s in spoken if s in loc.languages) for lang, loc in locales.items()
        }
        found.append(Place(code, {k: v for k, v in names.items() if v}, named))
    for zone in _zones():
        default = zone.rsplit("/", 1)[-1].replace("_", " ")
        names = {lang: str(loc.time_zones.get(zone, {}).get("city", default)) for lang, loc in locales.items()}
        # Only the cities whose name differs between languages (Bucharest, Boekarest, București):
        # a city every language writes alike is a name the dictionary does not know, or a word.
        if len(set(names.values())) > 1:
            found.append(Place(zone, names, {}))
    return tuple(found)


@lru_cache(maxsize=16)
def _by_first_word(lang: str, languages: tuple[str, ...]) -> dict[str, list[tuple[str, Place]]]:
    index: dict[str, list[tuple[str, Place]]] = {}
    for place in places(languages):
        name = place.names.get(lang, "")
        words = LETTERS.findall(name)
        if words and name[:1].isupper():
            index.setdefault(fold(words[0])[:4], []).append((name, place))
    return index


def places_in(text: str, lang: str, languages: tuple[str, ...]) -> list[tuple[str, Place]]:
    """Return the places a text names in language `lang`, as CLDR writes them, with the name as found.

    An inflected name counts ("României", "Chinei"): a case ending replaces at most the name's
    last letter, so that a word one letter longer but two others is none ("Canale", canals, is
    no "Canada"). An adjective does not count: "Estonian" is no mention of Estonia, "românesc"
    none of România (`_adjective`).
    """
    index = _by_first_word(lang, languages)
    found = []
    for key in dict.fromkeys(fold(w)[:4] for w in LETTERS.findall(text) if w[:1].isupper()):
        for name, place in index.get(key, ()):
            spans = [(s, e) for s, e in find(text, name, source=True) if _inflection_of(text[s:e], name)]
            named = [(s, e) for s, e in spans if text[s:e] == name or not _adjective(text[s:e], place, lang)]
            if named and (name, place) not in found:
                found.append((name, place))
    return found


def _inflection_of(found: str, name: str) -> bool:
    """Tell whether each word found keeps all of the name's word but its last letter ("Canadei", not "Canale")."""
    pairs = zip(LETTERS.findall(found), LETTERS.findall(name), strict=False)
    return all(len(_common_prefix(fold(a), fold(b))) >= len(b) - 1 for a, b in pairs)


def _adjective(word: str, place: Place, lang: str) -> bool:
    """Tell whether a word is an adjective of a place: a form of the name of one of its languages."""
    return any(_derived(word, language) for language in place.languages.get(lang, ()))


def _derived(word: str, language_name: str) -> bool:
    stem, folded = fold(language_name), fold(word)
    return len(_common_prefix(stem, folded)) >= max(2, len(stem) - 2) and len(folded) >= len(stem) - 1


def keeps_place(
    target_words: Sequence[str], target: str, place: Place, src: str, dst: str, languages: tuple[str, ...]
) -> bool:
    """Tell whether a translation names a place: as its language or the source's does, or by an adjective.

    An adjective is one of the place's language's name ("Chinese", "Roemeense", "neerlandeză"),
    at least as long as that name but one letter: "Chine" is no form of "China".
    """
    own = set(place.names.values())
    others = _single_names(languages)
    target_words = [w for w in target_words if w in own or w not in others]
    for name in dict.fromkeys((place.names.get(dst, ""), place.names.get(src, ""))):
        if name and find(target, name) and not _other_place(target, name, place, languages):
            return True
    for name in dict.fromkeys((place.names.get(dst, ""), place.names.get(src, ""))):
        # Romanian declines a long name further than `glossary.find` reads: "Uniunii Europene".
        wanted = [fold(w) for w in LETTERS.findall(name)]
        if (
            wanted
            and all(len(w) >= 7 for w in wanted)
            and all(any(len(_common_prefix(w, fold(t))) >= len(w) - 3 for t in target_words) for w in wanted)
        ):
            return True
    return any(_adjective(word, place, dst) for word in target_words)


@lru_cache(maxsize=16)
def _single_names(languages: tuple[str, ...]) -> frozenset[str]:
    """Return every one-word place name in `languages`: a word that names a place names no other."""
    return frozenset(n for place in places(languages) for n in place.names.values() if " " not in n)


def _other_place(target: str, name: str, place: Place, languages: tuple[str, ...]) -> bool:
    """Tell whether what looks like an inflection of `name` is another place's name ("Australia" for "Austria")."""
    spans = find(target, name)
    for other in places(languages):
        if other.code == place.code:
            continue
        for other_name in other.names.values():
            if other_name and other_name != name and any(target[s:e] == other_name for s, e in spans):
                return True
    return False


def _common_prefix(a: str, b: str) -> str:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return a[:length]


def has_name(target_words: Sequence[str], name: str) -> bool:
    """Tell whether a translation's words hold a name: the same, inflected or transliterated ("Rotterdamului")."""
    folded, spelt = fold(name), translit(name)
    for word in target_words:
        if word[:1].isupper() != name[:1].isupper() and not name.isupper():
            continue
        word_folded = fold(word)
        if word_folded.startswith(folded) and len(word) - len(name) <= 4:
            return True
        # The source's name has the case ending: "Rotterdamul" is "Rotterdam".
        if len(word) >= 4 and folded.startswith(word_folded) and folded[len(word_folded) :] in NAME_ENDINGS:
            return True
        if translit(word).startswith(spelt) and len(word) - len(name) <= 4:
            return True
    return False


def close_words(target_words: Sequence[str], name: str, slips: int = 2) -> list[str]:
    """Return the capitalised words of a translation that look like a misspelling of `name`."""
    return [
        w for w in target_words if w[:1].isupper() and w != name and distance(w, name) <= max(slips, len(name) // 4)
    ]
