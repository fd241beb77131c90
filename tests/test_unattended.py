"""Unattended publishing you can trust (issue 21): a timer's `pressgen build` publishes the record
whatever the working tree holds, every act is one step, a withdrawal is final, and each recipe of
docs/publishing.md "When something went wrong" works as written.

Each test works on a copy of the bundled project and asserts what a journalist or a press office
would see: pages, feeds, the pack, the exact lines pressgen prints, and the record read back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import feedparser
import pytest

from conftest import REPO, SLUG, Cli, copy_project, tree_digest
from helpers import add_release, cache_json, pdf_text, set_translation, write_cache_json
from pressgen.config import load_config
from pressgen.publishing import read_versions
from pressgen.record import recorded_slugs

SECRET = "2024-06-10-secret-summit"  # under embargo, then withdrawn before its embargo
DUE = "2024-06-11-ministers-meet"  # under embargo, lifted by the timer
NL = f"locales/nl/releases/{SLUG}.po"
NL_INTERFACE = "locales/nl/LC_MESSAGES/messages.po"
RECORD = f"published/{SLUG}/record.toml"


@pytest.fixture
def here(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    return project


def ok(cli: Cli, project: Path, *args: str) -> str:
    result = cli(project, *args)
    assert result.code == 0, result.err
    return result.out + result.err


def page(project: Path, lang: str, slug: str = SLUG, folder: str = "public") -> str:
    return (project / folder / lang / slug / "index.html").read_text(encoding="utf-8")


def texts_of(folder: Path) -> bytes:
    return b"\n".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def record_reads(project: Path) -> None:
    """The record reads back whole: every recorded version, with its texts verified."""
    config = load_config(project)
    for slug in recorded_slugs(config):
        assert read_versions(config, slug)


def break_quote(path: Path, start: str) -> int:
    """Save a catalog as a translator's editor might leave it: one closing quote missing; return its line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f'msgstr "{start}'))
    lines[index] = lines[index].rstrip('"')
    path.write_text("\n".join(lines), encoding="utf-8")
    return index + 1


# --- the timer's build over a working tree that is not in order ------------------------------------


def test_the_timer_publishes_the_record_whatever_the_working_tree_holds(here: Path, cli: Cli) -> None:
    add_release(here, SECRET, "A secret summit", "embargo: 2024-06-10T09:00+02:00\n")
    add_release(here, DUE, "Ministers meet in Bucharest", "embargo: 2024-06-11T09:00+02:00\n")
    ok(cli, here, "publish", SECRET, DUE, "--lang", "en", "--now", "2024-06-08T12:00Z")
    ok(cli, here, "withdraw", SECRET, "--reason", "Published in error.", "--now", "2024-06-09T08:00Z")
    ok(cli, here, "build", "--now", "2024-06-09T09:00Z")
    dutch_before = page(here, "nl")

    # A translator's half-saved catalogs, and a release `pressgen new` left half written.
    release_line = break_quote(here / NL, "Den Haag")
    interface_line = break_quote(here / NL_INTERFACE, "Persberichten")
    half = here / "releases" / "2024-06-12-half-written" / "release.md"
    half.parent.mkdir()
    half.write_text('---\ntitle: "Half a tit', encoding="utf-8")
    warnings = [
        f"{NL}:{release_line}: warning: invalid PO syntax: unterminated or badly escaped string",
        f"{NL_INTERFACE}:{interface_line}: warning: invalid PO syntax: unterminated or badly escaped string",
        "releases/2024-06-12-half-written/release.md:1: warning: front matter is not closed by a '---' line",
    ]

    before = cli(here, "build", "--now", "2024-06-10T06:00Z")  # before either embargo
    assert before.code == 0, before.err
    assert sorted(before.err.splitlines()) == sorted(warnings)
    assert b"secret" not in texts_of(here / "public") and b"Bucharest" not in texts_of(here / "public")
    record_reads(here)

    pack = cli(here, "build", "--embargoed", "--out", "pack", "--now", "2024-06-10T06:00Z")
    assert pack.code == 0, pack.err
    assert "Ministers meet in Bucharest" in page(here, "en", DUE, "pack")
    assert b"secret" not in texts_of(here / "pack")  # withdrawn: the pack no longer holds it

    after = cli(here, "build", "--now", "2024-06-12T06:00Z")  # both embargoes have passed
    assert after.code == 0, after.err
    assert sorted(after.err.splitlines()) == sorted(warnings)
    assert "Ministers meet in Bucharest" in page(here, "en", DUE)
    assert DUE in (here / "public" / "en" / "index.html").read_text(encoding="utf-8")
    assert b"secret" not in texts_of(here / "public")  # withdrawn before it was public: never published
    assert page(here, "nl") == dutch_before  # the Dutch pages show the recorded interface strings
    record_reads(here)

    status = cli(here, "status", "--format", "json", "--now", "2024-06-12T06:00Z")
    rows = {(v["release"], v["lang"]): v for v in json.loads(status.out)["versions"]}
    assert rows[(SECRET, "en")]["public"] is False
    assert rows[(SECRET, "en")]["state"] == "withdrawn on 2024-06-09, before it was public: never published"
    assert rows[(DUE, "en")]["public"] is True
    assert rows[(SLUG, "en")]["public"] is True

    # Publishing anything else is not stopped by those files: the source of the seed, here.
    release = here / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    ok(cli, here, "publish", SLUG, "--lang", "en", "--note", "A word.", "--now", "2024-06-12T07:00Z")
    refused = cli(here, "publish", SLUG, "--lang", "nl")  # the broken Dutch catalog stops only Dutch
    assert refused.code == 1
    assert f"{NL}:{release_line}: error: invalid PO syntax: unterminated or badly escaped string" in refused.err
    romanian = cli(here, "publish", SLUG, "--lang", "ro")  # nothing of Dutch is read for Romanian
    assert romanian.code == 1  # the Romanian translation lags behind the new English text, and says so
    assert not [line for line in romanian.err.splitlines() if "locales/nl/" in line], romanian.err


