"""Publishing is an act with a record: nothing leaks, nothing vanishes, corrections show.

Each test works on a copy of the bundled project, whose seed release is recorded in
`published/`, and asserts on what a journalist would see: pages, PDFs, feeds, the sitemap.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import feedparser
import pytest

from conftest import SLUG, Cli, tree_digest
from helpers import add_release, pdf_text, set_translation
from pressgen.config import load_config
from pressgen.record import read_record, write_record

BASE = "https://newsroom.example.org/cyber-defence-pledge-2024/"
RELEASE = f"releases/{SLUG}/release.md"
NL = f"locales/nl/releases/{SLUG}.po"
RO = f"locales/ro/releases/{SLUG}.po"
RECORD = f"published/{SLUG}/record.toml"
CLOSING = "is palpable."
EDITED = "is clearly palpable."
NOTE = "Added a word to the closing paragraph."


def page(project: Path, lang: str, slug: str = SLUG, folder: str = "public") -> str:
    return (project / folder / lang / slug / "index.html").read_text(encoding="utf-8")


def pdf(project: Path, lang: str, slug: str = SLUG, folder: str = "public") -> str:
    return " ".join(pdf_text(project / folder / lang / slug / f"{slug}-{lang}.pdf").split())


def json_ld(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html)
    assert found, "no JSON-LD"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def edit_source(project: Path) -> None:
    release = project / RELEASE
    release.write_text(release.read_text(encoding="utf-8").replace(CLOSING, EDITED), encoding="utf-8")


def approve(project: Path, catalog: str, translations: dict[str, str]) -> None:
    """Translate messages (by their source's start) and approve every fuzzy message of a catalog."""
    path = project / catalog
    for start, text in translations.items():
        set_translation(path, start, text)
    lines = path.read_text(encoding="utf-8").split("\n")
    kept = [line for line in lines if line != "#, fuzzy" and not line.startswith("#|")]
    path.write_text("\n".join(kept), encoding="utf-8")


@pytest.fixture
def here(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled project as the current folder (paths print relative), built once."""
    monkeypatch.chdir(project)
    return project


def test_the_seed_release_is_recorded_and_published_in_three_languages(here: Path, cli: Cli) -> None:
    record = read_record(load_config(here), SLUG)
    assert record is not None and sorted(record.versions) == ["en", "nl", "ro"]
    assert cli(here, "build").code == 0
    assert "Continuing NATO Cooperation" in page(here, "en")
    assert "Voortzetting van de NAVO-samenwerking" in page(here, "nl")
    assert "Continuarea cooperării în cadrul NATO" in page(here, "ro")


def test_a_new_release_leaves_no_trace_until_it_is_published(here: Path, cli: Cli) -> None:
    assert cli(here, "new", "2024-06-01-ministers-meet", "--title", "Ministers meet in Bucharest").code == 0
    assert cli(here, "build").code == 0
    texts = [p.read_bytes() for p in (here / "public").rglob("*") if p.is_file()]
    assert not any(b"Ministers meet in Bucharest" in t or b"2024-06-01-ministers-meet" in t for t in texts)
    assert not any(b"Write the first paragraph here" in t for t in texts)


def test_a_scaffold_is_not_published_with_its_sample_text(here: Path, cli: Cli) -> None:
    assert cli(here, "new", "2024-06-01-ministers-meet", "--title", "Ministers meet in Bucharest").code == 0
    result = cli(here, "publish", "2024-06-01-ministers-meet")
    assert result.code == 1
    path = "releases/2024-06-01-ministers-meet/release.md"
    assert result.err.splitlines()[0] == (
        f"{path}:27: error: the release still holds the sample text of 'pressgen new': "
        "'Write the first paragraph here: who, what, where a'"
    )
    assert not (here / "published" / "2024-06-01-ministers-meet").exists()


def test_drafts_go_to_the_preview_and_never_touch_the_public_output(here: Path, cli: Cli) -> None:
    assert cli(here, "build").code == 0
    before = tree_digest(here / "public")
    add_release(here, "2024-06-01-draft", "An unpublished draft")
    assert cli(here, "update").code == 0
    set_translation(here / NL, "A United Front", "Eensgezind front (concept)")
    edit_source(here)
    result = cli(here, "build", "--drafts")
    assert result.code == 0, result.err
    assert result.out.startswith("built the preview in preview/")
    assert tree_digest(here / "public") == before
    draft = page(here, "en", "2024-06-01-draft", folder="preview")
    assert "An unpublished draft" in draft
    assert '<meta name="robots" content="noindex, nofollow">' in draft
    assert "Preview of the current sources: not published." in draft
    assert EDITED in page(here, "en", folder="preview")
    assert "Preview, not published" in pdf(here, "en", "2024-06-01-draft", folder="preview")
    assert "Concept, niet gecontroleerd" in pdf(here, "nl", "2024-06-01-draft", folder="preview")
    for feed in (here / "preview").rglob("feed.xml"):
        raise AssertionError(f"a preview has no feeds: {feed}")
    assert not (here / "preview" / "sitemap.xml").exists()


@pytest.mark.parametrize("out", ["public", "public/preview"])
def test_a_preview_pointed_at_the_public_output_is_refused(out: str, here: Path, cli: Cli) -> None:
    assert cli(here, "build").code == 0
    before = tree_digest(here / "public")
    result = cli(here, "build", "--drafts", "--out", out)
    assert result.code == 2
    assert "the output folder must be apart from the public output" in result.err
    assert tree_digest(here / "public") == before


def test_an_english_edit_leaves_the_translations_online_then_they_lag(here: Path, cli: Cli) -> None:
    assert cli(here, "build").code == 0
    dutch, romanian = page(here, "nl"), page(here, "ro")
    edit_source(here)
    assert cli(here, "update").code == 0
    rebuilt = cli(here, "build")
    assert rebuilt.code == 0 and rebuilt.err == ""
    assert page(here, "nl") == dutch and page(here, "ro") == romanian
    assert EDITED not in page(here, "en")  # not published yet either

    unnoted = cli(here, "publish", SLUG, "--lang", "en")
    assert unnoted.code == 1
    assert unnoted.err.startswith(f"{RELEASE}: error: the English version changed since it was published on 2024-05-17")
    published = cli(here, "publish", SLUG, "--lang", "en", "--note", NOTE, "--now", "2027-11-28T10:00+01:00")
    assert published.code == 0, published.err
    assert published.out.splitlines()[0] == f"updated {SLUG} [en]"
    result = cli(here, "build")
    assert result.code == 0
    assert result.err.splitlines() == [
        f"lags: {SLUG} [{lang}]: translates the en version of 2024-05-17, which was updated on 2027-11-28 "
        "(translate the changes, then publish them)"
        for lang in ("nl", "ro")
    ]
    english = page(here, "en")
    assert EDITED in english
    assert f"Updated 28 November 2027:</time> {NOTE}" in english
    assert f"Updated 28 November 2027: {NOTE}" in pdf(here, "en")
    assert "Continuing NATO Cooperation" in english and "17 May 2024" in english  # the first date stays
    dutch_now = page(here, "nl")
    assert (
        "Deze vertaling geeft de versie van 17 mei 2024 weer. Het origineel is op 28 november 2027 bijgewerkt."
        in dutch_now
    )
    # The source language named in the reader's language.
    assert f'<a href="../../en/{SLUG}/" hreflang="en">Lees de actuele versie (Engels)</a>' in dutch_now
    assert "Dit is een cruciale stap" in dutch_now  # the recorded Dutch text, still online
    assert "Această traducere reflectă versiunea din 17 mai 2024" in pdf(here, "ro")
    assert f'<a href="../../en/{SLUG}/" hreflang="en">Citiți versiunea actuală (engleză)</a>' in page(here, "ro")
    status = json.loads(cli(here, "status", "--format", "json").out)
    lags = {(v["lang"], v["lags"]) for v in status["versions"]}
    assert lags == {("en", False), ("nl", True), ("ro", True)}
    ld = json_ld(english)
    assert ld["dateModified"] == "2027-11-28T10:00:00+01:00"
    assert ld["datePublished"] == "2024-05-17T00:00:00+02:00"
    entry = feedparser.parse((here / "public" / "en" / "feed.xml").read_bytes()).entries[0]
    assert entry.updated == "2027-11-28T10:00:00+01:00" and entry.published == "2024-05-17T00:00:00+02:00"


def test_a_translation_catches_up_with_its_note_translated(here: Path, cli: Cli) -> None:
    edit_source(here)
    assert cli(here, "publish", SLUG, "--lang", "en", "--note", NOTE, "--now", "2027-11-28T10:00+01:00").code == 0
    assert cli(here, "update").code == 0
    # The changed paragraph is approved, but the change note is not translated yet.
    approve(here, NL, {})
    refused = cli(here, "publish", SLUG, "--lang", "nl")
    assert refused.code == 1
    catalog = (here / NL).read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(catalog, 1) if text == f'msgid "{NOTE}"')
    assert refused.err.splitlines() == [f"{NL}:{line}: error: untranslated message '{NOTE}'"]
    approve(here, NL, {NOTE: "Een woord toegevoegd aan de slotalinea."})
    result = cli(here, "publish", SLUG, "--now", "2027-11-29T09:00+01:00")
    assert result.code == 0, result.err
    assert f"updated {SLUG} [nl]" in result.out
    assert f"not published: {SLUG} [ro]: " in result.err
    assert cli(here, "build").code == 0
    dutch = page(here, "nl")
    assert "Bijgewerkt op 29 november 2027:</time> Een woord toegevoegd aan de slotalinea." in dutch
    assert "Deze vertaling geeft de versie" not in dutch
    assert "Această traducere reflectă versiunea din 17 mai 2024" in page(here, "ro")


def test_publishing_an_unapproved_translation_names_the_file_and_line(here: Path, cli: Cli) -> None:
    text = (here / NL).read_text(encoding="utf-8")
    marked = text.replace('msgid "The Hague"\n', '#, fuzzy\nmsgid "The Hague"\n', 1)
    (here / NL).write_text(marked, encoding="utf-8")
    line = marked.split("\n").index('msgid "The Hague"') + 1
    heading = set_translation(here / NL, "A United Front", "Eensgezind tegen tegen cyberdreigingen")
    result = cli(here, "publish", SLUG, "--lang", "nl")
    assert result.code == 1
    errors = result.err.splitlines()
    assert f"{NL}:{line}: error: fuzzy message 'The Hague': approve it (remove the fuzzy flag)" in errors
    assert any(e.startswith(f"{NL}:{heading}: error: ") and "tegen" in e for e in errors)
    assert "Traceback" not in result.err


def test_an_incomplete_interface_catalog_keeps_a_language_unpublished(here: Path, cli: Cli) -> None:
    interface = here / "locales" / "ro" / "LC_MESSAGES" / "messages.po"
    text = interface.read_text(encoding="utf-8")
    interface.write_text(text.replace('msgid "Ends"\n', '#, fuzzy\nmsgid "Ends"\n', 1), encoding="utf-8")
    line = text.split("\n").index('msgid "Ends"') + 2
    # Unchanged, the Romanian version stays as it is recorded; to change, it needs the interface approved.
    assert cli(here, "publish", SLUG, "--lang", "ro").code == 0
    set_translation(here / RO, "A United Front", "Un front comun împotriva amenințărilor cibernetice")
    result = cli(here, "publish", SLUG, "--lang", "ro", "--minor")
    assert result.code == 1
    expected = "error: interface: fuzzy message 'Ends': approve it (remove the fuzzy flag)"
    assert f"locales/ro/LC_MESSAGES/messages.po:{line}: {expected}" in result.err.splitlines()


def test_translations_follow_their_source(here: Path, cli: Cli) -> None:
    add_release(here, "2024-06-01-new", "A new release")
    assert cli(here, "update").code == 0
    result = cli(here, "publish", "2024-06-01-new", "--lang", "nl")
    assert result.code == 1
    assert (
        "releases/2024-06-01-new/release.md: error: the English version is not published yet: "
        "publish it first, or together (--lang en)"
    ) in result.err.splitlines()
    assert not (here / "published" / "2024-06-01-new").exists()


def test_a_fuzzy_message_after_an_english_edit_is_named_with_its_line(here: Path, cli: Cli) -> None:
    edit_source(here)
    assert cli(here, "update").code == 0
    before = (here / RECORD).read_bytes()
    result = cli(here, "publish", SLUG, "--lang", "nl")
    assert result.code == 1
    catalog = (here / NL).read_text(encoding="utf-8").split("\n")
    fuzzy = catalog.index("#, fuzzy")
    line = next(n for n in range(fuzzy, len(catalog)) if catalog[n].startswith("msgid ")) + 1
    assert any(e.startswith(f"{NL}:{line}: error: fuzzy message ") for e in result.err.splitlines()), result.err
    assert (here / RECORD).read_bytes() == before  # a refused act writes nothing


def test_a_refused_act_writes_nothing(here: Path, cli: Cli) -> None:
    edit_source(here)
    set_translation(here / RO, "A United Front", "Front unit <b>împotriva</b> amenințărilor")
    before = tree_digest(here / "published")
    result = cli(here, "publish", SLUG, "--lang", "en", "--lang", "ro", "--note", NOTE)
    assert result.code == 1
    assert tree_digest(here / "published") == before


def test_republishing_a_translation_alone_needs_a_note_in_its_language(here: Path, cli: Cli) -> None:
    set_translation(here / NL, "A United Front", "Eensgezind front tegen cyberdreigingen")
    refused = cli(here, "publish", SLUG, "--lang", "nl")
    assert refused.code == 1
    assert "the Nederlands translation changed since it was published on 2024-05-17" in refused.err
    minor = cli(here, "publish", SLUG, "--lang", "nl", "--minor", "--now", "2027-11-30T12:00Z")
    assert minor.code == 0, minor.err
    assert cli(here, "build").code == 0
    dutch = page(here, "nl")
    assert "Eensgezind front tegen cyberdreigingen" in dutch
    assert 'class="update"' not in dutch  # a minor correction shows no note
    assert '"dateModified": "2027-11-30T12:00:00+00:00"' in dutch
    assert cli(here, "publish", SLUG, "--note", "x", "--minor").code == 2


def test_withdrawn_pages_stay_marked_and_leave_lists_and_feeds(here: Path, cli: Cli) -> None:
    result = cli(here, "withdraw", SLUG, "--reason", "Published in error.", "--now", "2027-12-01T09:00+01:00")
    assert result.code == 0, result.err
    assert cli(here, "build").code == 0
    dutch = page(here, "nl")
    assert 'Ingetrokken op 1 december 2027: <span lang="en">Published in error.</span>' in dutch
    assert '<meta name="robots" content="noindex, nofollow">' in dutch
    assert "Retras la 1 decembrie 2027: Published in error." in pdf(here, "ro")
    assert SLUG not in (here / "public" / "en" / "index.html").read_text(encoding="utf-8")
    for lang in ("en", "nl", "ro"):
        assert feedparser.parse((here / "public" / lang / "feed.xml").read_bytes()).entries == []
    assert SLUG not in (here / "public" / "sitemap.xml").read_text(encoding="utf-8")
    again = cli(here, "publish", SLUG)
    assert again.code == 1
    assert again.err.strip() == (
        f"{RECORD}: error: the release was withdrawn on 2027-12-01; a withdrawn release is not published again "
        "(only the translations of its withdrawal reason are, once approved)"
    )


def test_an_embargo_through_the_record(here: Path, cli: Cli) -> None:
    add_release(here, "2024-06-10-secret", "A secret statement", "embargo: 2024-06-10T09:00+02:00\n")
    assert cli(here, "publish", "2024-06-10-secret", "--now", "2024-06-08T12:00Z").code == 0
    before = cli(here, "build", "--now", "2024-06-10T06:59Z")
    assert before.code == 0
    assert not any(b"secret" in p.read_bytes() for p in (here / "public").rglob("*") if p.is_file())
    status = json.loads(cli(here, "status", "--format", "json", "--now", "2024-06-09T00:00Z").out)
    assert status["next_change"] == {
        "at": "2024-06-10T09:00:00+02:00",
        "why": "the embargo of 2024-06-10-secret lifts",
    }
    table = cli(here, "status", "--now", "2024-06-09T00:00Z").out
    assert "next change of the public site: 2024-06-10T09:00:00+02:00 (the embargo of 2024-06-10-secret lifts)" in table
    pack = cli(here, "build", "--embargoed", "--out", "pack", "--now", "2024-06-09T00:00Z")
    assert pack.code == 0, pack.err
    assert "A secret statement" in page(here, "en", "2024-06-10-secret", folder="pack")
    assert not (here / "pack" / "en" / SLUG).exists()
    after = cli(here, "build", "--now", "2024-06-10T07:00Z")
    assert after.code == 0
    assert "A secret statement" in page(here, "en", "2024-06-10-secret")
    moment = json_ld(page(here, "en", "2024-06-10-secret"))
    assert moment["datePublished"] == "2024-06-10T09:00:00+02:00"


def test_rebuilding_at_the_embargo_by_a_timer(here: Path, cli: Cli) -> None:
    """The recipe of docs/publishing.md: a timer runs `pressgen build` every few minutes; a build
    with nothing due is a no-op, and the first one after the embargo publishes the release."""
    add_release(here, "2024-06-10-secret", "A secret statement", "embargo: 2024-06-10T09:00+02:00\n")
    assert cli(here, "publish", "2024-06-10-secret", "--now", "2024-06-08T12:00Z").code == 0
    assert cli(here, "build", "--now", "2024-06-10T06:55Z").code == 0
    idle = cli(here, "build", "--now", "2024-06-10T06:58Z")
    assert idle.out.startswith("nothing changed since the last build")
    due = cli(here, "build", "--now", "2024-06-10T07:00Z")
    assert due.out.startswith("built the site in public/: 4 language versions of 2 releases")
    assert "A secret statement" in page(here, "en", "2024-06-10-secret")


# --- the record's own format ---------------------------------------------------------------------


def test_the_record_round_trips(here: Path) -> None:
    config = load_config(here)
    path = here / RECORD
    before = path.read_bytes()
    record = read_record(config, SLUG)
    assert record is not None
    english = record.version("en")
    assert english is not None and english.published == dt.datetime.fromisoformat("2024-05-17T00:00:00+02:00")
    write_record(config, record, "en")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace("[nl]", "[nl"),
            f"{RECORD}:10: error: invalid TOML: Expected ']' at the end of a table declaration",
        ),
        (
            lambda t: t.replace("published = 2024-05-17T00:00:00+02:00\ntext", "published = 2024-05-17\ntext", 1),
            f"{RECORD}:7: error: en.published must be a date and time with its UTC offset, "
            "such as 2024-05-17T09:00:00+02:00",
        ),
        (
            lambda t: t.replace("[ro]", "[fr]"),
            f"{RECORD}:15: error: 'fr' is not one of the configured languages ['en', 'nl', 'ro']",
        ),
        (lambda t: t.replace('text = "sha256:', 'txt = "sha256:', 1), f"{RECORD}:8: error: unknown key 'txt' in [en]"),
    ],
    ids=["toml", "date", "language", "key"],
)
def test_a_hand_edited_broken_record_is_a_clear_error(edit, expected: str, here: Path, cli: Cli) -> None:  # type: ignore[no-untyped-def]
    assert cli(here, "build").code == 0
    before = tree_digest(here / "public")
    path = here / RECORD
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli(here, "build")
    assert result.code == 1
    assert expected in result.err.splitlines(), result.err
    assert tree_digest(here / "public") == before


def test_a_record_of_a_release_that_no_longer_exists(here: Path, cli: Cli) -> None:
    assert cli(here, "build").code == 0
    before = tree_digest(here / "public")
    shutil.rmtree(here / "releases" / SLUG)
    result = cli(here, "build")
    assert result.code == 0  # the public build renders the record alone
    assert result.err.strip() == (
        f"{RECORD}:1: warning: the record publishes '{SLUG}', but releases/{SLUG}/release.md no longer exists: "
        "restore it (a published release stays in the project; withdraw it to take it out of the newsroom)"
    )
    assert tree_digest(here / "public") == before


def test_the_published_texts_are_what_the_build_renders(here: Path, cli: Cli) -> None:
    """Sources edited behind the record's back change nothing public; a hand-edited copy is refused."""
    edit_source(here)
    assert cli(here, "build").code == 0
    assert EDITED not in page(here, "en")
    before = tree_digest(here / "public")
    for lang, name in (("en", "release.md"), ("nl", "messages.po")):
        copy = here / "published" / SLUG / lang / name
        kept = copy.read_text(encoding="utf-8")
        copy.write_text(kept.replace("palpable", "evident").replace("voelbaar", "merkbaar"), encoding="utf-8")
        result = cli(here, "build")
        assert result.code == 1
        assert result.err.startswith(
            f"published/{SLUG}/{lang}: error: the published texts of the {lang} version differ from what the record "
            "says was published (were they edited by hand?): "
        )
        assert tree_digest(here / "public") == before
        copy.write_text(kept, encoding="utf-8")
