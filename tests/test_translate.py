"""Machine drafts through the real deep-translator client against a local LibreTranslate server."""

from __future__ import annotations

import datetime as dt
import io
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from conftest import SLUG, Cli, publish_all
from libretranslate import FakeLibreTranslate
from pressgen.catalogs import read_catalog, update_catalogs
from pressgen.config import Language, load_config
from pressgen.errors import PressgenError
from pressgen.files import write_atomic
from pressgen.po import serialise
from pressgen.releases import read_releases
from pressgen.translate import protect, restore, translate_catalogs

RO_SLUG = "2024-06-20-program-guvernamental"
RO_RELEASE = """---
title: Un nou program guvernamental
date: 2024-06-20
lang: ro
location: București
---

Guvernul anunță un nou program.

Detalii pe [site-ul oficial](https://gov.ro/program) și la `presa@gov.ro`.
"""


@pytest.fixture
def server() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as running:
        yield running


def catalog_messages(path: Path) -> dict[str, Message]:
    with path.open("rb") as handle:
        return {str(m.id): m for m in read_po(handle) if m.id}


def add_romanian_release(project: Path) -> None:
    folder = project / "releases" / RO_SLUG
    folder.mkdir()
    (folder / "release.md").write_text(RO_RELEASE, encoding="utf-8")


def test_romanian_release_is_drafted_then_published_once_approved(
    project: Path, cli: Cli, server: FakeLibreTranslate
) -> None:
    add_romanian_release(project)
    assert cli(project, "update").code == 0
    for lang in ("en", "nl"):
        messages = catalog_messages(project / "locales" / lang / "releases" / f"{RO_SLUG}.po")
        assert "Guvernul anunță un nou program." in messages  # msgids are the Romanian source

    result = cli(project, "translate", "--provider", "libre", "--url", server.url, "--only", RO_SLUG)
    assert result.code == 0, result.err
    assert "0 from translation memory" in result.out
    en = catalog_messages(project / "locales" / "en" / "releases" / f"{RO_SLUG}.po")
    draft = en["Guvernul anunță un nou program."]
    assert draft.string == "The government announces a new programme."
    assert draft.fuzzy
    today = dt.date.today().isoformat()
    assert any(c.startswith(f"machine translation (libre), {today}") for c in draft.user_comments)
    link = en["Detalii pe [site-ul oficial](https://gov.ro/program) și la `presa@gov.ro`."]
    assert "](https://gov.ro/program)" in str(link.string) and "`presa@gov.ro`" in str(link.string)
    assert {r["source"] for r in server.received} == {"ro"}
    assert all("https://gov.ro" not in r["q"] for r in server.received)  # link targets never sent

    published = publish_all(cli, project)
    assert f"not published: {RO_SLUG} [en]: 4 fuzzy messages" in published.err
    assert cli(project, "build").code == 0
    assert not (project / "public" / "en" / RO_SLUG).exists()
    assert (project / "public" / "ro" / RO_SLUG / "index.html").is_file()

    # The fake server echoes what it does not know ("[nl] București"): the reviewer translates it.
    reviewed = {
        "Un nou program guvernamental": {"en": "A new government programme", "nl": "Een nieuw regeringsprogramma"},
        "București": {"en": "Bucharest", "nl": "Boekarest"},
        "Detalii pe [site-ul oficial](https://gov.ro/program) și la `presa@gov.ro`.": {
            "en": "Details on the [official site](https://gov.ro/program) and at `presa@gov.ro`.",
            "nl": "Details op de [officiële website](https://gov.ro/program) en via `presa@gov.ro`.",
        },
    }
    for lang in ("en", "nl"):
        path = project / "locales" / lang / "releases" / f"{RO_SLUG}.po"
        catalog = read_catalog(path, load_config(project).language(lang))
        for message in catalog:
            if message.id in reviewed:
                message.string = reviewed[message.id][lang]
            message.flags.discard("fuzzy")  # what a translator does to approve
        write_atomic(path, serialise(catalog))
    publish_all(cli, project, now="2024-07-01T12:00:00+00:00")
    assert cli(project, "build").code == 0
    page = (project / "public" / "nl" / RO_SLUG / "index.html").read_text(encoding="utf-8")
    assert "De regering kondigt een nieuw programma aan." in page
    assert 'href="https://gov.ro/program"' in page


