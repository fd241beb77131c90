"""`status` and `check` read again only the releases whose inputs changed (issue 25), and say what a
fresh command says: after an edit, as time passes an embargo or a publication, with a damaged
memo, a release removed or one that cannot be read."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import JOURNALIST_SLUG, SLUG, Cli, add_journalist_release
from pressgen import releases, verdicts

MEMO = Path(".pressgen-cache") / "verdicts.json"


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the slug of every release `status` and `check` read."""
    calls: list[str] = []
    real = releases.read_releases

    def counting(config: Any, *args: Any, **kwargs: Any) -> Any:
        found = real(config, *args, **kwargs)
        calls.extend(release.slug for release in found)
        return found

    monkeypatch.setattr(verdicts, "read_releases", counting)
    return calls


def said(cli: Cli, project: Path, *args: str) -> tuple[int, str, str]:
    result = cli(project, *args)
    return result.code, result.out, result.err


def fresh(cli: Cli, project: Path, *args: str) -> tuple[int, str, str]:
    """Return what a command says with no memo of verdicts (and check findings): what it must say."""
    cache = project / ".pressgen-cache"
    kept = cache.with_name("kept-cache")
    shutil.copytree(cache, kept)
    for name in ("verdicts.json", "findings.json"):
        (cache / name).unlink(missing_ok=True)
    result = said(cli, project, *args)
    shutil.rmtree(cache)
    kept.rename(cache)
    return result


@pytest.fixture
def two(project: Path) -> Path:
    """The bundled project with a second release, the journalist fixture's, unpublished."""
    return add_journalist_release(project)


def test_nothing_changed_reads_no_release_and_says_the_same(two: Path, cli: Cli, read: list[str]) -> None:
    first = said(cli, two, "status", "--format", "json")
    assert sorted(read) == [JOURNALIST_SLUG, SLUG]
    read.clear()
    assert said(cli, two, "status", "--format", "json") == first
    checked = said(cli, two, "check")
    assert read == []
    assert checked == fresh(cli, two, "check")


def test_an_edit_reads_that_release_again(two: Path, cli: Cli, read: list[str]) -> None:
    cli(two, "status")
    read.clear()
    release = two / "releases" / JOURNALIST_SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    kept = said(cli, two, "status", "--format", "json")
    assert read == [JOURNALIST_SLUG]
    assert kept == fresh(cli, two, "status", "--format", "json")
    release.write_text(release.read_text(encoding="utf-8") + "\nAnother paragraph.\n", encoding="utf-8")
    read.clear()
    kept = said(cli, two, "check")
    assert read == [JOURNALIST_SLUG]
    assert kept == fresh(cli, two, "check")


def test_a_publication_or_an_embargo_that_comes_to_pass_is_decided_again(two: Path, cli: Cli) -> None:
    release = two / "releases" / JOURNALIST_SLUG / "release.md"
    text = release.read_text(encoding="utf-8")
    release.write_text(text.replace("\ntitle:", "\nembargo: 2024-05-20T09:00:00+02:00\ntitle:", 1), encoding="utf-8")
    before = said(cli, two, "status", "--format", "json", "--now", "2024-05-21T00:00:00+00:00")
    assert cli(two, "publish", JOURNALIST_SLUG, "--now", "2024-05-16T12:00:00+00:00").code == 0
    moments = ["2024-05-16T11:00:00+00:00", "2024-05-17T00:00:00+00:00", "2024-05-21T00:00:00+00:00"]
    shown = []
    for now in moments[::-1] + moments:  # the first as the status before publishing
        result = said(cli, two, "status", "--format", "json", "--now", now)
        assert result == fresh(cli, two, "status", "--format", "json", "--now", now)
        shown.append(result)
    assert len(set(shown)) == 3  # not published yet, under embargo, public
    assert before not in shown  # ready to publish, before it was


def test_a_damaged_memo_is_ignored(two: Path, cli: Cli, read: list[str]) -> None:
    expected = said(cli, two, "status")
    memo = two / MEMO
    for damage in (b"", b'{"code": "x", "releases": {}}', memo.read_bytes()[:-40]):
        memo.write_bytes(damage)
        read.clear()
        assert said(cli, two, "status") == expected
        assert sorted(read) == [JOURNALIST_SLUG, SLUG]


def test_a_release_removed_or_broken_is_never_taken_from_the_memo(two: Path, cli: Cli) -> None:
    cli(two, "status")
    shutil.rmtree(two / "releases" / SLUG)  # published: its rows now come from the record
    assert said(cli, two, "status", "--format", "json") == fresh(cli, two, "status", "--format", "json")
    release = two / "releases" / JOURNALIST_SLUG / "release.md"
    release.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    for _ in range(2):
        code, _out, err = said(cli, two, "status")
        assert code == 1
        assert f"releases/{JOURNALIST_SLUG}/release.md" in err


def test_publishing_several_releases_keeps_their_verdicts(two: Path, cli: Cli, read: list[str]) -> None:
    published = cli(two, "publish", SLUG, JOURNALIST_SLUG, "--now", "2024-06-30T12:00:00+00:00")
    assert published.code == 0, published.err
    read.clear()
    kept = said(cli, two, "status", "--format", "json")
    assert read == []
    assert kept == fresh(cli, two, "status", "--format", "json")
    assert '"state": "ready to publish"' not in kept[1]
