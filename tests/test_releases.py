"""Releases: front matter is validated, and every bad input is one clear error that changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import DATA, SLUG, Cli, tree_digest
from pressgen.config import load_config
from pressgen.releases import read_release

BAD = sorted((DATA / "bad-releases").iterdir())


def test_bundled_release_has_the_seed_fields(project: Path) -> None:
    release = read_release(project / "releases" / SLUG / "release.md", load_config(project))
    assert release.title == "Continuing NATO Cooperation and Strengthening Cyber Defences"
    assert release.date.isoformat() == "2024-05-17"
    assert release.location == "The Hague"
    assert release.author == "Roxana Stanica"
    assert release.image is None  # the seed's photo is not available: no invented picture
    assert "## A United Front Against Cyber Threats" in release.body
    assert "## A Commitment to Collective Security" in release.body


@pytest.mark.parametrize("case", BAD, ids=[case.name for case in BAD])
def test_bad_release_is_one_clear_error_and_output_is_untouched(
    case: Path, project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    assert cli(project, "build").code == 0
    before = tree_digest(project / "public")

    folder = project / "releases" / "2024-06-01-bad-input"
    folder.mkdir()
    shutil.copyfile(case / "release.md", folder / "release.md")
    expected = (case / "expected").read_text(encoding="utf-8").strip()
    result = cli(project, "build", "--drafts")  # the preview renders the sources: it stops at the error

    assert result.code == 1
    assert result.err.splitlines() == [expected]
    assert "Traceback" not in result.err + result.out
    public = cli(project, "build")  # the public build renders the record alone: a warning
    assert public.code == 0
    assert public.err.splitlines() == [expected.replace(": error: ", ": warning: ", 1)]
    assert tree_digest(project / "public") == before


def test_all_errors_of_a_release_are_reported_together(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    folder = project / "releases" / "2024-06-01-bad-input"
    folder.mkdir()
    (folder / "release.md").write_text("---\ndate: 2024-13-01\ncolour: blue\n---\n\nBody.\n", encoding="utf-8")
    result = cli(project, "build", "--drafts")
    assert result.code == 1
    path = "releases/2024-06-01-bad-input/release.md"
    assert result.err.splitlines() == [
        f"{path}:3: error: unknown front matter key 'colour'",
        f"{path}:2: error: missing required front matter key 'title'",
        f"{path}:2: error: impossible date '2024-13-01': month must be in 1..12",
    ]


def test_debug_shows_the_traceback(project: Path, cli: Cli) -> None:
    folder = project / "releases" / "2024-06-01-bad-input"
    folder.mkdir()
    (folder / "release.md").write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    result = cli(project, "--debug", "build", "--drafts")
    assert result.code == 1
    assert "Traceback" in result.err
