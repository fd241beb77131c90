"""The language checks on the bundled catalogs: silent on them, and each error a reviewer would see, found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale

from conftest import REPO, SLUG, Cli
from helpers import pdf_text, po_messages, set_translation
from pressgen import langchecks, names, spelling
from pressgen.checks import CHECKS
from pressgen.config import Language
from pressgen.langchecks import CheckContext, load_context

EN = Language("en", Locale.parse("en_GB"), "English")
NL = Language("nl", Locale.parse("nl_NL"), "Nederlands")
RO = Language("ro", Locale.parse("ro_RO"), "Română")
TARGETS = {"nl": NL, "ro": RO}


def catalog_pairs(path: Path) -> list[tuple[str, str]]:
    return [(m.id, m.string) for m in po_messages(path) if m.string]


def release_pairs(lang: str) -> list[tuple[str, str]]:
    return catalog_pairs(REPO / "locales" / lang / "releases" / f"{SLUG}.po")


def message(lang: str, source_start: str) -> tuple[str, str]:
    """Return the bundled source text and translation of the message that starts so."""
    return next((s, t) for s, t in release_pairs(lang) if s.startswith(source_start))


@pytest.fixture(scope="module")
def contexts() -> Iterator[dict[str, CheckContext]]:
    yield {
        lang: load_context(REPO / "locales", EN, target, (EN, NL, RO), release_pairs(lang), names=["Roxana Stanica"])
        for lang, target in TARGETS.items()
    }


def run(name: str, source: str, target: str, lang: str, context: CheckContext) -> list[tuple[str, str]]:
    return list(langchecks.LANG_CHECKS[name](source, target, EN, TARGETS[lang], context))


@pytest.mark.parametrize("lang", ["nl", "ro"])
@pytest.mark.parametrize("catalog", [f"releases/{SLUG}.po", "LC_MESSAGES/messages.po"])
def test_bundled_catalogs_give_no_finding(lang: str, catalog: str) -> None:
    pairs = catalog_pairs(REPO / "locales" / lang / catalog)
    context = load_context(REPO / "locales", EN, TARGETS[lang], (EN, NL, RO), pairs, names=["Roxana Stanica"])
    assert context.notes == ()
    findings = [
        (name, source[:30], finding)
        for source, target in pairs
        for name, check in langchecks.bind(context).items()
        for finding in check(source, target, EN, TARGETS[lang])
    ]
    assert findings == []


def test_the_release_names_come_from_the_sources_and_the_front_matter(contexts: dict[str, CheckContext]) -> None:
    assert contexts["nl"].names == {"Kajsa", "Ollongren", "Luminita", "Odobescu", "Roxana", "Stanica"}


def test_a_doubled_word_is_an_error_unless_the_source_doubles_it(contexts: dict[str, CheckContext]) -> None:
    source, target = message("nl", "In her opening remarks")
    doubled = target.replace("de digitale grenzen", "de de digitale grenzen")
    assert run("doubled-words", source, doubled, "nl", contexts["nl"]) == [("error", "'de de': a word is doubled")]
    ro_source, ro_target = message("ro", "The conference will spotlight")
    doubled = ro_target.replace("și de a preveni", "și și de a preveni")
    assert run("doubled-words", ro_source, doubled, "ro", contexts["ro"]) == [("error", "'și și': a word is doubled")]
    assert run("doubled-words", "Talks in Bora Bora.", "Overleg in Bora Bora.", "nl", contexts["nl"]) == []
    # Across punctuation it is no doubling: "zo, zo".
    assert run("doubled-words", "Well, well.", "Zo, zo.", "nl", contexts["nl"]) == []


def test_whitespace_the_reader_sees_is_an_error(contexts: dict[str, CheckContext]) -> None:
    source, target = message("nl", "One of the key highlights")
    nl = contexts["nl"]
    assert run("whitespace", source, target + " ", "nl", nl) == [
        ("error", "trailing whitespace differs from the source")
    ]
    assert run("whitespace", source, " " + target, "nl", nl) == [
        ("error", "leading whitespace differs from the source")
    ]
    assert run("whitespace", source, target.replace("de nadruk", "de  nadruk"), "nl", nl) == [
        ("warning", "double space inside the text")
    ]
    assert run("whitespace", source, target.replace("vooruitgang.", "vooruitgang ."), "nl", nl) == [
        ("error", "space before '.'")
    ]
    assert langchecks.fix_whitespace(source, " " + target.replace("de nadruk", "de  nadruk") + " ") == target


def test_a_changed_end_of_sentence_is_an_error(contexts: dict[str, CheckContext]) -> None:
    source, target = message("ro", "The NATO Cyber Defence Pledge Conference 2024 is a testament")
    assert run("end-punctuation", source, target[:-1] + "!", "ro", contexts["ro"]) == [
        ("error", "ends with '!' where the source ends with '.'")
    ]
    assert run("end-punctuation", "A United Front", "Een front.", "nl", contexts["nl"]) == [
        ("error", "ends with '.' where the source ends with 'none'")
    ]


def test_quotes_in_each_language_s_style(contexts: dict[str, CheckContext]) -> None:
    source, target = message("ro", "In her opening remarks")
    straight = target.replace("„", '"').replace("”", '"')
    assert run("quotes", source, straight, "ro", contexts["ro"]) == [
        ("error", 'straight quotes " in the translation: write „…”')
    ]
    nl_source, nl_target = message("nl", "In her opening remarks")
    low = nl_target.replace("“", "„")
    assert run("quotes", nl_source, low, "nl", contexts["nl"]) == [
        ("warning", "quote marks „ are not used in Nederlands: write “…”")
    ]
    unquoted = nl_target.replace("“", "").replace("”", "")
    assert run("quotes", nl_source, unquoted, "nl", contexts["nl"]) == [
        ("error", "the source quotes 1 passage(s), the translation 0")
    ]
    # pressgen.toml may choose another house style for a language.
    house = CheckContext(quotes="„”‚’")
    assert run("quotes", nl_source, low, "nl", house) == []
    assert run("quotes", nl_source, nl_target, "nl", house) == [
        ("warning", "quote marks “ are not used in Nederlands: write „…”")
    ]


def test_dates_keep_their_day_month_and_year(contexts: dict[str, CheckContext]) -> None:
    nl, ro = contexts["nl"], contexts["ro"]
    source = "The conference takes place on 16–17 May 2024 in The Hague."
    assert run("dates", source, "De conferentie vindt plaats op 16–17 mei 2024 in Den Haag.", "nl", nl) == []
    assert run("dates", source, "De conferentie vindt plaats op 16–17 juni 2024 in Den Haag.", "nl", nl) == [
        ("error", "the date '16–17 May 2024' of the source is missing or changed: write '16–17 mei 2024'"),
        ("error", "the date '16–17 juni 2024' is not in the source"),
    ]
    assert run("dates", "Registration closes on 2024-05-17.", "Înscrierile se închid pe 17 mai 2024.", "ro", ro) == []
    assert run("dates", "On May 17, 2024.", "Pe 18 mai 2024.", "ro", ro)[0] == (
        "error",
        "the date 'May 17, 2024' of the source is missing or changed: write '17 mai 2024'",
    )
    # "mai" is also Romanian for "more": alone it is no month.
    assert run("dates", "A safer world.", "O lume mai sigură.", "ro", ro) == []
    assert run("dates", "The talks resume in June.", "De gesprekken gaan in juli verder.", "nl", nl) == [
        ("error", "the translation names month 7 (juli), the source does not"),
        ("error", "the source names month 6 (June), the translation does not"),
    ]


def test_iso_dates_are_not_figures_for_the_numbers_check() -> None:
    from pressgen.checks import check_numbers

    source, target = "Registration closes on 2024-05-07.", "De registratie sluit op 7 mei 2024."
    assert list(check_numbers(source, target, EN, NL))  # read as figures: 2024, 5 and 7 against 7 and 2024
    assert list(langchecks.without_dates(check_numbers)(source, target, EN, NL)) == []


def test_a_dropped_sentence_is_named(contexts: dict[str, CheckContext]) -> None:
    source, target = message("nl", "The NATO Cyber Defence Pledge Conference 2024 in The Hague")
    dropped = target.replace(
        "Dit is een cruciale stap in de versterking van de veiligheid van het NAVO-bondgenootschap. ", ""
    )
    assert run("sentences", source, dropped, "nl", contexts["nl"]) == [
        (
            "error",
            "2 sentences where the source has 3: 'This is a crucial step in strengthening the security of the…' "
            "has no translation",
        )
    ]
    # A sentence pasted twice.
    last = target[target.index("Deze belangrijke bijeenkomst") :]
    assert run("sentences", source, f"{target} {last}", "nl", contexts["nl"]) == [
        (
            "error",
            "4 sentences where the source has 3: "
            "'Deze belangrijke bijeenkomst onderstreept de vastberaden…' is not in the source",
        )
    ]
    # One sentence split in two, at the same length, is a translator's choice.
    split = target.replace(
        "Deze belangrijke bijeenkomst onderstreept", "Deze belangrijke bijeenkomst is er. Zij onderstreept"
    )
    assert run("sentences", source, split, "nl", contexts["nl"]) == []


def test_a_misspelt_name_is_an_error_a_diacritic_is_not(contexts: dict[str, CheckContext]) -> None:
    source, target = message("nl", "In her opening remarks")
    assert "Ollongren" in target
    assert run("names", source, target.replace("Ollongren", "Olongren"), "nl", contexts["nl"]) == [
        ("error", "the name 'Ollongren' of the source is missing or misspelt (the translation has 'Olongren')")
    ]
    ro_source, ro_target = message("ro", "The NATO Cyber Defence Pledge Conference 2024 in The Hague")
    assert "Luminița" in ro_target and "Luminita" in ro_source
    assert run("names", ro_source, ro_target, "ro", contexts["ro"]) == []
    assert run("names", ro_source, ro_target.replace("Luminița", "Luminița Maria"), "ro", contexts["ro"]) == []
    assert run("names", ro_source, ro_target.replace("Odobescu", "Odobsecu"), "ro", contexts["ro"]) == [
        ("error", "the name 'Odobescu' of the source is missing or misspelt (the translation has 'Odobsecu')")
    ]


def test_text_in_another_language_is_an_error(contexts: dict[str, CheckContext]) -> None:
    source, ro_target = message("ro", "Ms. Odobescu echoed")
    _, nl_target = message("nl", "Ms. Odobescu echoed")
    found = run("language", source, nl_target, "ro", contexts["ro"])
    assert found == [
        ("error", "this reads as Dutch, not Română: 'Minister Odobescu sloot zich hierbij aan en wees op de…'")
    ]
    # One sentence left in English inside a Romanian paragraph.
    mixed = ro_target.replace(
        "Prin această conferință nu abordăm doar provocările actuale, ci ne pregătim și pentru amenințările viitoare.",
        "Through this conference, we are not only addressing current challenges but also preparing for future threats.",
    )
    assert run("language", source, mixed, "ro", contexts["ro"]) == [
        ("error", "this reads as English, not Română: 'Through this conference, we are not only addressing current…'")
    ]
    # Too short for statistics: the dictionaries tell.
    assert run("language", "All press releases", "Alle persberichten", "ro", contexts["ro"]) == [
        ("error", "'Alle persberichten' reads as Dutch, not Română")
    ]
    assert run("language", "All press releases", "Toate comunicatele de presă", "ro", contexts["ro"]) == []


def test_spelling_errors_and_unknown_words(contexts: dict[str, CheckContext]) -> None:
    source, target = message("nl", "One of the key highlights")
    typo = target.replace("cyberaanvallen", "cyberaanvalen")
    assert run("spelling", source, typo, "nl", contexts["nl"]) == [
        ("error", "'cyberaanvalen' is misspelt: did you mean 'cyberaanvallen'?")
    ]
    unknown = target.replace("vergroten", "blorptasticeren")
    assert run("spelling", source, unknown, "nl", contexts["nl"]) == [
        ("warning", "'blorptasticeren' is not in the Nederlands dictionary")
    ]
    ro_source, ro_target = message("ro", "As the NATO Cyber Defence Pledge Conference 2024 concludes")
    plain = ro_target.replace("evidențiază", "evidentiaza")
    assert run("spelling", ro_source, plain, "ro", contexts["ro"]) == [
        ("error", "'evidentiaza' is misspelt: did you mean 'evidențiază'?")
    ]
    # A glossary term is written in the target language: its diacritics count.
    assert run("spelling", ro_source, ro_target.replace("Alianței", "Aliantei"), "ro", contexts["ro"]) == [
        ("error", "'Aliantei' is misspelt: did you mean 'Alianței'?")
    ]
    # An English name of the source kept in the translation, misspelt: the source is the dictionary.
    pledge = ro_target.replace("Cyber Defence Pledge", "Cyber Defence Pledgee")
    assert run("spelling", ro_source, pledge, "ro", contexts["ro"]) == [
        ("error", "'Pledgee' is misspelt: did you mean 'Pledge'?")
    ]


def test_untranslated_text_is_an_error_unless_it_is_a_name_a_number_or_a_term(
    contexts: dict[str, CheckContext],
) -> None:
    nl, ro = contexts["nl"], contexts["ro"]
    assert run("untranslated", "Language", "Language", "nl", nl) == [
        ("error", "the translation is a copy of the source")
    ]
    assert run("untranslated", "Media contacts", "Media contacts", "ro", ro) == [
        ("error", "the translation is a copy of the source")
    ]
    assert run("untranslated", "NATO", "NATO", "ro", ro) == []  # the glossary keeps it
    assert run("untranslated", "Ollongren", "Ollongren", "nl", nl) == []  # a name
    assert run("untranslated", "2024", "2024", "nl", nl) == []
    assert run("untranslated", "%(place)s, %(date)s", "%(place)s, %(date)s", "nl", nl) == []
    short = "De conferentie vindt plaats in Den Haag. Registration closes soon."
    assert run("untranslated", "The conference is held in The Hague. Registration closes soon.", short, "nl", nl) == [
        ("error", "a sentence of the source is left untranslated: 'Registration closes soon.'")
    ]
    source, target = message("nl", "Ms. Odobescu echoed")
    english = "Our collaboration is the cornerstone of a resilient and secure NATO."
    partly = target.replace("Onze samenwerking is de hoeksteen van een weerbare en veilige NAVO.", english)
    assert run("untranslated", source, partly, "nl", nl) == [
        (
            "error",
            "a sentence of the source is left untranslated: 'Our collaboration is the cornerstone of a resilient and…'",
        )
    ]


def test_the_glossary_is_enforced(contexts: dict[str, CheckContext]) -> None:
    nl, ro = contexts["nl"], contexts["ro"]
    assert run("glossary", "The Hague", "Den Haag", "nl", nl) == []
    # A slip in a name of the glossary is a misspelling a reader sees; another word is terminology.
    assert run("glossary", "The Hague", "Den Haga", "nl", nl) == [
        ("error", "'Haga' is misspelt: 'The Hague' is translated as 'Den Haag' (glossary)")
    ]
    assert run("glossary", "The Hague", "'s-Gravenhage", "nl", nl) == [
        ("warning", "'The Hague' is translated as 'Den Haag' (glossary)")
    ]
    source, target = message("ro", "The Netherlands and Romania co-host")
    assert run("glossary", source, target.replace("Țările de Jos", "Olanda"), "ro", ro) == [
        ("warning", "'Netherlands' is translated as 'Țările de Jos' or 'Regatul Țărilor de Jos' (glossary)"),
        ("error", "'Olanda' is not used for 'Netherlands' (glossary)"),
    ]


def test_check_reports_language_checks_with_the_message_line(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    _, target = message("nl", "In her opening remarks")
    line = set_translation(nl, "In her opening remarks", target.replace("Ollongren", "Olongren"))
    result = cli(project, "check")
    assert result.code == 1
    where = f"locales/nl/releases/{SLUG}.po:{line}"
    lines = (result.out + result.err).splitlines()
    assert (
        f"{where}: error: names: the name 'Ollongren' of the source is missing or misspelt "
        "(the translation has 'Olongren') (if the translation is right, add the flag ignore-names to its '#,' line)"
    ) in lines
    assert (
        f"{where}: error: spelling: 'Olongren' is misspelt: did you mean 'Ollongren'? "
        "(if the translation is right, add the flag ignore-spelling to its '#,' line)"
    ) in lines
    status = cli(project, "status")
    row = next(line for line in status.out.splitlines() if line.startswith(SLUG) and " nl " in line)
    assert row.endswith("2 check errors (run 'pressgen check')")
    refused = cli(project, "publish", SLUG, "--lang", "nl", "--minor")
    assert refused.code == 1 and f"{where}: error: spelling: 'Olongren' is misspelt" in refused.err


def test_check_says_once_that_a_dictionary_is_missing(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A machine with the English and Romanian dictionaries, but not hunspell-nl.
    dictionaries = tmp_path / "hunspell"
    dictionaries.mkdir()
    for locale in ("en_GB", "ro_RO"):
        found = spelling.find_dictionary(locale)
        assert found is not None
        for suffix in (".dic", ".aff"):
            (dictionaries / f"{locale}{suffix}").symlink_to(found.with_suffix(suffix))
    monkeypatch.setenv("DICPATH", str(dictionaries))
    monkeypatch.setattr(spelling, "DICTIONARY_DIRS", ())
    result = cli(project, "check")
    assert result.code == 0
    assert result.err.splitlines() == [  # on standard error, as every warning that is not a finding
        "warning: no hunspell dictionary for nl_NL: install the Debian package hunspell-nl; "
        "until then, words in nl_NL are not spell-checked",
    ]
    assert result.out.splitlines() == ["0 errors, 1 warning"]


@pytest.mark.parametrize(
    ("locale", "package"),
    [
        ("nl_NL", "hunspell-nl"),
        ("en_GB", "hunspell-en-gb"),
        ("en", "hunspell-en-us"),
        ("de_CH", "hunspell-de-ch"),
        ("pt_BR", "hunspell-pt-br"),
        ("fr_BE", "hunspell-fr"),
    ],
)
def test_the_debian_package_of_a_dictionary(locale: str, package: str) -> None:
    assert spelling.debian_package(locale) == package


def test_quote_marks_from_pressgen_toml_are_checked_and_rendered(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressgen.catalogs import read_catalog
    from pressgen.config import load_config
    from pressgen.files import write_atomic
    from pressgen.po import serialise

    monkeypatch.chdir(project)
    toml = project / "pressgen.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('quotes = "“”‘’"', 'quotes = "„”‚’"'),
        encoding="utf-8",
    )
    nl = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    catalog = read_catalog(nl, load_config(project).language("nl"))
    quoted = [m for m in catalog if isinstance(m.string, str) and "“" in m.string]
    assert len(quoted) == 2
    # The bundled Dutch quotes “…”, the default style; this project writes „…”.
    result = cli(project, "check")
    assert result.code == 0
    assert [line for line in result.out.splitlines() if ": quotes: " in line] == [
        f"locales/nl/releases/{SLUG}.po:{catalog.string_line(m)}: warning: quotes: "
        "quote marks “ are not used in Nederlands: write „…”"
        for m in quoted
    ]
    for message in quoted:
        message.string = str(message.string).replace("“", "„")
    write_atomic(nl, serialise(catalog))
    assert cli(project, "check").out.strip() == "0 errors, 0 warnings"

    # Straight quotes in a translation are rendered with the project's marks, on the page and in the PDF.
    set_translation(nl, "A United Front", 'Eensgezind tegen "cyberdreigingen"')
    assert cli(project, "publish", SLUG, "--lang", "nl", "--minor").code == 0
    assert cli(project, "build").code == 0
    page = (project / "public" / "nl" / SLUG / "index.html").read_text(encoding="utf-8")
    assert "Eensgezind tegen „cyberdreigingen”</h2>" in page
    assert "„In een tijd waarin" in page
    pdf = pdf_text(project / "public" / "nl" / SLUG / f"{SLUG}-nl.pdf")
    assert "Eensgezind tegen „cyberdreigingen”" in pdf


def test_a_name_of_the_glossary_written_with_a_slip_is_an_error(contexts: dict[str, CheckContext]) -> None:
    source, target = message("nl", "The NATO Cyber Defence Pledge Conference 2024 in The Hague")
    # "NAVO" is in the message elsewhere, so only the whole term tells the slip.
    assert target.count("NAVO") > 1
    assert run("glossary", source, target.replace("NAVO Cyber", "AVO Cyber", 1), "nl", contexts["nl"]) == [
        (
            "error",
            "'AVO' is misspelt: 'NATO Cyber Defence Pledge Conference' is translated as "
            "'NAVO Cyber Defence Pledge Conference' (glossary)",
        )
    ]
    assert run("glossary", source, target.replace("Den Haag", "Den Haga", 1), "nl", contexts["nl"]) == [
        ("error", "'Haga' is misspelt: 'The Hague' is translated as 'Den Haag' (glossary)")
    ]
    # Another word, rightly spelt, is terminology for the reviewer.
    assert run("glossary", source, target.replace("Den Haag", "'s-Gravenhage", 1), "nl", contexts["nl"]) == [
        ("warning", "'The Hague' is translated as 'Den Haag' (glossary)")
    ]
    # The English spelling of a name the glossary writes with diacritics; an ending is no slip.
    source, target = message("ro", "The Netherlands and Romania co-host")
    assert "România" in target
    assert run("glossary", source, target.replace("România", "Romania", 1), "ro", contexts["ro"]) == [
        ("error", "'Romania' is misspelt: 'Romania' is translated as 'România' (glossary)")
    ]
    source, target = message("ro", "The NATO Cyber Defence Pledge Conference 2024 in The Hague")
    assert "Nord-Atlantice" in target and run("glossary", source, target, "ro", contexts["ro"]) == []


@pytest.mark.parametrize("lang", ["nl", "ro"])
def test_a_name_with_a_letter_too_many_is_misspelt(lang: str, contexts: dict[str, CheckContext]) -> None:
    source, target = next((s, t) for s, t in release_pairs(lang) if "Luminița" in t)
    found = run("spelling", source, target.replace("Luminița", "Luminițaa", 1), lang, contexts[lang])
    assert [severity for severity, _ in found] == ["error"]
    assert found[0][1].startswith("'Luminițaa' is misspelt: did you mean 'Lumini")


LANGS = {"en": EN, "nl": NL, "ro": RO}


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        (
            "ro",
            "Investitorii pot depune oferte între 1 și 30 iunie 2026.",
            "nl",
            "Bieden kan van 1 tot en met 30 juni 2026.",
        ),
        ("ro", "10-14 mai: votul online;", "nl", "10 t/m 14 mei: online stemming;"),
        ("ro", "10-14 mai: votul online;", "en", "10–14 May: online voting"),
        (
            "nl",
            "Van 10 tot en met 14 maart rijden er geen treinen.",
            "ro",
            "În perioada 10-14 martie nu circulă trenuri.",
        ),
        (
            "nl",
            "Van dinsdag 10 tot en met zaterdag 14 maart rijden er geen treinen.",
            "en",
            "No trains will run from Tuesday 10 March to Saturday 14 March.",
        ),
        (
            "nl",
            "Van 20 tot en met 22 april komen de ministers bijeen.",
            "ro",
            "Între 20 și 22 aprilie, miniștrii se reunesc.",
        ),
        (
            "en",
            "A delegation will return the visit between 18 and 22 May.",
            "nl",
            "Een delegatie komt van 18 tot en met 22 mei.",
        ),
        ("en", "The trade mission on 10–14 March.", "ro", "Misiunea comercială din perioada 10-14 martie."),
        ("en", "From 30 April to 2 May 2026.", "nl", "Van 30 april t/m 2 mei 2026."),
        (
            "ro",
            "15 decembrie 2026 – 15 ianuarie 2027: semnarea contractelor.",
            "en",
            "15 December 2026 – 15 January 2027: signing of contracts",
        ),
        ("ro", "Alegerile au loc în mai.", "en", "The elections take place in May."),
        ("en", "From 30 April-2 May 2026.", "nl", "Van 30 april 2026 t/m 2 mei 2026."),
        ("nl", "De deuren gaan om 9.30 open.", "en", "The doors open at 9:30."),
    ],
)
def test_date_ranges_are_read_as_each_language_writes_them(src: str, source: str, dst: str, target: str) -> None:
    numbers = langchecks.without_dates(CHECKS["numbers"])
    assert list(numbers(source, target, LANGS[src], LANGS[dst])) == []
    assert list(langchecks.LANG_CHECKS["dates"](source, target, LANGS[src], LANGS[dst], CheckContext())) == []


def test_a_changed_day_of_a_range_is_an_error() -> None:
    found = list(
        langchecks.LANG_CHECKS["dates"](
            "Bieden kan van 1 tot en met 30 juni 2026.",
            "Ofertele se depun între 1 și 20 iunie 2026.",
            NL,
            RO,
            CheckContext(),
        )
    )
    assert found == [
        ("error", "the date '1 tot en met 30 juni 2026' of the source is missing or changed: write '1–30 iun. 2026'"),
        ("error", "the date '1 și 20 iunie 2026' is not in the source"),
    ]


@pytest.mark.parametrize(
    ("src", "source", "dst", "target", "expected"),
    [
        (
            "nl",
            "Op maandag 12 januari om 19.30 uur is er een informatieavond.",
            "en",
            "On Monday 12 January at 7.30 pm.",
            [],
        ),
        (
            "nl",
            "Op maandag 12 januari om 19.30 uur is er een informatieavond.",
            "ro",
            "Luni, 12 ianuarie, la ora 19:30.",
            [],
        ),
        (
            "nl",
            "Tussen 13.00 en 15.00 uur is hij beschikbaar.",
            "ro",
            "Între orele 13:00 și 15:00 este disponibil.",
            [],
        ),
        (
            "ro",
            "Conferința de presă are loc la ora 11:00, în Sala de Sticlă.",
            "en",
            "The press conference is at 11:00 in the Glass Hall.",
            [],
        ),
        ("en", "The opening is at 10 a.m.", "ro", "Deschiderea are loc la ora 10.", []),
        ("en", "Registration closes at midnight on 31 May.", "nl", "Aanmelden kan tot en met 31 mei, 24.00 uur.", []),
        (
            "nl",
            "Op maandag 12 januari om 19.30 uur is er een informatieavond.",
            "en",
            "On Monday 12 January at 8.30 pm.",
            ["the time '19.30 uur' of the source is missing or changed", "the time '8.30 pm' is not in the source"],
        ),
        (
            "nl",
            "Het project wordt voor 30 procent betaald uit Europees geld.",
            "en",
            "Thirty per cent of the cost is paid by the EU.",
            [],
        ),
        ("en", "Some 25 experts.", "nl", "Zo'n vijfentwintig deskundigen.", []),
        (
            "nl",
            "Het project wordt voor 30 procent betaald.",
            "en",
            "Forty per cent of the cost is paid.",
            ["figures differ once read in each language's number format: the source has 30"],
        ),
    ],
)
def test_times_and_numbers_in_words_are_figures_too(
    src: str, source: str, dst: str, target: str, expected: list[str]
) -> None:
    check = langchecks.without_dates(CHECKS["numbers"])
    assert [text for _, text in check(source, target, LANGS[src], LANGS[dst])] == expected


def names_context(src: Language, dst: Language, pairs: list[tuple[str, str]], **extra: object) -> CheckContext:
    return load_context(REPO / "locales", src, dst, (EN, NL, RO), pairs, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("src", "source", "dst", "target", "people"),
    [
        # Particles of a contact's name, and a contact named by its office, are no names.
        (
            "nl",
            "De gemeente opent de aanvraag op 1 december.",
            "en",
            "The city opens applications on 1 December.",
            ["Eva de Vries"],
        ),
        (
            "ro",
            "Primăria a pregătit un buget de investiții.",
            "en",
            "The city hall has prepared an investment budget.",
            ["Dana de la Cruz"],
        ),
        ("en", "Head of the press office", "nl", "Hoofd van de persvoorlichting", ["Press office"]),
        (
            "en",
            "Requests should reach the NATO Press Office by 26 November.",
            "ro",
            "Solicitările trebuie transmise Biroului de presă al NATO până la 26 noiembrie.",
            ["NATO Press Office"],
        ),
        # A name the source explains by an acronym may take its official name in the translation.
        (
            "nl",
            "Het project wordt betaald uit de Connecting Europe Facility (CEF).",
            "ro",
            "Proiectul este finanțat prin Mecanismul pentru interconectarea Europei (CEF).",
            [],
        ),
        # A time zone, and an acronym a language writes its own way.
        ("en", "The opening is at 09:30 (EET).", "nl", "De opening is om 09.30 uur (Estse tijd).", []),
        ("nl", "De NAVO en de EU werken samen.", "ro", "NATO și UE cooperează.", []),
        # Places as each language names them, inflected, or by their adjective.
        (
            "en",
            "Ships sail from Rotterdam to Bucharest and China.",
            "ro",
            "Navele pleacă din Rotterdam spre București și China.",
            [],
        ),
        ("en", "The Romanian ports, and Romania.", "nl", "De Roemeense havens, en Roemenië.", []),
        ("nl", "Subsidie uit de Europese Unie.", "ro", "Finanțare din partea Uniunii Europene.", []),
        ("en", "The capital of Romania.", "ro", "Capitala României.", []),
    ],
)
def test_what_is_not_a_name_is_not_required(src: str, source: str, dst: str, target: str, people: list[str]) -> None:
    context = names_context(LANGS[src], LANGS[dst], [(source, target)], names=people)
    assert list(langchecks.LANG_CHECKS["names"](source, target, LANGS[src], LANGS[dst], context)) == []


@pytest.mark.parametrize(
    ("src", "source", "dst", "target", "expected"),
    [
        (
            "nl",
            "Minister Brekelmans en staatssecretaris Tuinman bezoeken China.",
            "en",
            "Minister Brekelmans visits Chine.",
            [
                "the name 'Tuinman' of the source is missing or misspelt",
                "the place 'China' of the source is missing or misspelt: write 'China' (the translation has 'Chine')",
            ],
        ),
        (
            "en",
            "Estonia and Latvia signed the agreement.",
            "nl",
            "Estland heeft de overeenkomst ondertekend.",
            ["the place 'Latvia' of the source is missing or misspelt: write 'Letland'"],
        ),
        (
            "ro",
            "Delegația a vizitat Austria.",
            "nl",
            "De delegatie bezocht Australië.",
            ["the place 'Austria' of the source is missing or misspelt: write 'Oostenrijk'"],
        ),
        (
            "en",
            "Mayor Radu Mureșan opened the session.",
            "ro",
            "Primarul a deschis ședința.",
            [
                "the name 'Radu' of the source is missing or misspelt",
                "the name 'Mureșan' of the source is missing or misspelt",
            ],
        ),
    ],
)
def test_a_dropped_or_replaced_name_is_an_error_in_every_pair(
    src: str, source: str, dst: str, target: str, expected: list[str]
) -> None:
    # The release's third language keeps the surname as it is: that confirms it is a name.
    witness = {"nl": ("ro", "Ministrul Brekelmans și secretarul de stat Tuinman vizitează China.")}
    context = names_context(
        LANGS[src], LANGS[dst], [(source, target)], witnesses={source: (witness[src],)} if src in witness else None
    )
    found = list(langchecks.LANG_CHECKS["names"](source, target, LANGS[src], LANGS[dst], context))
    assert found == [("error", text) for text in expected]


@pytest.mark.parametrize(
    ("src", "source", "dst", "target", "expected"),
    [
        # A term of another of the site's languages kept in the translation: the reviewer's to judge.
        (
            "ro",
            "Statul va acorda contracte pentru diferență.",
            "nl",
            "De staat sluit contracts for difference af.",
            [
                ("warning", "'contracts' is not in the Nederlands dictionary (it is English)"),
                ("warning", "'for' is not in the Nederlands dictionary (it is English)"),
                ("warning", "'difference' is not in the Nederlands dictionary (it is English)"),
            ],
        ),
        # A name with a Romanian case ending; a place the source names in another language.
        (
            "en",
            "What we build with Rotterdam will serve the region.",
            "ro",
            "Ce construim cu Rotterdamul va servi regiunea.",
            [],
        ),
        (
            "en",
            "Through the Strait of Gibraltar and the Bosporus.",
            "ro",
            "Prin Strâmtoarea Gibraltar și Bosfor.",
            [("warning", "'Bosfor' is not in the Română dictionary")],
        ),
        # A lower-case slip is still an error.
        (
            "en",
            "The ships switch off their engines.",
            "nl",
            "De schepen zetten hun motoren uitt.",
            [("error", "'uitt' is misspelt: did you mean 'uit'?")],
        ),
    ],
)
def test_words_of_other_languages_and_names_in_a_sentence_are_no_misspellings(
    src: str, source: str, dst: str, target: str, expected: list[tuple[str, str]]
) -> None:
    context = names_context(LANGS[src], LANGS[dst], [(source, target)])
    assert list(langchecks.LANG_CHECKS["spelling"](source, target, LANGS[src], LANGS[dst], context)) == expected


def test_a_name_of_another_message_of_the_release_is_no_misspelling() -> None:
    pairs = [
        ("Cluj-Napoca", "Cluj-Napoca"),
        (
            "Ca în fiecare an, 15 milioane de lei sunt rezervate proiectelor propuse de clujeni.",
            "As every year, 15 million lei is set aside for projects proposed by the people of Cluj-Napoca.",
        ),
    ]
    context = names_context(RO, EN, pairs)
    assert list(langchecks.LANG_CHECKS["spelling"](*pairs[1], RO, EN, context)) == []


def test_a_surname_after_a_title_is_a_name_even_when_it_is_a_word() -> None:
    source = "Minister Brekelmans en staatssecretaris Tuinman openen de oefening."
    dropped = "Minister Brekelmans opens the exercise."
    context = names_context(NL, EN, [(source, dropped)])
    assert list(langchecks.LANG_CHECKS["names"](source, dropped, NL, EN, context)) == [
        ("error", "the name 'Tuinman' of the source is missing or misspelt")
    ]
    kept = "Minister Brekelmans and State Secretary Tuinman open the exercise."
    assert list(langchecks.LANG_CHECKS["names"](source, kept, NL, EN, context)) == []
    # After a Romanian title, a capitalised word may be an institution in the genitive.
    source = "Ministrul Energiei, Sebastian Burduja, a prezentat calendarul."
    target = "Energy Minister Sebastian Burduja presented the timetable."
    context = names_context(RO, EN, [(source, target)])
    assert list(langchecks.LANG_CHECKS["names"](source, target, RO, EN, context)) == []


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        # Another transliteration of a name, and a city as the target language names it.
        ("en", "President Zelensky thanked the allies.", "ro", "Președintele Zelenski le-a mulțumit aliaților."),
        ("en", "The talks took place in Kyiv.", "ro", "Discuțiile au avut loc la Kiev."),
        # The source's name with its case ending.
        ("ro", "Delegația va vizita Rotterdamul în mai.", "nl", "De delegatie bezoekt Rotterdam in mei."),
    ],
)
def test_names_written_as_the_target_language_writes_them(src: str, source: str, dst: str, target: str) -> None:
    context = names_context(LANGS[src], LANGS[dst], [(source, target)])
    for name in ("names", "spelling"):
        assert list(langchecks.LANG_CHECKS[name](source, target, LANGS[src], LANGS[dst], context)) == [], name


def test_quote_marks_around_a_name_may_go_those_around_what_was_said_may_not() -> None:
    context = CheckContext()
    name = (
        "Programul „Casa Verde Fotovoltaice” continuă și în 2026.",
        "Het programma Casa Verde Fotovoltaice loopt door.",
    )
    assert list(langchecks.LANG_CHECKS["quotes"](*name, RO, NL, context)) == [
        ("warning", "the source quotes 1 passage(s), the translation 0")
    ]
    said = (
        "Primarul a spus: „Este un buget pentru următorii zece ani.”",
        "De burgemeester zei: Dit is een begroting voor tien jaar.",
    )
    assert list(langchecks.LANG_CHECKS["quotes"](*said, RO, NL, context)) == [
        ("error", "the source quotes 1 passage(s), the translation 0")
    ]


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        # Acronyms of the target language and of the source.
        ("nl", "Het RIVM en het KNMI publiceren hun cijfers.", "ro", "RIVM și KNMI își publică cifrele."),
        ("en", "Prices include VAT.", "nl", "De prijzen zijn inclusief BTW."),
        ("en", "Prices include VAT.", "ro", "Prețurile includ TVA."),
        # Technical words no dictionary has, and their cognates in the source.
        ("en", "The lab studies perovskite cells.", "ro", "Laboratorul studiază celulele de perovskit."),
        (
            "nl",
            "Het onderzoek gaat over microplastics in rivieren.",
            "ro",
            "Studiul se referă la microplastice în râuri.",
        ),
        ("en", "The new electrolysers produce hydrogen.", "nl", "De nieuwe elektrolysers produceren waterstof."),
        ("en", "Researchers found PFAS and nanofibres.", "nl", "Onderzoekers vonden PFAS en nanovezels."),
        # Foreign names inside a sentence.
        ("en", "Engineers from a German college joined.", "nl", "Ingenieurs van de Technische Hochschule deden mee."),
        ("ro", "Un studiu al universității din Milano.", "en", "A study by the Politecnico di Milano."),
        # Units inflected as the language does.
        ("en", "The tank holds 40 cubic metres.", "ro", "Rezervorul are 40 de metri cubi."),
        ("ro", "Capacitatea este de 300 de megawați.", "nl", "De capaciteit is 300 megawatt."),
        # Long Dutch compounds of dictionary words.
        ("en", "The plant uses ceramic membrane filters.", "nl", "De installatie gebruikt keramischemembraanfilters."),
        ("en", "Grants for heat pump installers.", "nl", "Subsidie voor warmtepompinstallateurs."),
        ("en", "Tidal energy pilot projects.", "nl", "Getijdenenergieproefprojecten."),
        # An ordinal's ending beside its figure.
        ("ro", "A XII-a ediție a târgului.", "en", "The 12th edition of the fair."),
    ],
)
def test_an_unknown_word_without_evidence_of_a_slip_is_no_error(src: str, source: str, dst: str, target: str) -> None:
    context = names_context(LANGS[src], LANGS[dst], [(source, target)])
    found = list(langchecks.LANG_CHECKS["spelling"](source, target, LANGS[src], LANGS[dst], context))
    assert [text for severity, text in found if severity == "error"] == []


def test_a_slip_is_found_without_hunspell_s_suggestions() -> None:
    # hunspell's suggestions stop at a time limit, so under load they changed from run to run:
    # the slips are made by pressgen and only looked up.
    dictionary = spelling.find_dictionary("nl_NL")
    assert dictionary is not None
    speller = spelling.Speller(dictionary)
    found = spelling.slip_targets(
        ["warmtepompinstallateurs", "regelinng", "fietsenstallingen", "gemeentn"], speller, "nl"
    )
    assert found == {
        "warmtepompinstallateurs": None,
        "regelinng": "regeling",
        "fietsenstallingen": None,
        "gemeentn": "gemeente",
    }


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        # Ordinals as Roman numerals, as words, and as a figure with the language's ending.
        ("en", "The 9th edition of the festival.", "ro", "A IX-a ediție a festivalului."),
        ("en", "Ports of the 21st century.", "ro", "Porturile secolului al XXI-lea."),
        ("ro", "A XII-a ediție a târgului.", "nl", "De 12e editie van de beurs."),
        ("nl", "De 4e editie van de beurs.", "en", "The fourth edition of the fair."),
        ("en", "The second phase starts soon.", "nl", "De 2e fase begint binnenkort."),
        ("en", "The 5th edition of the fair.", "ro", "A cincea ediție a târgului."),
        ("en", "The exercise Iron Gate III starts.", "nl", "De oefening Iron Gate III begint."),
        # Durations and times said in words.
        ("en", "The helpline is open 24 hours a day.", "nl", "De hulplijn is dag en nacht bereikbaar."),
        ("en", "The helpline is open 24 hours a day.", "ro", "Linia de asistență funcționează non-stop."),
        ("en", "The helpline is open 24/7.", "nl", "De hulplijn is 24 uur per dag bereikbaar."),
        ("en", "The meeting lasts 30 minutes.", "ro", "Reuniunea durează o jumătate de oră."),
        ("en", "The tour takes 45 minutes.", "nl", "De rondleiding duurt drie kwartier."),
        ("en", "The walk takes 90 minutes.", "nl", "De wandeling duurt anderhalf uur."),
        ("en", "The ceremony starts at 12:00.", "ro", "Ceremonia începe la prânz."),
        ("nl", "De ceremonie begint om 12.00 uur.", "en", "The ceremony begins at midday."),
        ("nl", "De deuren gaan om half negen open.", "en", "The doors open at 8.30am."),
        ("en", "The doors open at 8.30am.", "nl", "De deuren gaan om half negen open."),
        ("nl", "De bus vertrekt om kwart over drie.", "ro", "Autobuzul pleacă la ora 15:15."),
        ("en", "Half of the budget goes to schools.", "nl", "50 procent van het budget gaat naar scholen."),
        ("nl", "Het kost anderhalf miljoen euro.", "en", "It costs €1.5 million."),
        ("en", "A dozen towns take part.", "ro", "Participă 12 orașe."),
        # A figure the source repeats, given once.
        (
            "en",
            "Call 0800 1234 for tickets; the line 0800 1234 is free.",
            "nl",
            "Bel voor kaartjes gratis naar 0800 1234.",
        ),
    ],
)
def test_a_number_in_words_or_repeated_is_not_missing(src: str, source: str, dst: str, target: str) -> None:
    check = langchecks.without_dates(CHECKS["numbers"])
    assert list(check(source, target, LANGS[src], LANGS[dst])) == []


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        # "noon" inside "afternoon" is no time.
        ("The afternoon session starts at 15:30.", "Sesiunea de după-amiază începe la ora 15:30.", []),
        ("The 12 schools get 4.5 million.", "Cele 21 de școli primesc 45 de milioane.", ["figures differ"]),
        ("Doors open at 9:30.", "Ușile se deschid la ora 10:30.", ["the time '9:30'", "the time '10:30'"]),
    ],
)
def test_a_changed_figure_or_time_is_still_an_error(source: str, target: str, expected: list[str]) -> None:
    check = langchecks.without_dates(CHECKS["numbers"])
    found = [text for _, text in check(source, target, EN, RO)]
    assert len(found) == len(expected)
    assert all(text.startswith(start) for text, start in zip(found, expected, strict=True))


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        (
            "ro",
            "De marți, 3 martie, până joi, 26 noiembrie 2026, ghișeul este deschis.",
            "en",
            "From Tuesday 3 March to Thursday 26 November 2026, the desk is open.",
        ),
        (
            "ro",
            "De marți, 3 martie, până joi, 26 noiembrie 2026, ghișeul este deschis.",
            "nl",
            "Van dinsdag 3 maart tot en met donderdag 26 november 2026 is het loket open.",
        ),
        (
            "nl",
            "Van dinsdag 3 maart tot en met donderdag 26 november 2026 is het loket open.",
            "ro",
            "De marți, 3 martie, până joi, 26 noiembrie 2026, ghișeul este deschis.",
        ),
        (
            "en",
            "From Tuesday, 3 March, until Thursday, 26 November 2026, the desk is open.",
            "ro",
            "Din 3 martie până pe 26 noiembrie 2026, ghișeul este deschis.",
        ),
    ],
)
def test_weekday_ranges_take_the_year_of_their_end(src: str, source: str, dst: str, target: str) -> None:
    assert list(langchecks.LANG_CHECKS["dates"](source, target, LANGS[src], LANGS[dst], CheckContext())) == []


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        # A place that only names a time zone, rendered as the language says it.
        ("en", "Voting closes at 20:00 Bucharest time.", "ro", "Votul se încheie la ora 20:00, ora României."),
        ("en", "Voting closes at 20:00 Bucharest time.", "nl", "De stemming sluit om 20.00 uur Roemeense tijd."),
        ("ro", "Votul se încheie la ora 20:00, ora Bucureștiului.", "en", "Voting closes at 20:00 local time."),
        ("en", "Voting closes at 20:00 Eastern European Time.", "nl", "De stemming sluit om 20.00 uur."),
        # A street-type word is no name.
        ("ro", "Centrul este pe Strada Horea nr. 7.", "en", "The centre is at 7 Horea Street."),
        ("nl", "Het centrum zit aan de Stationsweg 3 en het Plein 1813.", "en", "It is at Stationsweg 3."),
        # A derived adjective of a language or a country.
        ("nl", "Hongaarstalige scholen doen mee.", "en", "Schools teaching in Hungarian take part."),
        # An acronym of the source rendered by the target language's own term.
        ("en", "Companies must report their GHG emissions.", "nl", "Bedrijven moeten hun broeikasgasuitstoot melden."),
        ("ro", "Operatorii raportează la ANPM.", "en", "Operators report to the Environmental Protection Agency."),
    ],
)
def test_a_name_rendered_otherwise_is_no_error(src: str, source: str, dst: str, target: str) -> None:
    context = names_context(LANGS[src], LANGS[dst], [(source, target)])
    found = list(langchecks.LANG_CHECKS["names"](source, target, LANGS[src], LANGS[dst], context))
    assert [text for severity, text in found if severity == "error"] == []


def test_an_acronym_the_other_translation_keeps_is_an_error_when_dropped() -> None:
    source = "Operatorii raportează la ANPM."
    target = "Operators report to the agency."
    context = names_context(RO, EN, [(source, target)], witnesses={source: (("nl", "Exploitanten melden aan ANPM."),)})
    assert list(langchecks.LANG_CHECKS["names"](source, target, RO, EN, context)) == [
        ("error", "the name 'ANPM' of the source is missing or misspelt")
    ]


def test_a_name_that_other_messages_keep_is_no_copy() -> None:
    # "piatra" is a word of the Romanian dictionary (the stone), but the release's other messages
    # keep "Piatra Neamț" as it is: a heading with the city alone is no untranslated text.
    city = "Piatra Neamț"
    pairs = [
        (city, city),
        ("Festivalul revine la Piatra Neamț în iunie.", "The festival returns to Piatra Neamț in June."),
    ]
    context = names_context(RO, EN, pairs)
    assert list(langchecks.LANG_CHECKS["untranslated"](city, city, RO, EN, context)) == []
    assert list(langchecks.LANG_CHECKS["untranslated"]("Buget", "Buget", RO, EN, context)) == [
        ("error", "the translation is a copy of the source")
    ]


@pytest.mark.parametrize(
    ("source", "target", "witness"),
    [
        # An acronym the source spells out, where the translation gives the name in full.
        (
            "De minister van Economische Zaken en Klimaat (EZK) opent de haven.",
            "The Minister of Economic Affairs and Climate Policy opens the port.",
            "Ministrul Afacerilor Economice și Climei (EZK) deschide portul.",
        ),
        # A title made of common words, which has an official translation.
        (
            "Volgens de Klimaatmonitor stijgt de uitstoot.",
            "According to the Climate Monitor, emissions are rising.",
            "Potrivit Klimaatmonitor, emisiile cresc.",
        ),
    ],
)
def test_a_descriptive_name_may_be_translated_though_the_other_translation_keeps_it(
    source: str, target: str, witness: str
) -> None:
    context = names_context(NL, EN, [(source, target)], witnesses={source: (("ro", witness),)})
    found = list(langchecks.LANG_CHECKS["names"](source, target, NL, EN, context))
    assert [text for severity, text in found if severity == "error"] == []


def test_a_romanian_translation_that_lost_its_diacritics_is_an_error() -> None:
    source = "Schools and hospitals in Iasi get new roofs after the storm."
    plain = "Scolile si spitalele din Iasi primesc acoperisuri noi dupa furtuna."
    context = names_context(EN, RO, [(source, plain)])
    errors = [text for severity, text in langchecks.LANG_CHECKS["spelling"](source, plain, EN, RO, context)]
    assert "'si' is misspelt: did you mean 'și'?" in errors
    assert "'dupa' is misspelt: did you mean 'după'?" in errors
    right = "Școlile și spitalele din Iași primesc acoperișuri noi după furtună."
    assert list(langchecks.LANG_CHECKS["spelling"](source, right, EN, RO, context)) == []


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        # An acronym's plural, as each language writes it.
        ("en", "The NGOs signed the charter.", "nl", "De ngo's en de VVN's tekenden."),
        ("en", "The RIVMs of both regions report.", "nl", "De RIVM's van beide regio's melden het."),
        ("en", "Both CPRs advised the mayor.", "ro", "Ambele CPR au consiliat primarul."),
        # A person's name ends with its sentence: the first word of a quotation after it is none.
        (
            "en",
            'The plan was signed by Mayor Anna Verbeek. "Every school counts," she said.',
            "nl",
            "Burgemeester Anna Verbeek ondertekende het plan. „Elke school telt”, zei ze.",
        ),
        (
            "ro",
            "A declarat ministrul Andrei Mureșan: „Fiecare fermier contează.”",
            "en",
            "Minister Andrei Mureșan said: “Every farmer counts.”",
        ),
        # A Roman ordinal, as each language writes it.
        ("nl", "De XVe editie van de markt.", "ro", "A XV-a ediție a târgului."),
    ],
)
def test_a_plural_acronym_a_quotation_after_a_name_and_a_roman_ordinal_are_no_missing_names(
    src: str, source: str, dst: str, target: str
) -> None:
    context = names_context(LANGS[src], LANGS[dst], [(source, target)])
    found = list(langchecks.LANG_CHECKS["names"](source, target, LANGS[src], LANGS[dst], context))
    assert [text for severity, text in found if severity == "error"] == []


def test_a_roman_ordinal_with_a_dutch_ending_is_its_figure() -> None:
    check = langchecks.without_dates(CHECKS["numbers"])
    assert list(check("De XVe editie van de markt.", "The 15th edition of the market.", NL, EN)) == []
    assert list(check("De XVe editie van de markt.", "The 16th edition of the market.", NL, EN)) != []


@pytest.mark.parametrize(
    ("src", "source", "dst", "target"),
    [
        ("en", "Mainly water and tea.", "nl", "Vnl. water en thee."),
        ("en", "Drink water, mainly tea.", "nl", "Drink water, vnl. thee."),
        ("nl", "2 mld", "ro", "2 mld."),
    ],
)
def test_an_abbreviation_is_no_misspelling_and_its_stop_ends_no_sentence(
    src: str, source: str, dst: str, target: str
) -> None:
    context = names_context(LANGS[src], LANGS[dst], [(source, target)])
    for name in ("spelling", "end-punctuation"):
        found = list(langchecks.LANG_CHECKS[name](source, target, LANGS[src], LANGS[dst], context))
        assert [text for severity, text in found if severity == "error"] == [], name


def test_a_typo_before_a_full_stop_is_still_an_error() -> None:
    source, target = "The tour lasts two days.", "De rondleiding duurt twee dgaen."
    context = names_context(EN, NL, [(source, target)])
    found = list(langchecks.LANG_CHECKS["spelling"](source, target, EN, NL, context))
    assert [severity for severity, _ in found] == ["error"]
    # A stop after a word of the language ends a sentence, short as the word may be.
    found = list(langchecks.LANG_CHECKS["end-punctuation"]("A day", "Een dag.", EN, NL, context))
    assert [severity for severity, _ in found] == ["error"]


def test_a_word_two_letters_off_a_place_is_no_mention_of_it() -> None:
    # "Canale" (canals) is no "Canada"; "Canadei" (of Canada) is.
    assert [name for name, _ in names.places_in("Canale reabilitate", "ro", ("en", "nl", "ro"))] == []
    assert [name for name, _ in names.places_in("Exporturile Canadei cresc.", "ro", ("en", "nl", "ro"))] == ["Canada"]
