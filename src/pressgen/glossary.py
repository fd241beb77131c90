"""The glossary of one language: TermBase eXchange (TBX) files that CAT tools and Weblate read.

`locales/<lang>/glossary.tbx` holds one `termEntry` per concept: a `langSet` in the source
language and one in the target language, each with one or more terms (`tig/term`). The first
target term is the preferred one (what machine drafts get); every other one is accepted too,
such as an inflected or adjectival form ("Roemeense" for "Romania"). A target term whose
`termNote type="administrativeStatus"` says deprecated, forbidden or obsolete must not be used.
Both TBX 2 (`martif`, `termEntry`/`langSet`/`tig`) and TBX 3 (`tbx`, `conceptEntry`/`langSec`/
`termSec`) are read.

Terms are matched word by word: a source term written with capitals ("The Hague", "NATO")
matches only with those capitals, a lower-case one in any case; a target term in any case.
A word also matches its inflected forms: the same word with up to four letters added
("Nederland" → "Nederlandse", "Regatul" → "Regatului"), or for longer words the same word with
its last two letters changed ("Țările" → "Țărilor", "România" → "României").
"""

from __future__ import annotations

import itertools
import re
import xml.parsers.expat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pressgen.errors import PressgenError
from pressgen.files import read_regular, stat_of
from pressgen.po import MAX_BYTES
from pressgen.spelling import distance

GLOSSARY_NAME = "glossary.tbx"
WORD = re.compile(r"[^\W_]+")
# What may stand between two words of one term: spaces, a hyphen ("NAVO-bondgenootschap").
JOINER = re.compile(r"[\s\u00a0\u202f-]+")
ENTRY_TAGS = {"termEntry", "conceptEntry"}
LANGUAGE_TAGS = {"langSet", "langSec"}
TERM_GROUP_TAGS = {"tig", "ntig", "termSec"}
FORBIDDEN_STATUS = {"deprecated", "deprecatedterm-admn-sts", "supersededterm-admn-sts", "forbidden", "obsolete"}
MAX_SUFFIX = 4  # letters an inflection may add


@dataclass(frozen=True)
class Term:
    """One concept: its source-language terms, accepted target terms (preferred first), forbidden ones."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    line: int | None = None

    @property
    def preferred(self) -> str | None:
        return self.targets[0] if self.targets else None


@dataclass(frozen=True)
class Glossary:
    """The terms of one language pair, from one TBX file (or none)."""

    source_lang: str
    target_lang: str
    terms: tuple[Term, ...] = ()
    path: Path | None = None
    words: frozenset[str] = field(default=frozenset(), compare=False)

    def occurrences(self, text: str) -> list[tuple[int, int, Term]]:
        """Return the terms of a source text with where they are, a longer term winning over a shorter.

        "NATO alliance" covers the "NATO" in it, so that only its own translation is asked for
        ("Alianța Nord-Atlantică", which has no "NATO").
        """
        candidates = [
            (start, end, text[start:end].casefold() != source.casefold(), term)
            for term in self.terms
            for source in term.sources
            for start, end in find(text, source, source=True)
        ]
        kept: list[tuple[int, int, Term]] = []
        # Longest first; of two terms on the same words, the one written exactly so (not inflected).
        for start, end, _, term in sorted(candidates, key=lambda c: (c[0] - c[1], c[2], c[0])):
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, term))
        return sorted(kept, key=lambda c: c[0])

    def in_source(self, text: str) -> list[Term]:
        """Return the terms a source text holds, each once, in order."""
        return list(dict.fromkeys(term for _, _, term in self.occurrences(text)))


def _words(text: str) -> list[re.Match[str]]:
    return list(WORD.finditer(text))


def same_word(term_word: str, word: str, case_sensitive: bool) -> bool:
    """Tell whether `word` is `term_word` or one of its inflected forms."""
    if not case_sensitive:
        term_word, word = term_word.casefold(), word.casefold()
    if word == term_word:
        return True
    if word.startswith(term_word) and len(word) - len(term_word) <= MAX_SUFFIX and len(term_word) >= 3:
        return True
    if len(term_word) >= 6:
        common = 0
        for a, b in zip(term_word, word, strict=False):
            if a != b:
                break
            common += 1
        # A changed ending, not a typo: a one-letter slip ("Defennce") is no inflection.
        return common >= len(term_word) - 2 and len(word) - common <= MAX_SUFFIX and distance(term_word, word) >= 2
    return False


@lru_cache(maxsize=4096)
def _stem(term_word: str) -> str:
    """Return what every form of a term's word that `same_word` accepts begins with (case folded)."""
    folded = term_word.casefold()
    stems = [folded]  # a letter may fold to two ("ß"): cut before and after folding, keep the shorter
    if len(folded) >= 6:
        stems.append(folded[: len(folded) - 2])
    if len(term_word) >= 6:
        stems.append(term_word[: len(term_word) - 2].casefold())
    return min(stems, key=len)


def find(text: str, term: str, source: bool = False) -> list[tuple[int, int]]:
    """Return where `term` occurs in `text` (start, end), word by word, inflected forms included."""
    wanted = WORD.findall(term)
    if not wanted:
        return []
    # Each word of the term, or an inflected form of it, begins with all of it but an ending
    # (`same_word`): a text without those beginnings holds no form of the term, and most texts
    # hold few of a glossary's terms. Case folding is letter by letter, so the test is exact.
    folded = text.casefold()
    if any(_stem(w) not in folded for w in wanted):
        return []
    case_sensitive = source and any(c.isupper() for c in term)
    words = _words(text)
    found = []
    for i in range(len(words) - len(wanted) + 1):
        run = words[i : i + len(wanted)]
        if not all(same_word(w, m.group(0), case_sensitive) for w, m in zip(wanted, run, strict=True)):
            continue
        if all(JOINER.fullmatch(text[a.end() : b.start()]) for a, b in itertools.pairwise(run)):
            found.append((run[0].start(), run[-1].end()))
    return found