def test_translation_memory_and_each_text_sent_once(project: Path, cli: Cli, server: FakeLibreTranslate) -> None:
    # Two new English releases: one reuses an approved sentence of the bundled release, and
    # both share a new sentence.
    reused = "The NATO Cyber Defence Pledge Conference 2024 is a testament to the enduring strength of the alliance"
    for slug in ("2024-06-21-first", "2024-06-22-second"):
        folder = project / "releases" / slug
        folder.mkdir()
        (folder / "release.md").write_text(
            f"---\ntitle: Note {slug[-5:]}\ndate: {slug[:10]}\n---\n\nA shared new sentence.\n\n"
            f"{reused} and a beacon of progress in the ongoing mission to protect our shared future.\n",
            encoding="utf-8",
        )
    assert cli(project, "update").code == 0
    result = cli(project, "translate", "--provider", "libre", "--url", server.url, "--lang", "nl")
    assert result.code == 0, result.err
    sent = [r["q"] for r in server.received]
    assert sent.count("A shared new sentence.") == 1
    assert not any(reused[:40] in q for q in sent)
    messages = catalog_messages(project / "locales" / "nl" / "releases" / "2024-06-22-second.po")
    memory = next(m for key, m in messages.items() if key.startswith(reused))
    assert str(memory.string).startswith("De NAVO Cyber Defence Pledge Conference 2024 getuigt")
    assert memory.fuzzy and any(c.startswith("translation memory") for c in memory.user_comments)
    assert messages["A shared new sentence."].string == "[nl] A shared new sentence."


def test_machine_drafts_get_the_glossary_s_terms(project: Path, cli: Cli, server: FakeLibreTranslate) -> None:
    slug = "2024-06-23-ministers-meet"
    folder = project / "releases" / slug
    folder.mkdir()
    body = "The defence ministers of the NATO alliance meet in The Hague: see [the agenda](https://example.org/a)."
    (folder / "release.md").write_text(
        f"---\ntitle: Ministers meet in The Hague\ndate: 2024-06-23\n---\n\n{body}\n", encoding="utf-8"
    )
    assert cli(project, "update").code == 0
    result = cli(project, "translate", "--provider", "libre", "--url", server.url, "--only", slug)
    assert result.code == 0, result.err
    # The provider never sees a glossary term, so it cannot translate one otherwise.
    sent = [r["q"] for r in server.received]
    assert sent and not any(term in q for q in sent for term in ("The Hague", "NATO", "defence ministers"))
    nl = catalog_messages(project / "locales" / "nl" / "releases" / f"{slug}.po")
    ro = catalog_messages(project / "locales" / "ro" / "releases" / f"{slug}.po")
    assert nl["Ministers meet in The Hague"].string == "[nl] Ministers meet in Den Haag"
    assert ro["Ministers meet in The Hague"].string == "[ro] Ministers meet in Haga"
    assert nl[body].string == (
        "[nl] The ministers van Defensie of the NAVO-bondgenootschap meet in Den Haag: "
        "see [the agenda](https://example.org/a)."
    )
    assert ro[body].string == (
        "[ro] The miniștri ai apărării of the Alianța Nord-Atlantică meet in Haga: see [the agenda](https://example.org/a)."
    )
    assert all(m.fuzzy for m in (*nl.values(), *ro.values()) if m.id)


def test_translations_by_people_are_never_overwritten(project: Path, cli: Cli, server: FakeLibreTranslate) -> None:
    path = project / "locales" / "nl" / "releases" / f"{SLUG}.po"
    before = path.read_bytes()
    result = cli(project, "translate", "--provider", "libre", "--url", server.url)
    assert result.code == 0
    assert server.received == []
    assert path.read_bytes() == before


