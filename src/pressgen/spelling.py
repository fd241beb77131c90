"""Spelling through hunspell: the dictionaries of Debian's hunspell-* packages, asked through a pipe.

One `hunspell -a` process per dictionary answers word by word (the ispell pipe protocol), so
the dictionaries are loaded once per run, and each distinct word is asked once. A project word
list (`locales/<lang>/words.txt`) is a hunspell personal dictionary: one word a line,
`word/model` to inflect it like a dictionary word, `*word` to forbid one.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pressgen.errors import PressgenError

# Where hunspell and Debian's packages keep dictionaries; $DICPATH comes first, as for hunspell.
DICTIONARY_DIRS = ("/usr/share/hunspell", "/usr/share/myspell", "/usr/share/myspell/dicts", "/usr/local/share/hunspell")
# Debian names its dictionary packages hunspell-<language>, and hunspell-<language>-<region> for
# the languages it has per region (hunspell-en-gb, hunspell-de-ch, hunspell-pt-br); those regions
# are below, with the one a bare language code gets.
REGIONAL_PACKAGES = {
    "en": ("us", {"au", "ca", "gb", "us", "za"}),
    "de": ("de", {"at", "ch", "de"}),
    "pt": ("pt", {"br", "pt"}),
}
# How many words go down the pipe before their answers are read: far below the pipe buffers.
BATCH = 200
# Of the slips of a long word, the diacritic variants tried at most (each letter that has some).
MAX_DIACRITIC_VARIANTS = 256


@dataclass(frozen=True)
class Verdict:
    """What the dictionary says of one word: known or not, and its near misses."""

    known: bool
    suggestions: tuple[str, ...] = ()


def find_dictionary(locale: str) -> Path | None:
    """Return the hunspell dictionary (path without `.dic`) for a locale such as `nl_NL`, or None."""
    language = locale.split("_")[0]
    dirs = [d for d in os.environ.get("DICPATH", "").split(":") if d] + list(DICTIONARY_DIRS)
    for name in (locale, language, *(f"{language}_{region}" for region in (language.upper(), "GB", "US"))):
        for folder in dirs:
            base = Path(folder) / name
            if base.with_suffix(".dic").is_file() and base.with_suffix(".aff").is_file():
                return base
    return None


def debian_package(locale: str) -> str:
    """Return the name of the Debian package with the hunspell dictionary of a locale such as `nl_NL`."""
    language, _, region = locale.lower().partition("_")
    if language in REGIONAL_PACKAGES:
        default, regions = REGIONAL_PACKAGES[language]
        return f"hunspell-{language}-{region if region in regions else default}"
    return f"hunspell-{language}"


def missing_dictionary_hint(locale: str) -> str:
    """Say that a locale has no dictionary, and which Debian package brings it."""
    return f"no hunspell dictionary for {locale}: install the Debian package {debian_package(locale)}"


class Speller:
    """One dictionary (plus an optional personal word list), asked through one `hunspell -a` pipe."""

    def __init__(self, dictionary: Path, personal: Path | None = None):
        self.dictionary = dictionary
        self.personal = personal
        self._cache: dict[str, Verdict] = {}
        self._process: subprocess.Popen[str] | None = None
        self._known: dict[str, bool] = {}
        self._alphabet: str | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._process is None:
            program = shutil.which("hunspell")
            if program is None:
                raise PressgenError("the spelling check needs hunspell: install the Debian package hunspell")
            # Always name the personal word list: otherwise hunspell reads the user's own from $HOME.
            personal = self.personal if self.personal is not None and self.personal.is_file() else os.devnull
            command = [program, "-a", "-i", "utf-8", "-d", str(self.dictionary), "-p", str(personal)]
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                env={**os.environ, "LC_ALL": "C.UTF-8"},
            )
            weakref.finalize(self, _stop, self._process)
            assert self._process.stdout is not None
            banner = self._process.stdout.readline()
            if not banner.startswith("@(#)"):
                raise PressgenError(f"hunspell could not open the dictionary {self.dictionary}")
        return self._process

    def verdicts(self, words: Iterable[str]) -> dict[str, Verdict]:
        """Return the dictionary's verdict on each word, asking hunspell only about new ones."""
        wanted = list(dict.fromkeys(w for w in words if w))
        new = [w for w in wanted if w not in self._cache]
        for start in range(0, len(new), BATCH):
            self._ask(new[start : start + BATCH])
        return {w: self._cache[w] for w in wanted}

    def _ask(self, words: list[str]) -> None:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        # "^" makes hunspell read each line as text, never as one of its pipe commands.
        process.stdin.write("".join(f"^{_one_line(w)}\n" for w in words))
        process.stdin.flush()
        for word in words:
            known, suggestions = True, []
            while True:
                line = process.stdout.readline()
                if not line:
                    raise PressgenError(f"hunspell stopped while checking '{word}' ({self.dictionary})")
                line = line.rstrip("\n")
                if not line:
                    break
                if line[0] in "&#?":
                    known = False
                    if line[0] == "&" and ": " in line:
                        suggestions += line.split(": ", 1)[1].split(", ")
            self._cache[word] = Verdict(known, tuple(dict.fromkeys(suggestions)))

    def known_words(self, words: Iterable[str]) -> set[str]:
        """Return those of `words` that the dictionary knows, asking one `hunspell -l` run for the new ones.

        `-l` only lists the unknown words, without suggestions: thousands of words take a tenth
        of a second, where `-a` would spend as long on the suggestions of each unknown one.
        """
        new = [w for w in dict.fromkeys(_one_line(w) for w in words) if w and w not in self._known]
        if new:
            program = shutil.which("hunspell")
            if program is None:
                raise PressgenError("the spelling check needs hunspell: install the Debian package hunspell")
            personal = self.personal if self.personal is not None and self.personal.is_file() else os.devnull
            command = [program, "-l", "-i", "utf-8", "-d", str(self.dictionary), "-p", str(personal)]
            result = subprocess.run(
                command,
                input="".join(f"{w}\n" for w in new),
                capture_output=True,
                text=True,
                encoding="utf-8",
                env={**os.environ, "LC_ALL": "C.UTF-8"},
                check=False,
            )
            unknown = set(result.stdout.split("\n"))
            self._known.update((w, w not in unknown) for w in new)
        return {w for w in words if self._known.get(_one_line(w), False)}

    def alphabet(self) -> str:
        """Return the lower-case letters of the dictionary's language: its `.aff` file's TRY line."""
        if self._alphabet is None:
            letters = "abcdefghijklmnopqrstuvwxyz"
            try:
                for line in (
                    self.dictionary.with_suffix(".aff").read_text(encoding="utf-8", errors="replace").splitlines()
                ):
                    if line.startswith("TRY "):
                        letters += "".join(c for c in line[4:].casefold() if c.isalpha())
                        break
            except OSError:
                pass
            self._alphabet = "".join(dict.fromkeys(letters))
        return self._alphabet

    def close(self) -> None:
        """Stop the hunspell process."""
        if self._process is not None:
            _stop(self._process)
            self._process = None


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _one_line(word: str) -> str:
    return " ".join(word.split())


