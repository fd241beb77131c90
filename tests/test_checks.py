"""`pressgen check`: what a reviewer needs, each finding with its catalog line."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from babel import Locale

from conftest import REPO, SLUG, Cli
from helpers import set_translation
from pressgen.checks import CHECKS, active_checks
from pressgen.config import Language
from pressgen.langchecks import CheckContext

EN = Language("en", Locale.parse("en_GB"), "English")
NL = Language("nl", Locale.parse("nl_NL"), "Nederlands")
RO = Language("ro", Locale.parse("ro_RO"), "Română")


def test_bundled_catalogs_are_clean(project: Path, cli: Cli) -> None:
    result = cli(project, "check")
    assert result.code == 0
    assert result.out.strip() == "0 errors, 0 warnings"


def test_check_finds_each_problem_with_its_line(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    ro = project / "locales" / "ro" / "releases" / f"{SLUG}.po"
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    intro = "The NATO Cyber Defence Pledge Conference 2024 in The Hague"
    line_script = set_translation(ro, intro, "Conferința NATO 2024 de la Haga <script>alert(1)</script>.")
    line_cedilla = set_translation(
        ro, "A Commitment to Collective Security", "Un angajament pentru securitate ş colectivă"
    )
    line_number = set_translation(nl, "A United Front", "Eensgezind tegen 2023 cyberdreigingen")
    result = cli(project, "check")
    assert result.code == 1
    # On standard output, so that `pressgen check | less` pages them, the count last.
    assert result.err == ""
    errors = result.out.splitlines()
    assert errors[-1].endswith(" warnings") or errors[-1].endswith(" warning")
    ro_path, nl_path = f"locales/ro/releases/{SLUG}.po", f"locales/nl/releases/{SLUG}.po"
    html_error = (
        "error: html: HTML '<script>', '</script>' in a translation is not allowed (it is shown as text, never run)"
    )
    assert f"{ro_path}:{line_script}: {html_error}" in errors
    # The figure in "alert(1)" is one the source does not have.
    script_figure = "error: numbers: figures differ once read in each language's number format: the translation has 1"
    assert f"{ro_path}:{line_script}: {script_figure}" in errors
    cedilla_error = (
        "error: cedilla: Romanian is written with comma-below letters, not cedilla 'ş' (pressgen check --fix)"
    )
    assert f"{ro_path}:{line_cedilla}: {cedilla_error}" in errors
    number_error = "error: numbers: figures differ once read in each language's number format: the translation has 2023"
    assert f"{nl_path}:{line_number}: {number_error}" in errors
    for path in (project / "locales").rglob("*.po"):
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)

    # Every check error keeps the version unpublished: publish names each, as check does.
    refused = cli(project, "publish", SLUG, "--lang", "ro", "--minor")
    assert refused.code == 1
    blocking = [line for line in refused.err.splitlines() if line.startswith(f"{ro_path}:")]
    assert sorted(blocking) == sorted(e for e in errors if e.startswith(f"{ro_path}:") and ": error: " in e)


def test_fix_converts_cedilla_to_comma_below(project: Path, cli: Cli) -> None:
    ro = project / "locales" / "ro" / "releases" / f"{SLUG}.po"
    ro.write_text(
        ro.read_text(encoding="utf-8").replace("ș", "ş").replace("ț", "ţ").replace("Ț", "Ţ"), encoding="utf-8"
    )
    assert cli(project, "check").code == 1
    fixed = cli(project, "check", "--fix")
    assert fixed.code == 0, fixed.err
    assert f"fixed 13 messages in locales/ro/releases/{SLUG}.po" in fixed.out
    text = ro.read_text(encoding="utf-8")
    assert "ş" not in text and "ţ" not in text and "Luminița" in text


def test_dropped_link_and_broken_markup_are_errors() -> None:
    source = "Read the [statement](https://nato.int/s) and *act*."
    assert list(CHECKS["links"](source, "Lees de verklaring en *handel*.", EN, NL)) == [
        ("error", "link target 'https://nato.int/s' of the source is missing or changed")
    ]
    assert ("error", "inline markup differs from the source (missing emphasis)") in list(
        CHECKS["markup"](source, "Lees de [verklaring](https://nato.int/s) en handel.", EN, NL)
    )
    assert list(CHECKS["markup"](source, "Lees de [verklaring](https://nato.int/s) en *handel*.", EN, NL)) == []


@pytest.mark.parametrize(
    ("source", "target", "lang", "expected"),
    [
        ("It cost 1,234.5 euros.", "Het kostte 1.234,5 euro.", NL, []),
        ("It cost 1,234.5 euros.", "A costat 1.234,5 euro.", RO, []),
        (
            "It cost 1,243 euros.",
            "Het kostte 1.234 euro.",
            NL,
            ["the source has 1,243 (1243, written 1.243 in Dutch); the translation has 1.234 (read as 1234 in Dutch)"],
        ),
        # A figure copied as the source writes it means another number to a Dutch reader.
        (
            "Some 2,500 experts.",
            "Zo'n 2,500 experts.",
            NL,
            ["the source has 2,500 (2500, written 2.500 in Dutch); the translation has 2,500 (read as 2.5 in Dutch)"],
        ),
        (
            "Up 3.50 %.",
            "Plus 3.50%.",
            RO,
            [
                "the source has 3.50 (3.5, written 3,50 in Romanian); "
                "the translation has 3.50 (not a number as Romanian writes one)"
            ],
        ),
        ("In 2024.", "In 2023.", NL, ["the source has 2024; the translation has 2023"]),
        ("On 16–17 May 2024.", "Op 16–17 mei 2024.", NL, []),
    ],
)
def test_numbers_are_read_in_each_locale(source: str, target: str, lang: Language, expected: list[str]) -> None:
    found = [text for _, text in CHECKS["numbers"](source, target, EN, lang)]
    assert [text.split(": ", 1)[1] for text in found] == expected


def test_wrong_quote_marks_are_a_warning() -> None:
    assert list(CHECKS["quotes"]("“Yes”", "“Da”", EN, RO)) == [("warning", "quote marks “ are not used in Română")]
    assert list(CHECKS["quotes"]("“Yes”", "„Da”", EN, RO)) == []
    assert list(CHECKS["quotes"]("“Yes”", "„Ja”", EN, NL)) == [("warning", "quote marks „ are not used in Nederlands")]


def test_copies_spaces_and_end_punctuation_are_warnings() -> None:
    assert list(CHECKS["untranslated"]("Strengthening cyber defences", "Strengthening cyber defences", EN, NL)) == [
        ("warning", "the translation is a copy of the source")
    ]
    assert list(CHECKS["untranslated"]("NATO", "NATO", EN, NL)) == []  # a name, not a copy
    assert list(CHECKS["spaces"]("Hello", "Hallo ", EN, NL)) == [
        ("warning", "trailing whitespace differs from the source")
    ]
    assert list(CHECKS["punctuation"]("Done.", "Klaar", EN, NL)) == [
        ("warning", "ends with 'no punctuation' where the source ends with '.'")
    ]


def test_every_check_is_documented_for_translators() -> None:
    guide = (REPO / "docs" / "translators.md").read_text(encoding="utf-8")
    table = [line for line in guide.splitlines() if line.startswith("| `")]
    documented = {name for line in table for name in re.findall(r"`([\w-]+)`", line.split(" | ")[0])}
    assert set(active_checks(CheckContext())) | {"msgfmt"} == documented