def test_a_broken_interface_catalog_stops_its_language_only_if_it_is_to_change(here: Path, cli: Cli) -> None:
    line = break_quote(here / NL_INTERFACE, "Persberichten")
    unchanged = cli(here, "publish", SLUG, "--lang", "nl")
    assert unchanged.code == 0, unchanged.err
    assert unchanged.out.splitlines()[0] == f"unchanged {SLUG} [nl]: already published as it is"
    set_translation(here / NL, "A United Front", "Een eensgezind front tegen cyberdreigingen")
    refused = cli(here, "publish", SLUG, "--lang", "nl", "--minor")
    assert refused.code == 1
    assert refused.err.splitlines() == [
        f"{NL_INTERFACE}:{line}: error: invalid PO syntax: unterminated or badly escaped string"
    ]
    ok(cli, here, "publish", SLUG, "--lang", "ro")  # Romanian reads nothing of Dutch


def test_a_withdrawal_after_publication_keeps_the_pages_and_empties_the_lists(here: Path, cli: Cli) -> None:
    ok(cli, here, "withdraw", SLUG, "--reason", "Published in error.", "--now", "2026-12-01T09:00+01:00")
    ok(cli, here, "build")
    assert "Withdrawn on 1 December 2026" in page(here, "en")
    feed = feedparser.parse((here / "public" / "nl" / "feed.xml").read_bytes())
    assert feed.entries == []
    assert feed.feed.updated == "2026-12-01T09:00:00+01:00"  # when the feed last changed: the withdrawal
    newsroom = (here / "public" / "nl" / "index.html").read_text(encoding="utf-8")
    assert "Er zijn momenteel geen persberichten in deze taal." in newsroom
    assert "nog geen" not in newsroom  # not "none published yet": one was
    status = json.loads(cli(here, "status", "--format", "json").out)
    assert {v["public"] for v in status["versions"] if v["release"] == SLUG} == {True}


# --- every act is one step -----------------------------------------------------------------------

KILLER = """
import os, signal, sys
limit, args = int(sys.argv[1]), sys.argv[2:]
count = 0
# What changes a file or a folder, as Python's audit events name it (the atomic exchange is a ctypes
# call, announced by looking renameat2 up: a kill there comes just before it).
CHANGES = {"os.rename", "os.link", "os.mkdir", "os.remove", "os.rmdir", "os.chmod", "os.symlink",
           "os.truncate", "shutil.rmtree", "shutil.copyfile", "ctypes.dlsym", "os.utime"}

def hook(event, details):
    global count
    if event == "open":
        mode, flags = details[1], details[2]
        if not ((isinstance(mode, str) and any(c in mode for c in "wax+"))
                or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR))):
            return
    elif event not in CHANGES:
        return
    count += 1
    if count == limit:
        os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(hook)
from pressgen.cli import run
print(count, file=sys.stderr)
code = run(args)
print(count, file=sys.stderr)
sys.exit(code)
"""


