"""The command line: help, exit codes, status in table and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SLUG, Cli, publish_all


def test_help_lists_the_commands(project: Path, cli: Cli) -> None:
    result = cli(project, "--help")
    assert result.code == 0
    for command in ("build", "update", "status"):
        assert f"  {command}" in result.out


def test_wrong_usage_exits_2(project: Path, cli: Cli) -> None:
    result = cli(project, "build", "--no-such-option")
    assert result.code == 2
    assert "No such option" in result.err
    bad_now = cli(project, "build", "--now", "yesterday")
    assert bad_now.code == 2
    assert "'yesterday' is not an ISO 8601 date-time" in bad_now.err


def test_no_project_is_an_error(tmp_path: Path, cli: Cli) -> None:
    result = cli(tmp_path, "build")
    assert result.code == 1
    assert result.err.startswith("error: no pressgen.toml in ")


def test_status_json_has_counts_totals_and_reasons(project: Path, cli: Cli) -> None:
    catalog = project / "locales" / "ro" / "releases" / f"{SLUG}.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace('msgstr "Haga"', 'msgstr ""'), encoding="utf-8")
    result = cli(project, "status", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    ro = next(v for v in data["versions"] if v["lang"] == "ro")
    assert (ro["translated"], ro["fuzzy"], ro["missing"], ro["approved"]) == (14, 0, 1, False)
    assert ro["reasons"] == ["1 untranslated message"]
    assert ro["public"] is True and ro["published"] == "2024-05-17T00:00:00+02:00"  # its recorded text stays
    en = next(v for v in data["versions"] if v["lang"] == "en")
    assert en["source"] is True and en["approved"] is True and en["lags"] is False
    assert data["totals"]["nl"] == {"translated": 15, "fuzzy": 0, "missing": 0, "public": 1, "releases": 1}
    assert data["interface"]["ro"]["missing"] == 0


def test_embargoed_release_is_absent_until_its_time(project: Path, cli: Cli) -> None:
    folder = project / "releases" / "2024-06-10-embargo-test"
    folder.mkdir()
    (folder / "release.md").write_text(
        "---\ntitle: Embargoed statement\ndate: 2024-06-10\nembargo: 2024-06-10T09:00+02:00\n---\n\n"
        "The word zanzibarquux is secret until the embargo lifts.\n",
        encoding="utf-8",
    )
    publish_all(cli, project, now="2024-06-09T12:00:00+00:00")
    before = cli(project, "build", "--now", "2024-06-10T06:59Z")
    assert before.code == 0, before.err
    public = project / "public"
    assert not any("zanzibarquux" in p.read_text(errors="ignore") for p in public.rglob("*") if p.is_file())
    assert not any("embargo-test" in str(p) for p in public.rglob("*"))


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["build", "--only", "nope"], "error: no release 'nope' in published/"),
        (["translate", "--provider", "libre", "--url", "http://127.0.0.1:9", "--only", "nope"], None),
        (
            ["build", "--only", SLUG[:-1]],
            f"error: no release '{SLUG[:-1]}' in published/ (did you mean '{SLUG}'?)",
        ),
        (
            ["build", "--jobs", "0"],
            "error: Invalid value for '--jobs': 0 is not in the range x>=1. (see 'pressgen build --help')",
        ),
        (
            ["update", "--lang", "xx"],
            "error: Invalid value for --lang: 'xx' is not one of ['en', 'nl', 'ro'] (see 'pressgen update --help')",
        ),
        (["publishh"], "error: No such command 'publishh'. Did you mean 'publish'? (see 'pressgen --help')"),
    ],
    ids=["build --only", "translate --only", "a slug's hint", "an option's value", "a language", "a command"],
)
def test_every_usage_error_is_one_line_and_exit_code_2(
    project: Path, cli: Cli, args: list[str], line: str | None
) -> None:
    result = cli(project, *args)
    assert (result.code, result.err.splitlines()) == (2, [line or "error: no release 'nope' in releases/"])


def test_global_options_work_after_the_command_too(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.parent)  # no pressgen.toml here: only -C finds the project
    status = cli.bare("status", "-C", str(project))
    assert status.code == 0, status.err
    assert status.out.startswith("release ")
    (project / "pressgen.toml").write_text("[site\n", encoding="utf-8")
    quiet = cli.bare("status", "-C", str(project))
    assert quiet.err == "project/pressgen.toml:1: error: invalid TOML: Expected ']' at the end of a table declaration\n"
    for args in (["status", "--debug", "-C", str(project)], ["--debug", "-C", str(project), "status"]):
        loud = cli.bare(*args)
        assert loud.code == 1
        assert loud.err.startswith("Traceback (most recent call last):\n"), loud.err
        assert loud.err.endswith(quiet.err)


# What pressgen's console script does at its end, after output that no command flushed.
_UNFLUSHED = "import sys; from pressgen.cli import _flush_output; sys.stdout.write('x'); _flush_output(); sys.exit(0)"


def test_output_to_a_reader_that_went_away_ends_quietly() -> None:
    """`pressgen … | head -1`: what was not yet written goes nowhere, with no traceback and no failure."""
    reader, writer = os.pipe()
    os.close(reader)  # gone before anything is written
    try:
        buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
        command = [sys.executable, "-c", _UNFLUSHED]
        done = subprocess.run(command, stdout=writer, stderr=subprocess.PIPE, env=buffered, check=False)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr.decode()) == (0, "")
