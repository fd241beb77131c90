"""Glossaries in TBX: read with line numbers, terms found with their inflections, drafts protected."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, Cli
from pressgen.errors import PressgenError
from pressgen.glossary import find, load_glossary, protect_terms, read_glossary
from pressgen.translate import protect, restore


def test_bundled_glossaries_map_the_release_terms() -> None:
    nl = load_glossary(REPO / "locales", "en", "nl")
    ro = load_glossary(REPO / "locales", "en", "ro")
    preferred_nl = {term.sources[0]: term.preferred for term in nl.terms}
    preferred_ro = {term.sources[0]: term.preferred for term in ro.terms}
    assert preferred_nl["NATO"] == "NAVO"
    assert preferred_nl["The Hague"] == "Den Haag"
    assert preferred_ro["The Hague"] == "Haga"
    assert preferred_ro["Netherlands"] == "Țările de Jos"
    assert "Regatul Țărilor de Jos" in next(t for t in ro.terms if t.sources[0] == "Netherlands").targets
    assert next(t for t in ro.terms if t.sources[0] == "Netherlands").forbidden == ("Olanda",)


def test_terms_match_inflected_forms_but_not_typos() -> None:
    assert find("ministrul apărării din Regatul Țărilor de Jos", "Țările de Jos")
    assert find("ministrul afacerilor externe al României", "România")
    assert find("de Nederlandse minister van Defensie", "Nederland")
    assert not find("NAVO Cyber Defennce Pledge", "NAVO Cyber Defence Pledge")
    assert not find("Den Haga", "Den Haag")
    # Source terms with capitals match only with them: "the hague" is no place.
    assert find("in The Hague, Netherlands", "The Hague", source=True) == [(3, 12)]
    assert not find("in the hague", "The Hague", source=True)


def test_a_longer_term_covers_the_shorter_one_inside_it() -> None:
    ro = load_glossary(REPO / "locales", "en", "ro")
    found = [term.sources[0] for term in ro.in_source("the security of the NATO alliance and NATO")]
    assert found == ["NATO alliance", "NATO"]
    assert [t.sources[0] for t in ro.in_source("The NATO Cyber Defence Pledge Conference 2024")] == [
        "NATO Cyber Defence Pledge Conference"
    ]


def test_machine_drafts_get_the_glossary_terms() -> None:
    nl = load_glossary(REPO / "locales", "en", "nl")
    text = "The NATO Cyber Defence Pledge Conference in The Hague, see [the pledge](https://www.nato.int/x)."
    masked, kept = protect(text)
    masked, kept = protect_terms(masked, nl, kept)
    assert masked == "The {1} in {2}, see [the pledge{0}."
    # What a machine translation returns, tokens untouched, comes back with the glossary's terms.
    draft, complete = restore("De {1} in {2}, zie [de belofte{0}.", kept)
    assert complete
    assert draft == "De NAVO Cyber Defence Pledge Conference in Den Haag, zie [de belofte](https://www.nato.int/x)."


def test_a_broken_glossary_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tbx"
    path.write_text(
        '<martif type="TBX" xml:lang="en"><text><body>\n<termEntry>\n<langSet xml:lang="en"><tig><term>NATO</tig>\n',
        encoding="utf-8",
    )
    with pytest.raises(PressgenError) as raised:
        read_glossary(path, "en", "nl")
    assert str(raised.value) == f"{path}:3: error: not a well-formed TBX glossary: mismatched tag"


def test_entries_of_another_language_pair_are_left_out() -> None:
    # A release written in Romanian and translated into Dutch: the Dutch glossary is English-Dutch.
    assert load_glossary(REPO / "locales", "ro", "nl").terms == ()
    assert load_glossary(REPO / "locales", "en", "nl").terms != ()


def test_entities_are_refused_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tbx"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE martif [\n<!ENTITY a "aaaaaaaaaa">\n]>\n'
        '<martif type="TBX" xml:lang="en"><text><body></body></text></martif>\n',
        encoding="utf-8",
    )
    with pytest.raises(PressgenError) as raised:
        read_glossary(path, "en", "nl")
    assert str(raised.value) == f"{path}:3: error: entity declarations are not allowed in a glossary"


def test_tbx_3_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "glossary.tbx"
    path.write_text(
        '<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>\n'
        '<conceptEntry id="c1">\n'
        '  <langSec xml:lang="en"><termSec><term>The Hague</term></termSec></langSec>\n'
        '  <langSec xml:lang="nl"><termSec><term>Den Haag</term></termSec></langSec>\n'
        "</conceptEntry>\n"
        "</body></text></tbx>\n",
        encoding="utf-8",
    )
    glossary = read_glossary(path, "en", "nl")
    assert [(t.sources, t.targets, t.line) for t in glossary.terms] == [(("The Hague",), ("Den Haag",), 2)]


def _link_out(path: Path, outside: Path) -> None:
    path.symlink_to(outside)


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


def _huge(path: Path, outside: Path) -> None:
    path.write_bytes(b"<martif>")
    os.truncate(path, 400_000_000)  # sparse: a glossary of 400 MB once took 91 s to read


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (_link_out, "{what} is a symbolic link; it must be a regular file"),
        (_fifo, "{what} is not a regular file (a FIFO)"),
        (_huge, "{what} is 400.0 MB; a {what} is at most 16.0 MB"),
    ],
    ids=["link", "fifo", "huge"],
)
@pytest.mark.parametrize(("name", "what"), [("glossary.tbx", "glossary"), ("words.txt", "word list")])
def test_a_glossary_or_word_list_is_bounded_and_never_read_through_a_link(
    name: str, what: str, make: Callable[[Path, Path], None], problem: str, project: Path, cli: Cli, tmp_path: Path
) -> None:
    """`ln -s /etc/passwd locales/nl/glossary.tbx` was read as a glossary; 400 MB took 91 s."""
    outside = tmp_path / name
    shutil.copyfile(project / "locales" / "nl" / name, outside)
    path = project / "locales" / "nl" / name
    path.unlink()
    make(path, outside)
    for command in (["check"], ["build", "--drafts"], ["status"]):
        result = cli(project, *command)
        assert result.code == 1, command
        assert result.err.splitlines() == [f"{path}: error: {problem.format(what=what)}"], command