def _act(tmp_path: Path, name: str, edit: bool) -> Path:
    project = copy_project(tmp_path / name)
    if edit:
        release = project / "releases" / SLUG / "release.md"
        release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    return project


def _published(project: Path) -> dict[str, str]:
    """The record's files, without what a killed act left staged (the next act removes it)."""
    return {path: digest for path, digest in tree_digest(project / "published").items() if not path.startswith(".")}


@pytest.mark.parametrize(
    "act",
    [
        ["publish", SLUG, "--lang", "en", "--note", "A word.", "--now", "2026-11-28T10:00+01:00"],
        ["withdraw", SLUG, "--reason", "Published in error.", "--now", "2026-12-01T09:00+01:00"],
    ],
    ids=["publish", "withdraw"],
)
def test_an_act_killed_at_any_moment_leaves_the_old_record_or_the_new_one(act: list[str], tmp_path: Path) -> None:
    """Kill the act (SIGKILL) at each change it makes to a file or folder, one run per change: the
    record reads back after each, and is the one from before the act or the one after it."""
    edit = act[0] == "publish"
    done = _act(tmp_path, "done", edit)
    before = _published(done)
    whole = subprocess.run(
        [sys.executable, "-c", KILLER, "0", "-C", str(done), *act], capture_output=True, text=True, check=False
    )
    assert whole.returncode == 0, whole.stderr
    after = _published(done)
    assert after != before
    changes = int(whole.stderr.strip().splitlines()[-1])
    assert changes > 10  # the stage, its files, the exchange, the cleaning: each is a moment to die at
    states = []
    for limit in range(1, changes + 1):
        project = _act(tmp_path, f"killed-{limit}", edit)
        killed = subprocess.run(
            [sys.executable, "-c", KILLER, str(limit), "-C", str(project), *act], capture_output=True, check=False
        )
        assert killed.returncode == -signal.SIGKILL, limit
        now = _published(project)
        assert now in (before, after), f"killed at change {limit}: the record is neither the old nor the new one"
        states.append(now == after)
        record_reads(project)
        again = subprocess.run(  # the recipe: run the act again
            [sys.executable, "-m", "pressgen", "-C", str(project), *act], capture_output=True, text=True, check=False
        )
        if now == before:
            assert again.returncode == 0, (limit, again.stderr)
            assert _published(project) == after
        assert not [p for p in (project / "published").iterdir() if p.name.startswith(".")]
        shutil.rmtree(project)
    assert False in states and True in states  # killed before the exchange, and after it


def test_a_failed_write_changes_nothing(here: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while the new record is written: one error line, and the record as it was."""
    import pressgen.record

    release = here / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    before = tree_digest(here / "published")

    def full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pressgen.record, "write_new", full)
    result = cli(here, "publish", SLUG, "--lang", "en", "--note", "A word.")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"published/{SLUG}: error: No space left on device: nothing was recorded (this release's record is as it was)"
    ]
    assert tree_digest(here / "published") == before
    assert not [p for p in (here / "published").iterdir() if p.name.startswith(".")]


def test_a_source_saved_while_it_is_published_is_not_recorded(
    here: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The press office saves release.md again after `publish` approved it and before it copied it."""
    import pressgen.publishing
    import pressgen.snapshots

    release = here / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    before = tree_digest(here / "published")
    copy = pressgen.snapshots.write_snapshot

    def saved_meanwhile(*args: Any) -> None:
        release.write_text(release.read_text(encoding="utf-8").replace("clearly", "plainly"), encoding="utf-8")
        copy(*args)

    monkeypatch.setattr(pressgen.publishing, "write_snapshot", saved_meanwhile)  # as publish calls it
    result = cli(here, "publish", SLUG, "--lang", "en", "--note", "A word.")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"releases/{SLUG}/release.md: error: changed while it was being published: nothing was recorded; "
        "publish it again"
    ]
    assert tree_digest(here / "published") == before