def test_transient_failures_are_retried(
    project: Path, cli: Cli, server: FakeLibreTranslate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pressgen.translate.time.sleep", lambda _: None)
    add_romanian_release(project)
    assert cli(project, "update", "--lang", "en", "--lang", "ro").code == 0
    server.fail_next = 2
    result = cli(project, "translate", "--provider", "libre", "--url", server.url, "--lang", "en")
    assert result.code == 0, result.err
    assert len(server.received) == 4 + 2  # four texts, two failed attempts retried


def test_failing_provider_stops_with_a_clear_error_and_keeps_drafts(
    project: Path, cli: Cli, server: FakeLibreTranslate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pressgen.translate.time.sleep", lambda _: None)
    add_romanian_release(project)
    assert cli(project, "update").code == 0
    # Approve nothing; let the first two texts through, then fail for good.
    original = FakeLibreTranslate.finish_request

    def fail_after_two(self: FakeLibreTranslate, request: Any, address: Any) -> None:
        if len(self.received) >= 2:
            self.fail_always = True
        original(self, request, address)

    monkeypatch.setattr(FakeLibreTranslate, "finish_request", fail_after_two)
    result = cli(project, "translate", "--provider", "libre", "--url", server.url, "--lang", "en")
    assert result.code == 1
    assert "error: provider 'libre' failed after 5 attempts: ServerException: ERR_SERVICE_NOT_AVAIBLE" in result.err
    assert "every draft received so far is saved" in result.err
    messages = catalog_messages(project / "locales" / "en" / "releases" / f"{RO_SLUG}.po")
    drafted = [m for m in messages.values() if m.string]
    assert len(drafted) == 2 and all(m.fuzzy for m in drafted)


def test_provider_needs_its_key_and_url(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    add_romanian_release(project)
    assert cli(project, "update").code == 0
    result = cli(project, "translate", "--provider", "deepl")
    assert result.code == 2
    assert "provider 'deepl' needs an API key in the environment variable DEEPL_API_KEY" in result.err
    no_url = cli(project, "translate", "--provider", "libre")
    assert no_url.code == 2 and "--url" in no_url.err
    unknown = cli(project, "translate", "--provider", "babelfish")
    assert unknown.code == 2 and "unknown provider 'babelfish'" in unknown.err


def test_protect_and_restore_round_trip() -> None:
    text = 'See [the plan](https://nato.int/plan "Plan"), mail press@nato.int, on page %(page)s.'
    masked, kept = protect(text)
    assert "https://" not in masked and "@" not in masked and "%(" not in masked
    assert restore(masked, kept) == (text, True)
    assert restore(masked.replace("{0}", ""), kept)[1] is False


def test_catalog_written_by_translate_passes_msgfmt(project: Path, cli: Cli, server: FakeLibreTranslate) -> None:
    add_romanian_release(project)
    assert cli(project, "update").code == 0
    assert cli(project, "translate", "--provider", "libre", "--url", server.url).code == 0
    for path in (project / "locales").rglob("*.po"):
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)
    text = (project / "locales" / "nl" / "releases" / f"{RO_SLUG}.po").read_text(encoding="utf-8")
    assert "# machine translation (libre)" in text
    assert read_po(io.StringIO(text))


def test_machine_translation_mark_survives_msgmerge(
    project: Path, cli: Cli, server: FakeLibreTranslate, tmp_path: Path
) -> None:
    from pressgen.catalogs import release_template
    from pressgen.releases import read_release

    add_romanian_release(project)
    assert cli(project, "update").code == 0
    assert cli(project, "translate", "--provider", "libre", "--url", server.url, "--lang", "nl").code == 0
    release = read_release(project / "releases" / RO_SLUG / "release.md", load_config(project))
    pot = tmp_path / "release.pot"
    pot.write_bytes(serialise(release_template(release)))
    merged = tmp_path / "merged.po"
    catalog = project / "locales" / "nl" / "releases" / f"{RO_SLUG}.po"
    subprocess.run(["msgmerge", "--quiet", "--output-file", str(merged), str(catalog), str(pot)], check=True)
    messages = catalog_messages(merged)
    draft = messages["Guvernul anunță un nou program."]
    assert draft.fuzzy and draft.string == "De regering kondigt een nieuw programma aan."
    assert any(c.startswith("machine translation (libre)") for c in draft.user_comments)


def test_real_provider_clients_are_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from deep_translator.base import BaseTranslator

    from pressgen.translate import make_provider

    def client(name: str, source: Language, target: Language, url: str | None = None) -> BaseTranslator:
        provider = make_provider(name, source, target, url)
        assert isinstance(provider, BaseTranslator)  # deep-translator's own client, configured
        return provider

    config = load_config(Path(__file__).resolve().parent.parent)
    en, nl = config.language("en"), config.language("nl")
    monkeypatch.setenv("DEEPL_API_KEY", "abc:fx")
    free = client("deepl", en, nl)
    assert "api-free.deepl.com" in free._base_url and (free.source, free.target) == ("en", "nl")
    monkeypatch.setenv("DEEPL_API_KEY", "abc")
    assert "api.deepl.com" in client("deepl", en, nl)._base_url
    memory = client("mymemory", en, config.language("ro"))
    assert (memory.source, memory.target) == ("en-GB", "ro-RO")
    google = client("google", config.language("ro"), nl)
    assert (google.source, google.target) == ("ro", "nl")
    libre = client("libre", en, nl, "http://127.0.0.1:5000")
    assert libre._base_url == "http://127.0.0.1:5000/"


def test_translation_saved_while_translate_waits_is_kept(project: Path, server: FakeLibreTranslate) -> None:
    add_romanian_release(project)
    config = load_config(project)
    update_catalogs(config, read_releases(config), ["en"])
    path = project / "locales" / "en" / "releases" / f"{RO_SLUG}.po"
    title = 'msgid "Un nou program guvernamental"\nmsgstr ""'
    assert title in path.read_text(encoding="utf-8")

    def translator_saves(number: int) -> None:
        if number == 1:  # while translate waits for its first draft, a person saves the title
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(title, title[:-2] + '"A new government programme"'), encoding="utf-8")

    server.on_request = translator_saves
    report = translate_catalogs(config, read_releases(config), "libre", ["en"], url=server.url)
    messages = catalog_messages(path)
    human = messages["Un nou program guvernamental"]
    assert human.string == "A new government programme" and not human.fuzzy
    assert not any("machine translation" in c for c in human.user_comments)
    assert messages["Guvernul anunță un nou program."].string == "The government announces a new programme."
    assert report.kept == 1
    assert [d.format() for d in report.warnings] == [
        f"{path}: warning: merged with changes saved meanwhile in {RO_SLUG}.po (1 message translated meanwhile kept)"
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_saves_the_drafts_received_so_far(
    signum: signal.Signals, project: Path, cli: Cli, server: FakeLibreTranslate
) -> None:
    add_romanian_release(project)
    assert cli(project, "update").code == 0
    server.hang_after = 2  # two drafts arrive, then the server stops answering
    command = ["translate", "--provider", "libre", "--url", server.url, "--lang", "en"]
    process = subprocess.Popen(
        [sys.executable, "-m", "pressgen", "-C", str(project), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(server.received) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert len(server.received) == 3, process.communicate()
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signum, err
    assert err.splitlines()[-1] == f"error: interrupted by {signum.name}: the 2 drafts received so far are saved"
    messages = catalog_messages(project / "locales" / "en" / "releases" / f"{RO_SLUG}.po")
    drafted = [m for m in messages.values() if m.string]
    assert len(drafted) == 2 and all(m.fuzzy for m in drafted)


def test_server_that_never_answers_times_out(project: Path, server: FakeLibreTranslate) -> None:
    add_romanian_release(project)
    config = load_config(project)
    update_catalogs(config, read_releases(config), ["en"])
    server.hang_after = 1
    with pytest.raises(PressgenError) as caught:
        translate_catalogs(
            config, read_releases(config), "libre", ["en"], url=server.url, timeout=0.5, attempts=2, backoff=0
        )
    assert str(caught.value) == (
        "error: provider 'libre' failed after 2 attempts: no whole answer within 0.5 s ([translation] timeout); "
        "every draft received so far is saved"
    )
    messages = catalog_messages(project / "locales" / "en" / "releases" / f"{RO_SLUG}.po")
    assert len([m for m in messages.values() if m.string]) == 1  # the one answer before the server hung


def test_a_server_that_trickles_its_answer_is_given_up_on_at_the_request_s_deadline(
    project: Path, server: FakeLibreTranslate
) -> None:
    """A byte every 0.2 s keeps every read within any read timeout: only a deadline for the whole
    answer ends the request (it once held one for a minute, and could for ever)."""
    add_romanian_release(project)
    config = load_config(project)
    update_catalogs(config, read_releases(config), ["en"])
    server.trickle = 0.2  # an answer of some 60 bytes: 12 s
    with pytest.raises(PressgenError) as caught:
        translate_catalogs(config, read_releases(config), "libre", ["en"], url=server.url, timeout=1, attempts=2)
    assert str(caught.value) == (
        "error: provider 'libre' failed after 2 attempts: no whole answer within 1 s ([translation] timeout); "
        "every draft received so far is saved"
    )
    assert len(server.received) == 2


def test_a_run_stops_at_its_deadline_and_keeps_the_drafts_it_received(
    project: Path, cli: Cli, server: FakeLibreTranslate
) -> None:
    add_romanian_release(project)
    config = project / "pressgen.toml"
    config.write_text(config.read_text(encoding="utf-8") + "timeout = 60\ndeadline = 2\n", encoding="utf-8")
    assert cli(project, "update").code == 0
    # The first answer comes whole; from the second on, a byte every 0.2 s, each request within its timeout.
    server.on_request = lambda number: setattr(server, "trickle", 0.2 if number > 1 else None)
    result = cli(project, "translate", "--provider", "libre", "--url", server.url, "--lang", "en")
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "error: provider 'libre' did not finish within the run's deadline of 2 s ([translation] deadline); "
        "every draft received so far is saved"
    )
    messages = catalog_messages(project / "locales" / "en" / "releases" / f"{RO_SLUG}.po")
    drafted = [m for m in messages.values() if m.string]
    assert len(drafted) == 1 and drafted[0].fuzzy


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (["a", "list"], "TypeError: list indices must be integers or slices, not str"),
        ({"translatedText": 42}, "the translation is int, not text"),
        ({"error": "none"}, "KeyError: 'translatedText'"),
        ({"translatedText": "x" * 1_100_000}, "the answer is larger than 1 MB"),
    ],
    ids=["json-list", "number", "no-text", "huge"],
)
def test_answer_that_is_no_translation_is_one_clear_error(
    payload: object, reason: str, project: Path, cli: Cli, server: FakeLibreTranslate
) -> None:
    add_romanian_release(project)
    assert cli(project, "update").code == 0
    server.payload = payload
    result = cli(project, "translate", "--provider", "libre", "--url", server.url, "--lang", "en")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"error: provider 'libre' sent an answer pressgen cannot use ({reason}); every draft received so far is saved"
    ]
    assert len(server.received) == 1  # not retried


