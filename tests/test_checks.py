"""`pressgen check`: what a reviewer needs, each finding with its catalog line."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel import Locale

from conftest import REPO, SLUG, Cli
from helpers import add_flag, set_translation
from pressgen.checks import CHECKS, accepted_checks, active_checks
from pressgen.config import Language
from pressgen.langchecks import CheckContext
from pressgen.po import read_po_file

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
    script_figure = (
        "error: numbers: figures differ once read in each language's number format: the translation has 1 "
        "(if the translation is right, add the flag ignore-numbers to its '#,' line)"
    )
    assert f"{ro_path}:{line_script}: {script_figure}" in errors
    cedilla_error = (
        "error: cedilla: Romanian is written with comma-below letters, not cedilla 'ş' (pressgen check --fix) "
        "(if the translation is right, add the flag ignore-cedilla to its '#,' line)"
    )
    assert f"{ro_path}:{line_cedilla}: {cedilla_error}" in errors
    number_error = (
        "error: numbers: figures differ once read in each language's number format: the translation has 2023 "
        "(if the translation is right, add the flag ignore-numbers to its '#,' line)"
    )
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


def test_fix_spaces_a_translation_like_its_source(project: Path, cli: Cli) -> None:
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    set_translation(nl, "A United Front Against Cyber Threats", " Eensgezind  tegen cyberdreigingen ")
    assert "whitespace" in cli(project, "check").out
    fixed = cli(project, "check", "--fix")
    assert f"fixed 1 message in locales/nl/releases/{SLUG}.po" in fixed.out
    assert 'msgstr "Eensgezind tegen cyberdreigingen"' in nl.read_text(encoding="utf-8")
    assert "whitespace" not in cli(project, "check").out


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


ALLIES = "The NATO Cyber Defence Pledge Conference 2024 is not just"
# The translator names how many allies there are: right, and the figures check cannot know it.
WITH_32 = (
    "De NAVO Cyber Defence Pledge Conference 2024 is niet alleen een symbolische gebeurtenis; zij staat voor een "
    "concrete inzet voor collectieve veiligheid. De hernieuwde toezeggingen en gezamenlijke inspanningen die uit "
    "deze conferentie voortkomen, vormen een stevig kader waarmee de lidstaten hun capaciteiten op het gebied van "
    "cyberverdediging kunnen versterken. Door samen te werken kunnen de 32 NAVO-bondgenoten een veiligere digitale "
    "omgeving voor iedereen tot stand brengen."
)


def test_findings_point_at_the_msgstr_line(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    line = set_translation(nl, ALLIES, WITH_32)
    assert nl.read_text(encoding="utf-8").split("\n")[line - 1].startswith("msgstr ")
    result = cli(project, "check")
    assert result.out.splitlines()[0] == (
        f"locales/nl/releases/{SLUG}.po:{line}: error: numbers: figures differ once read in each language's number "
        "format: the translation has 32 (if the translation is right, add the flag ignore-numbers to its '#,' line)"
    )


def test_a_reviewer_accepts_a_finding_on_one_message(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    set_translation(nl, ALLIES, WITH_32)
    assert cli(project, "check").code == 1
    add_flag(nl, ALLIES, "ignore-numbers")
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(nl)], check=True)  # editors keep the flag
    result = cli(project, "check")
    assert result.code == 0, result.out
    assert result.out.splitlines() == ["0 errors, 0 warnings, 1 accepted (ignore- flags; 'pressgen review' shows them)"]
    status = cli(project, "status")
    row = next(line for line in status.out.splitlines() if line.startswith(SLUG) and " nl " in line)
    assert " yes " in row and "check error" not in row
    published = cli(project, "publish", SLUG, "--lang", "nl", "--minor")
    assert published.code == 0, published.err
    assert cli(project, "review").code == 0
    page = (project / "review" / "nl" / f"{SLUG}.html").read_text(encoding="utf-8")
    assert (
        '<span class="badge accepted">accepted</span>numbers: figures differ once read in each language&#39;s number '
        'format: the translation has 32 <span class="flag">(#, ignore-numbers)</span>'
    ) in page

    # The flag accepts only its own check: another finding on the message still blocks.
    doubled = WITH_32.replace("de lidstaten", "de de lidstaten")
    line = set_translation(nl, ALLIES, doubled)
    assert [e for e in cli(project, "check").out.splitlines() if ": error: " in e] == [
        f"locales/nl/releases/{SLUG}.po:{line}: error: doubled-words: 'de de': a word is doubled "
        "(if the translation is right, add the flag ignore-doubled-words to its '#,' line)"
    ]


def test_no_flag_silences_a_link(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    release = project / "releases" / SLUG / "release.md"
    release.write_text(
        release.read_text(encoding="utf-8").replace(
            "A United Front Against Cyber Threats", "A United Front Against [Cyber Threats](https://www.nato.int/cyber)"
        ),
        encoding="utf-8",
    )
    assert cli(project, "update").code == 0
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    line = set_translation(nl, "A United Front", "Eensgezind tegen [cyberdreigingen](https://evil.example/cyber)")
    text = nl.read_text(encoding="utf-8").split("\n")
    nl.write_text("\n".join(t for t in text if t not in ("#, fuzzy",) and not t.startswith("#|")), encoding="utf-8")
    flags = add_flag(nl, "A United Front", "ignore-links, ignore-link, ignore-urls")
    line = next(n for n, t in enumerate(nl.read_text(encoding="utf-8").split("\n"), 1) if n > flags and "msgstr" in t)
    result = cli(project, "check")
    assert result.code == 1
    where = f"locales/nl/releases/{SLUG}.po"
    assert [e for e in result.out.splitlines() if e.startswith(where)] == [
        f"{where}:{flags}: warning: the flag 'ignore-link' has no effect: there is no check 'link' (did you mean "
        "'links'?)",
        f"{where}:{flags}: warning: the flag 'ignore-links' has no effect: no reviewer can accept what the links "
        "check finds",
        f"{where}:{flags}: warning: the flag 'ignore-urls' has no effect: no reviewer can accept what the urls "
        "check finds",
        f"{where}:{line}: error: links: link target 'https://www.nato.int/cyber' of the source is missing or changed",
        f"{where}:{line}: error: links: link target 'https://evil.example/cyber' is not in the source",
        f"{where}:{line}: error: urls: URL 'https://www.nato.int/cyber' of the source is missing or changed",
        f"{where}:{line}: error: urls: URL 'https://evil.example/cyber' is not in the source",
    ]
    refused = cli(project, "publish", SLUG, "--lang", "nl", "--minor")
    assert refused.code == 1 and "https://evil.example/cyber" in refused.err


def test_an_acceptance_goes_when_the_source_changes(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    set_translation(nl, ALLIES, WITH_32)
    add_flag(nl, ALLIES, "ignore-numbers")
    assert cli(project, "check").code == 0
    release = project / "releases" / SLUG / "release.md"
    release.write_text(
        release.read_text(encoding="utf-8").replace("NATO allies can create", "NATO allies can build"),
        encoding="utf-8",
    )
    assert cli(project, "update").code == 0
    changed = next(m for m in read_po_file(nl) if isinstance(m.id, str) and m.id.startswith(ALLIES))
    assert changed.flags == {"fuzzy"} and changed.string == WITH_32
    # Approved again as it is, the translation meets the check again.
    text = nl.read_text(encoding="utf-8").split("\n")
    nl.write_text("\n".join(t for t in text if t != "#, fuzzy" and not t.startswith("#|")), encoding="utf-8")
    assert cli(project, "check").code == 1


CORPUS = REPO / "tests" / "data" / "translations"


def test_correct_translations_in_every_direction_give_no_error(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nine releases, three written in each language, each translated by hand into the other two.
    monkeypatch.chdir(project)
    shutil.copytree(CORPUS / "releases", project / "releases", dirs_exist_ok=True)
    shutil.copytree(CORPUS / "locales", project / "locales", dirs_exist_ok=True)
    catalogs = sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "locales").rglob("*.po"))
    assert len(catalogs) == 18
    result = cli(project, "check")
    assert [line for line in result.out.splitlines() if ": error: " in line] == []
    assert result.code == 0
    # Every translation is approved: the gate would publish it.
    slugs = {p.name for p in (CORPUS / "releases").iterdir()}
    rows = [line.split() for line in cli(project, "status").out.splitlines()]
    translations = [row for row in rows if row and row[0] in slugs and row[2] != "(source)"]
    assert len(translations) == 18
    assert [row[:2] for row in translations if row[5] != "yes"] == []


def test_weblate_s_own_check_flags_accept_pressgen_s_checks_of_the_same_idea() -> None:
    flags = {"fuzzy", "ignore-same", "ignore-end-stop", "ignore-dates", "ignore-url", "ignore-links", "python-format"}
    assert accepted_checks(flags) == {"untranslated", "end-punctuation", "dates"}
