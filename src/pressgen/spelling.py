"""Spelling through hunspell: the dictionaries of Debian's hunspell-* packages, asked through a pipe.

One `hunspell -a` process per dictionary answers word by word (the ispell pipe protocol), so
the dictionaries are loaded once per run, and each distinct word is asked once. A project word
list (`locales/<lang>/words.txt`) is a hunspell personal dictionary: one word a line,
`word/model` to inflect it like a dictionary word, `*word` to forbid one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
import weakref
from collections.abc import Iterable
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