# --- arguments are checked before anything is written --------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "Caf\udce9 closed.",
            "is not UTF-8 text (byte 0xe9 at character 4): set the terminal to UTF-8 and type it again",
        ),
        ("Fixed\x7f.", "holds the control character U+007F at character 6: remove it"),
        ("Fixed\x1b[2J.", "holds the control character U+001B at character 6: remove it"),
        ("Two\nlines.", "holds the control character U+000A at character 4: remove it"),
        (
            "\u202eevil\u202c",
            "holds the invisible character U+202E at character 1 (a bidirectional control or zero-width character): "
            "readers would not see it, yet it changes how the text reads; remove it",
        ),
        (
            "zero\u200bwidth",
            "holds the invisible character U+200B at character 5 (a bidirectional control or zero-width character): "
            "readers would not see it, yet it changes how the text reads; remove it",
        ),
    ],
    ids=["latin-1", "DEL", "escape", "newline", "bidi", "zero-width"],
)
def test_a_hostile_note_or_reason_is_one_clear_error_and_nothing_is_written(
    text: str, problem: str, here: Path, cli: Cli
) -> None:
    release = here / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    before = tree_digest(here / "published")
    for option, command in (("--note", "publish"), ("--reason", "withdraw")):
        result = cli(here, command, SLUG, *(["--lang", "en"] if command == "publish" else []), option, text)
        assert result.code == 2
        assert result.err.splitlines() == [f"error: {option}: the text {problem}"]
        assert tree_digest(here / "published") == before


def test_a_note_typed_in_a_latin_1_terminal_is_refused(here: Path) -> None:
    """The bytes a Latin-1 terminal sends, through a real process and its locale's decoding."""
    release = here / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    before = tree_digest(here / "published")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pressgen",
            "publish",
            SLUG,
            "--lang",
            "en",
            "--note",
            "Caf\xe9 closed.".encode("latin-1"),
        ],
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.decode().strip() == (
        "error: --note: the text is not UTF-8 text (byte 0xe9 at character 4): "
        "set the terminal to UTF-8 and type it again"
    )
    assert tree_digest(here / "published") == before


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["publish", "../../etc/passwd"],
            "error: '../../etc/passwd' is not a release: name its slug, or its folder releases/<slug>/",
        ),
        (["publish", ""], "error: no release '' in releases/"),
        (["publish", "\udce9\x1b[31m"], "error: no release '\\udce9\\x1b[31m' in releases/"),
        (
            ["publish", SLUG, "--lang", "../x"],
            "error: --lang ../x: not one of the configured languages ['en', 'nl', 'ro']",
        ),
        (
            ["withdraw", SLUG, "--reason", "x", "--now", "9999-12-31T23:59:59-12:00"],
            "error: Invalid value: '9999-12-31T23:59:59-12:00' is out of range: give a year from 1000 to 9998 "
            "(see 'pressgen withdraw --help')",
        ),
        (
            ["publish", SLUG, "--now", "0001-01-01T00:00+14:00"],
            "error: Invalid value: '0001-01-01T00:00+14:00' is out of range: give a year from 1000 to 9998 "
            "(see 'pressgen publish --help')",
        ),
        (["withdraw", SLUG, "--reason", "   "], "error: give the reason readers will see (--reason TEXT)"),
    ],
    ids=["path out", "empty", "escapes", "language", "end of time", "start of time", "blank reason"],
)
def test_hostile_arguments_are_one_usage_error_and_nothing_is_written(
    args: list[str], line: str, here: Path, cli: Cli
) -> None:
    before = tree_digest(here / "published")
    result = cli(here, *args)
    assert (result.code, result.err.splitlines()) == (2, [line])
    assert tree_digest(here / "published") == before


def test_correct_notes_in_every_language_are_recorded_as_typed(here: Path, cli: Cli) -> None:
    release = here / "releases" / SLUG / "release.md"
    note = "Am corectat „data” summitului; “quoted” [sic] \\ # ''' \"\"\" — ș ț Ș Ț."
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    ok(cli, here, "publish", SLUG, "--lang", "en", "--note", note, "--now", "2026-11-28T10:00+01:00")
    record = load_config(here)
    versions = read_versions(record, SLUG)
    source = next(v for v in versions if v.lang == "en")
    assert source.version.updates[-1].note == note
    ok(cli, here, "build")
    assert "Am corectat „data” summitului" in page(here, "en")


