"""The command line: help, exit codes, status in table and JSON."""

from __future__ import annotations

import json
from pathlib import Path

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

    after = cli(project, "build", "--now", "2024-06-10T07:00Z")
    assert after.code == 0
    assert "Embargoed statement" in (public / "en" / "index.html").read_text(encoding="utf-8")
    assert "embargo-test" in (public / "sitemap.xml").read_text(encoding="utf-8")