def test_message_longer_than_a_provider_takes_is_skipped_with_a_warning(
    project: Path, server: FakeLibreTranslate
) -> None:
    folder = project / "releases" / RO_SLUG
    folder.mkdir()
    (folder / "release.md").write_text(RO_RELEASE + "\n" + "Un cuvânt lung. " * 400 + "\n", encoding="utf-8")
    config = load_config(project)
    update_catalogs(config, read_releases(config), ["en"])
    path = project / "locales" / "en" / "releases" / f"{RO_SLUG}.po"
    line = next(m.lineno for m in read_catalog(path, config.language("en")) if str(m.id).startswith("Un cuvânt"))
    report = translate_catalogs(config, read_releases(config), "libre", ["en"], url=server.url)
    assert [d.format() for d in report.warnings] == [
        f"{path}:{line}: warning: not sent to 'libre': the message is 6399 characters long; "
        "machine translation takes at most 5000"
    ]
    assert all(len(r["q"]) <= 5000 for r in server.received) and report.from_provider == 4


def test_placeholders_of_every_kind_are_protected() -> None:
    text = "Page %(page)s of %(pages)s, %(n)d files, %(share).1f%% and {name} or {0}."
    masked, kept = protect(text)
    assert "%(" not in masked and "{name}" not in masked
    assert kept == ["%(page)s", "%(pages)s", "%(n)d", "%(share).1f", "{name}", "{0}"]
    assert restore(masked, kept) == (text, True)


def test_other_requests_in_the_process_keep_their_own_limits(project: Path, server: FakeLibreTranslate) -> None:
    """translate bounds its own requests only: code beside it (a program using pressgen as a
    library) still reads an answer larger than translate would accept."""
    add_romanian_release(project)
    config = load_config(project)
    update_catalogs(config, read_releases(config), ["en"])
    sizes: list[int] = []
    with FakeLibreTranslate() as other:
        other.payload = {"translatedText": "x" * 1_100_000}
        server.on_request = lambda _: sizes.append(len(requests.post(other.url + "translate", timeout=30).content))
        report = translate_catalogs(config, read_releases(config), "libre", ["en"], url=server.url, attempts=1)
    assert report.from_provider == 4
    assert sizes == [len(b'{"translatedText": ""}') + 1_100_000] * 4