# --- what the record refuses to read -------------------------------------------------------------


def test_a_record_nested_thousands_deep_is_a_clear_error(here: Path, cli: Cli) -> None:
    path = here / RECORD
    path.write_text(path.read_text(encoding="utf-8") + "\n[deep]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    line = path.read_text(encoding="utf-8").count("\n")
    result = cli(here, "build")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{RECORD}:{line}: error: arrays or tables nested more than 16 deep: "
        "a record holds none (was it edited by hand?)"
    ]


@pytest.mark.parametrize(
    ("depth", "problem"),
    [(100, "the expression nests more than 32 levels deep"), (3000, "the expression is 6003 tokens long; at most 400")],
)
def test_a_catalog_with_plural_forms_nested_thousands_deep_is_a_clear_error(
    depth: int, problem: str, here: Path, cli: Cli
) -> None:
    path = here / NL
    text = path.read_text(encoding="utf-8")
    deep = "plural=" + "(" * depth + "n != 1" + ")" * depth + ";"
    path.write_text(text.replace("plural=(n != 1);", deep), encoding="utf-8")
    line = next(n for n, row in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if "Plural-Forms" in row)
    result = cli(here, "check")
    assert result.code == 1
    assert f"{NL}:{line}: error: msgfmt: the header's plural expression is not valid: {problem}" in result.out
    assert "RecursionError" not in result.out + result.err
    assert cli(here, "build").code == 0  # the public build does not even read it