def fold(text: str) -> str:
    """Return `text` in lower case without diacritics: Luminița and Luminita fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def distance(a: str, b: str) -> int:
    """Return the optimal string alignment distance (Levenshtein with adjacent swaps) of two words."""
    a, b = a.casefold(), b.casefold()
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def slips(word: str, alphabet: str) -> list[str]:
    """Return the words one typing slip away from `word`, the likeliest first.

    Lost diacritics first ("sedinta" for "ședință"), then two letters swapped, a letter too
    many, one replaced, one dropped: each with the letters of `alphabet`.
    """
    variants: list[str] = []
    options = [[c, *(a for a in alphabet if a != c and fold(a) == c)] for c in word]
    count = 1
    for choices in options:
        count *= len(choices)
    if 1 < count <= MAX_DIACRITIC_VARIANTS:
        variants += ["".join(letters) for letters in itertools.product(*options)][1:]
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    variants += [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1 and b[0] != b[1]]
    variants += [a + b[1:] for a, b in splits if b]
    variants += [a + c + b[1:] for a, b in splits if b for c in alphabet if c != b[0]]
    variants += [a + c + b for a, b in splits for c in alphabet]
    return list(dict.fromkeys(v for v in variants if v != word))


# Endings that inflect a word which a dictionary may know only in its base form: an unknown word
# that is a known one with such an ending ("metri cubi", "elektrolysers") is no slip.
INFLECTIONS = {
    "ro": ("i", "e", "a", "le", "ii", "ul", "uri", "ele", "lor", "ului", "ilor", "elor"),
    "nl": ("s", "e", "n", "en", "es", "'s", "’s"),
    "en": ("s", "es", "d", "ed", "ing"),
    "de": ("e", "n", "en", "s", "es", "er"),
    "fr": ("s", "e", "es", "x"),
}
# Learned prefixes that make technical words no dictionary lists: "nanovezels", "microplastice".
PREFIXES = (
    "nano", "micro", "macro", "mega", "giga", "kilo", "bio", "eco", "geo", "hydro", "thermo", "electro",
    "elektro", "cyber", "multi", "ultra", "super", "infra", "semi", "auto", "mini", "maxi", "anti", "post", "pre",
    "neo", "poly", "mono", "tele", "photo", "foto", "agro", "aero", "inter", "trans",
)  # fmt: skip
MIN_PART = 4  # letters of the shortest word that a compound is read to be made of
COMPOUND_LINKS = ("s", "-")  # what may join two words of a compound: "zuiverings|installatie"


def slip_targets(words: Sequence[str], speller: Speller, language: str) -> dict[str, str | None]:
    """Return, for each unknown lower-case word, the dictionary word it is a slip of; None if nothing says so.

    A word is no slip when it is a dictionary word with an ending of its language ("cubi" of
    "cub") or a compound of dictionary words ("actievekoolfilters"); otherwise it is one when a
    dictionary word is one slip away (`slips`). The slips are made here and only checked by
    hunspell, because hunspell's own suggestions stop at a time limit: under load a long word
    got other suggestions, and another verdict, from run to run.
    """
    endings = INFLECTIONS.get(language, ())
    alphabet = speller.alphabet()
    plans: dict[str, tuple[list[tuple[str, str]], list[str], list[str]]] = {}
    for word in dict.fromkeys(words):
        # An ending that only repeats the last letter ("makenn") is a slip, not an ending.
        bases = [(word[: -len(e)], e) for e in endings if word.endswith(e) and len(word) - len(e) >= 3]
        bases = [(base, e) for base, e in bases if e != base[-1]]
        bases += [(word[len(p) :], "") for p in PREFIXES if word.startswith(p) and len(word) - len(p) >= MIN_PART]
        parts = [word[i:j] for i in range(len(word)) for j in range(i + MIN_PART, len(word) + 1)]
        plans[word] = (bases, parts, slips(word, alphabet))
    asked = [w for bases, parts, near in plans.values() for w in [*(b for b, _ in bases), *parts, *near]]
    known = speller.known_words(asked)
    found: dict[str, str | None] = {}
    for word, (bases, _, near) in plans.items():
        targets = [n for n in near if n in known]
        # "cyberaanvalen": the ending is right, but the stem doubles its last letter ("cyberaanvallen").
        regular = [
            base for base, ending in bases if base in known and ending and base + base[-1] + ending not in targets
        ]
        prefixed = any(base in known or _compound(base, known) for base, ending in bases if not ending)
        found[word] = None if regular or prefixed or _compound(word, known) else next(iter(targets), None)
    return found


def compound_word(word: str, speller: Speller) -> bool:
    """Tell whether a word is a compound of two or more dictionary words ("cybersecuritybeeld")."""
    parts = [word[i:j] for i in range(len(word)) for j in range(i + MIN_PART, len(word) + 1)]
    return _compound(word, speller.known_words(parts))


def _compound(word: str, known: set[str]) -> bool:
    """Tell whether `word` is two or more known words of `MIN_PART` letters or more, joined as compounds are."""
    parts: list[int | None] = [0] + [None] * len(word)  # fewest parts that make word[:i]
    for end in range(MIN_PART, len(word) + 1):
        for start in range(0, end - MIN_PART + 1):
            before = parts[start]
            if before is None:
                continue
            piece = word[start:end]
            linked = any(piece.endswith(link) and piece[: -len(link)] in known for link in COMPOUND_LINKS)
            if not (piece in known or linked):
                continue
            count = before + 1
            current = parts[end]
            parts[end] = count if current is None else min(current, count)
    return (parts[len(word)] or 0) >= 2