def protect_terms(text: str, glossary: Glossary, kept: Sequence[str] = ()) -> tuple[str, list[str]]:
    """Replace glossary terms by numbered tokens `{n}` that restore to their preferred translation.

    Numbering goes on from `kept` (the parts `translate.protect` already took out), so that
    `translate.restore(draft, kept)` puts everything back at once.
    """
    replacements = list(kept)
    spans = [(start, end, term.preferred) for start, end, term in glossary.occurrences(text) if term.preferred]
    out = []
    position = 0
    for start, end, preferred in spans:
        out.append(text[position:start])
        out.append(f"{{{len(replacements)}}}")
        replacements.append(preferred)
        position = end
    out.append(text[position:])
    return "".join(out), replacements


class _TbxReader:
    """Read the term entries of a TBX file with their line numbers (expat, no DTD, no entities)."""

    def __init__(self, path: Path, source_lang: str, target_lang: str):
        self.path = path
        self.source_lang = source_lang
        self.target_lang = target_lang
        self.terms: list[Term] = []
        self.stack: list[str] = []
        self.entry: dict[str, list[str]] | None = None
        self.entry_line = 0
        self.lang: str | None = None
        self.term_text: list[str] | None = None
        self.group: dict[str, str] | None = None
        self.note_type: str | None = None
        self.note_text: list[str] = []
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        # A glossary needs no DTD and no entities: refuse them rather than expand them.
        self.parser.EntityDeclHandler = self.refuse_entity
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_entity(self, *args: object) -> None:
        raise PressgenError(
            "entity declarations are not allowed in a glossary", self.path, self.parser.CurrentLineNumber
        )

    @staticmethod
    def local(name: str) -> str:
        return name.rsplit(" ", 1)[-1]

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self.local(name)
        self.stack.append(tag)
        if tag in ENTRY_TAGS:
            self.entry = {"source": [], "target": [], "forbidden": []}
            self.entry_line = self.parser.CurrentLineNumber
        elif tag in LANGUAGE_TAGS:
            lang = next((v for k, v in attrs.items() if self.local(k) == "lang"), "")
            self.lang = lang.replace("-", "_").split("_")[0].lower()
        elif tag in TERM_GROUP_TAGS:
            self.group = {"term": "", "status": ""}
        elif tag == "term":
            self.term_text = []
        elif tag == "termNote":
            self.note_type = attrs.get("type", "")
            self.note_text = []

    def text(self, data: str) -> None:
        if self.term_text is not None:
            self.term_text.append(data)
        elif self.note_type is not None:
            self.note_text.append(data)

    def end(self, name: str) -> None:
        tag = self.local(name)
        self.stack.pop()
        if tag == "term" and self.term_text is not None:
            if self.group is not None:
                self.group["term"] = " ".join("".join(self.term_text).split())
            self.term_text = None
        elif tag == "termNote" and self.note_type is not None:
            if self.note_type == "administrativeStatus" and self.group is not None:
                self.group["status"] = "".join(self.note_text).strip().lower()
            self.note_type = None
        elif tag in TERM_GROUP_TAGS and self.group is not None and self.entry is not None:
            term, status = self.group["term"], self.group["status"]
            if term and self.lang == self.source_lang:
                self.entry["source"].append(term)
            elif term and self.lang == self.target_lang:
                self.entry["forbidden" if status in FORBIDDEN_STATUS else "target"].append(term)
            self.group = None
        elif tag in LANGUAGE_TAGS:
            self.lang = None
        elif tag in ENTRY_TAGS and self.entry is not None:
            entry, self.entry = self.entry, None
            # An entry without both languages is for another pair (a release written in Romanian).
            if entry["source"] and (entry["target"] or entry["forbidden"]):
                self.terms.append(
                    Term(tuple(entry["source"]), tuple(entry["target"]), tuple(entry["forbidden"]), self.entry_line)
                )

    def read(self, data: bytes) -> list[Term]:
        try:
            self.parser.Parse(data, True)
        except xml.parsers.expat.ExpatError as error:
            raise PressgenError(
                f"not a well-formed TBX glossary: {xml.parsers.expat.ErrorString(error.code)}", self.path, error.lineno
            ) from None
        return self.terms


def read_glossary(path: Path, source_lang: str, target_lang: str) -> Glossary:
    """Read a TBX glossary for one language pair (language codes such as "en" and "nl").

    Like a catalog, it must be a regular file (not a link, a FIFO or a device) of at most
    `po.MAX_BYTES`: a glossary linked to a file outside the project is refused, not read.
    """
    data = read_regular(path, "glossary", MAX_BYTES).data
    terms = tuple(_TbxReader(path, source_lang, target_lang).read(data))
    words = frozenset(
        w.casefold() for term in terms for text in (*term.sources, *term.targets) for w in WORD.findall(text)
    )
    return Glossary(source_lang, target_lang, terms, path, words)


@lru_cache(maxsize=32)
def _cached(path: Path, identity: tuple[int, ...], source_lang: str, target_lang: str) -> Glossary:
    return read_glossary(path, source_lang, target_lang)


def load_glossary(locales_dir: Path, source_lang: str, target_lang: str) -> Glossary:
    """Return the glossary of `locales/<target>/glossary.tbx`, or an empty one if there is none."""
    path = locales_dir / target_lang / GLOSSARY_NAME
    status = stat_of(path)
    if status is None:
        return Glossary(source_lang, target_lang)
    identity = (status.st_mode, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
    return _cached(path, identity, source_lang, target_lang)