def test_a_linked_release_folder_in_the_record_is_an_error(here: Path, cli: Cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(here / "published" / SLUG, elsewhere)
    (here / "published" / SLUG).symlink_to(elsewhere)
    expected = (
        f"published/{SLUG}: error: is a symbolic link; the record of a release must be a real folder in published/ "
        "(replace the link by the folder it points to)"
    )
    for command in (["build"], ["publish", SLUG], ["withdraw", SLUG, "--reason", "x"], ["status"]):
        result = cli(here, *command)
        assert result.code == 1, command
        assert expected in result.err.splitlines(), (command, result.err)
    # The recipe: replace the link by the folder it points to.
    (here / "published" / SLUG).unlink()
    shutil.copytree(elsewhere, here / "published" / SLUG)
    ok(cli, here, "build")
    assert "Continuing NATO Cooperation" in page(here, "en")


# --- repair: each recipe of "When something went wrong" ------------------------------------------


def test_a_hand_edited_copy_is_restored_by_the_command_the_error_names(here: Path, cli: Cli) -> None:
    ok(cli, here, "build")
    before = tree_digest(here / "public")
    for lang, name in (("en", "release.md"), ("nl", "messages.po")):
        copy = here / "published" / SLUG / lang / name
        copy.write_text(copy.read_text(encoding="utf-8").replace("palpable", "evident").replace("voelbaar", "merkbaar"))
        result = cli(here, "build")
        assert result.code == 1
        command = f"pressgen publish {SLUG} --lang {lang} --repair"
        assert result.err.splitlines() == [
            f"published/{SLUG}/{lang}: error: the published texts of the {lang} version differ from what the record "
            f"says was published (were they edited by hand?): restore them with '{command}' "
            f"(releases/{SLUG} holds them)"
        ]
        repaired = cli(here, *command.split()[1:])
        assert repaired.code == 0, repaired.err
        assert f"repaired {SLUG} [{lang}]: the texts as published, from releases/{SLUG}" in repaired.out
        ok(cli, here, "build")
        assert tree_digest(here / "public") == before
        record_reads(here)


def test_a_hand_edited_copy_is_restored_from_git_when_the_sources_moved_on(here: Path, cli: Cli) -> None:
    git = ["git", "-C", str(here), "-c", "user.name=Press office", "-c", "user.email=press@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "The newsroom"], check=True)
    ok(cli, here, "build")
    before = tree_digest(here / "public")
    release = here / "releases" / SLUG / "release.md"  # the sources moved on since the publication
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    set_translation(here / NL, "The Hague", "'s-Gravenhage")
    copy = here / "published" / SLUG / "nl" / "messages.po"
    copy.write_text(copy.read_text(encoding="utf-8").replace("voelbaar", "merkbaar"), encoding="utf-8")
    result = cli(here, "build")
    assert result.code == 1
    assert result.err.strip().endswith(
        f"restore them with 'pressgen publish {SLUG} --lang nl --repair' (git's HEAD holds them)"
    )
    repaired = cli(here, "publish", SLUG, "--lang", "nl", "--repair")
    assert repaired.code == 0, repaired.err
    assert f"repaired {SLUG} [nl]: the texts as published, from git's HEAD" in repaired.out
    ok(cli, here, "build")
    assert tree_digest(here / "public") == before


def test_a_hand_edited_copy_nothing_holds_any_more_names_what_works(here: Path, cli: Cli) -> None:
    release = here / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    copy = here / "published" / SLUG / "en" / "release.md"
    copy.write_text(copy.read_text(encoding="utf-8").replace("palpable", "evident"), encoding="utf-8")
    result = cli(here, "build")
    assert result.code == 1
    advice = (
        f"neither releases/{SLUG} nor git's last commit holds the texts as published any more: restore "
        f"published/{SLUG}/en from a backup, or publish the current texts as an update "
        f"('pressgen publish {SLUG} --lang en --note TEXT')"
    )
    assert result.err.strip().endswith(advice)
    refused = cli(here, "publish", SLUG, "--lang", "en", "--repair")
    assert refused.code == 1
    assert refused.err.strip() == f"published/{SLUG}/en: error: {advice}"
    ok(cli, here, "publish", SLUG, "--lang", "en", "--note", "Corrected a word.")  # what the advice says
    ok(cli, here, "build")
    assert "is clearly palpable." in page(here, "en")


def test_a_broken_record_is_restored_with_git_checkout(here: Path, cli: Cli) -> None:
    git = ["git", "-C", str(here), "-c", "user.name=Press office", "-c", "user.email=press@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "The newsroom"], check=True)
    path = here / RECORD
    path.write_text(path.read_text(encoding="utf-8").replace("[nl]", "[nl"), encoding="utf-8")
    result = cli(here, "build")
    assert result.code == 1
    assert result.err.startswith(f"{RECORD}:10: error: invalid TOML")
    subprocess.run(["git", "-C", str(here), "checkout", "--", RECORD], check=True)
    ok(cli, here, "build")


def test_a_withdrawal_made_by_mistake_is_undone_by_removing_its_table(here: Path, cli: Cli) -> None:
    ok(cli, here, "withdraw", SLUG, "--reason", "Published in error.", "--now", "2026-12-01T09:00+01:00")
    ok(cli, here, "build")
    assert SLUG not in (here / "public" / "en" / "index.html").read_text(encoding="utf-8")
    path = here / RECORD
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\n[withdrawn]")] + "\n", encoding="utf-8")
    ok(cli, here, "build")
    assert SLUG in (here / "public" / "en" / "index.html").read_text(encoding="utf-8")
    assert "Withdrawn on" not in page(here, "en")


def test_a_deleted_cache_is_rebuilt(here: Path, cli: Cli) -> None:
    ok(cli, here, "build")
    before = tree_digest(here / "public")
    shutil.rmtree(here / ".pressgen-cache")
    ok(cli, here, "build")
    assert tree_digest(here / "public") == before


def test_a_memo_of_interface_counts_in_another_shape_is_counted_again(here: Path, cli: Cli) -> None:
    ok(cli, here, "build")
    [state] = (here / ".pressgen-cache" / "outputs").glob("*.json")
    data = cache_json(state)
    data["memo"]["missing"] = {key: {"nl": 3, "ro": "x"} for key in data["memo"]["missing"]}
    write_cache_json(state, data)
    release = here / "releases" / SLUG / "release.md"  # a change, so that the build runs
    release.write_text(release.read_text(encoding="utf-8") + "\nAn unpublished paragraph.\n", encoding="utf-8")
    result = cli(here, "build")
    assert (result.code, result.err) == (0, "")


# --- withdrawal reasons are translated -----------------------------------------------------------


def test_a_withdrawal_reason_is_translated_like_a_change_note(here: Path, cli: Cli) -> None:
    ok(cli, here, "withdraw", SLUG, "--reason", "Published in error.", "--now", "2026-12-01T09:00+01:00")
    ok(cli, here, "update")
    catalog = (here / NL).read_text(encoding="utf-8")
    assert "#. withdrawal reason of 2026-12-01\n#: published/" in catalog
    assert 'msgid "Published in error."\nmsgstr ""' in catalog
    ok(cli, here, "build")
    assert 'Ingetrokken op 1 december 2026: <span lang="en">Published in error.</span>' in page(here, "nl")

    refused = cli(here, "publish", SLUG, "--lang", "nl")  # not translated yet
    assert refused.code == 1
    line = catalog.split("\n").index('msgid "Published in error."') + 1
    assert refused.err.splitlines() == [
        f"{NL}:{line}: error: untranslated message 'Published in error.': the reason of the withdrawal"
    ]
    set_translation(here / NL, "Published in error.", "Ten onrechte gepubliceerd.")
    result = cli(here, "publish", SLUG, "--lang", "nl")
    assert result.code == 0, result.err
    assert f"recorded the withdrawal reason of {SLUG} [nl]" in result.out
    ok(cli, here, "build")
    dutch = page(here, "nl")
    assert 'Ingetrokken op 1 december 2026: <span lang="nl">Ten onrechte gepubliceerd.</span>' in dutch
    pdf = " ".join(pdf_text(here / "public" / "nl" / SLUG / f"{SLUG}-nl.pdf").split())
    assert "Ingetrokken op 1 december 2026: Ten onrechte gepubliceerd." in pdf
    assert 'Retras la 1 decembrie 2026: <span lang="en">Published in error.</span>' in page(here, "ro")
    assert 'nl = "Ten onrechte gepubliceerd."' in (here / RECORD).read_text(encoding="utf-8")
    record_reads(here)


# --- times in the site's zone --------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "offset"), [("2024-12-09-winter", "+01:00"), ("2024-06-09-summer", "+02:00")])
def test_the_scaffold_embargo_example_has_the_offset_of_its_day(slug: str, offset: str, here: Path, cli: Cli) -> None:
    ok(cli, here, "new", slug, "--title", "A statement")
    text = (here / "releases" / slug / "release.md").read_text(encoding="utf-8")
    assert f"# embargo: {slug[:10]}T09:00{offset}     # nothing of this release is public before this moment" in text


def test_every_date_the_cli_prints_is_in_the_site_time_zone(here: Path, cli: Cli) -> None:
    """23:30 UTC on 8 December is 00:30 on 9 December in Amsterdam, the site's zone: as on the page."""
    release = here / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."))
    ok(cli, here, "publish", SLUG, "--lang", "en", "--note", "A word.", "--now", "2026-12-08T23:30Z")
    status = json.loads(cli(here, "status", "--format", "json").out)
    english = next(v for v in status["versions"] if v["release"] == SLUG and v["lang"] == "en")
    assert english["updated"] == "2026-12-09T00:30:00+01:00"
    assert english["state"] == "published 2024-05-17, updated 2026-12-09"
    table = cli(here, "status").out
    assert "published 2024-05-17, updated 2026-12-09" in table
    built = cli(here, "build")
    assert f"lags: {SLUG} [nl]: translates the en version of 2024-05-17, which was updated on 2026-12-09" in built.err
    assert "Updated 9 December 2026:" in page(here, "en")
    again = cli(here, "publish", SLUG, "--lang", "en", "--minor")
    assert again.code == 0
    release.write_text(release.read_text(encoding="utf-8").replace("clearly", "plainly"))
    refused = cli(here, "publish", SLUG, "--lang", "en")
    assert "the English version changed since it was published on" in refused.err
    withdrawn = cli(here, "withdraw", SLUG, "--reason", "Published in error.", "--now", "2026-12-10T23:30Z")
    assert withdrawn.out.strip() == f"withdrew {SLUG} on 2026-12-11: run 'pressgen build' to publish that"


# --- what a newcomer met -------------------------------------------------------------------------


def test_publishing_a_release_whose_picture_is_a_url_says_so(here: Path, cli: Cli) -> None:
    slug = "2024-06-01-pixel"
    add_release(here, slug, "A picture")
    path = here / "releases" / slug / "release.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n![A pixel](http://127.0.0.1:9/pixel.png)\n")
    line = path.read_text(encoding="utf-8").split("\n").index("![A pixel](http://127.0.0.1:9/pixel.png)") + 1
    result = cli(here, "publish", slug)
    assert result.code == 1
    assert result.err.splitlines() == [
        f"releases/{slug}/release.md:{line}: error: image 'http://127.0.0.1:9/pixel.png' is a URL; "
        "assets must be files beside release.md"
    ]
    assert not (here / "published" / slug).exists()


def test_the_embargoed_pack_is_never_committed(here: Path, cli: Cli) -> None:
    add_release(here, DUE, "Ministers meet in Bucharest", "embargo: 2024-06-11T09:00+02:00\n")
    ok(cli, here, "publish", DUE, "--now", "2024-06-08T12:00Z")
    for out in ("pack", "elsewhere/embargoed"):
        ok(cli, here, "build", "--embargoed", "--out", out, "--now", "2024-06-09T00:00Z")
    shutil.copyfile(REPO / ".gitignore", here / ".gitignore")
    subprocess.run(["git", "-C", str(here), "init", "-q"], check=True)
    subprocess.run(["git", "-C", str(here), "add", "-A"], check=True)
    listed = subprocess.run(["git", "-C", str(here), "ls-files"], capture_output=True, text=True, check=True).stdout
    assert "Bucharest" not in listed and not [n for n in listed.split("\n") if n.startswith(("pack/", "elsewhere/"))]
    assert f"releases/{DUE}/release.md" in listed.split("\n")  # the sources are committed as ever


def test_a_misspelt_slug_gets_a_hint_and_a_release_folder_is_a_slug(here: Path, cli: Cli) -> None:
    wrong = SLUG[:-2]
    for command, where in (
        ("publish", "releases/"),
        ("withdraw", "published/"),
    ):
        result = cli(here, command, wrong, *(["--reason", "x"] if command == "withdraw" else []))
        assert result.code == 2
        assert result.err.splitlines()[0].startswith(f"error: no release '{wrong}' in {where} (did you mean '{SLUG}'?)")
    for spelling in (f"releases/{SLUG}/", f"./releases/{SLUG}", f"releases/{SLUG}/release.md"):
        result = cli(here, "publish", spelling)
        assert result.code == 0, result.err
        assert f"unchanged {SLUG} [en]: already published as it is" in result.out
    add_release(here, "2024-06-01-draft", "A draft")
    never = cli(here, "withdraw", "releases/2024-06-01-draft/", "--reason", "x")
    assert (never.code, never.err.strip()) == (
        2,
        "error: '2024-06-01-draft' was never published: there is nothing to withdraw",
    )


def test_a_catalog_with_a_byte_order_mark_and_no_final_newline_is_accepted(here: Path, cli: Cli) -> None:
    path = here / NL
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().rstrip(b"\n"))
    result = cli(here, "check")
    assert result.code == 0, result.out
    published = cli(here, "publish", SLUG, "--lang", "nl")
    assert published.code == 0, published.err
    assert f"unchanged {SLUG} [nl]: already published as it is" in published.out
    release = here / "releases" / SLUG / "release.md"  # a change, so that update writes the catalog
    release.write_text(release.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    ok(cli, here, "update")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # written back as the editor saved it


def test_counts_are_worded_in_the_singular_for_one(tmp_path: Path, cli: Cli) -> None:
    project = tmp_path / "one"
    project.mkdir()
    (project / "pressgen.toml").write_text(
        '[site]\nbase_url = "https://news.example.org/"\nsource_language = "en"\ntimezone = "Europe/Amsterdam"\n\n'
        '[organisation]\nname.en = "A press office"\n\n'
        '[[languages]]\ncode = "en"\nlocale = "en_GB"\nname = "English"\n',
        encoding="utf-8",
    )
    shutil.copytree(REPO / "templates", project / "templates")
    (project / "releases").mkdir()
    add_release(project, "2024-06-01-alone", "A statement")
    ok(cli, project, "publish", "2024-06-01-alone", "--now", "2024-06-01T12:00Z")
    built = cli(project, "build")
    assert built.code == 0, built.err
    assert "1 language version of 1 release; " in built.out
    assert " and 1 PDF (1 rendered, 0 unchanged) " in built.out
