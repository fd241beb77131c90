"""The check findings of each catalog are kept by the digest of what the checks read (issue 25).

`status`, `check` and `publish` check a catalog again only when it, the names the release gives,
its other translations, a word list, a glossary, the configuration or the code changed; and what
they say is what a fresh check says.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SLUG, Cli
from helpers import set_translation
from pressgen import status

NL = Path("locales") / "nl" / "releases" / f"{SLUG}.po"


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record the path of every catalog the checks run on."""
    calls: list[Path] = []
    from pressgen.checks import check_catalog as real

    def counting(catalog: Any, path: Path, *args: Any) -> Any:
        calls.append(path)
        return real(catalog, path, *args)

    monkeypatch.setattr(status, "check_catalog", counting)
    return calls


def fresh(cli: Cli, project: Path, *args: str) -> str:
    """Return what a command prints with no memo of findings or verdicts: the verdict to compare with."""
    memos = [project / ".pressgen-cache" / name for name in ("findings.json", "verdicts.json")]
    kept = {memo: memo.read_bytes() for memo in memos if memo.exists()}
    for memo in memos:
        memo.unlink(missing_ok=True)
    result = cli(project, *args)
    for memo, data in kept.items():
        memo.write_bytes(data)
    return result.out + result.err


def test_a_second_status_checks_no_catalog_again(project: Path, cli: Cli, checked: list[Path]) -> None:
    first = cli(project, "status")
    assert len(checked) == 4  # the release's Dutch and Romanian catalogs, and the two interface catalogs
    checked.clear()
    second = cli(project, "status")
    assert checked == []
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert cli(project, "check").out == fresh(cli, project, "check")


EDITS: dict[str, Callable[[Path], object]] = {
    "a translation": lambda p: set_translation(p / NL, "A United Front Against Cyber Threats", "Eén front"),
    "a word list": lambda p: (p / "locales" / "nl" / "words.txt").write_text("", encoding="utf-8"),
    "a glossary": lambda p: (p / "locales" / "nl" / "glossary.tbx").write_text(
        (p / "locales" / "nl" / "glossary.tbx")
        .read_text(encoding="utf-8")
        .replace("<term>NAVO</term>", "<term>NAFO</term>"),
        encoding="utf-8",
    ),
    "the release's text": lambda p: _replace(p / "releases" / SLUG / "release.md", "is palpable.", "is plain."),
    "the release's author": lambda p: _replace(
        p / "releases" / SLUG / "release.md", "author: Roxana Stanica", "author: Roxana Stănică"
    ),
}
# What each edit checks again: the catalog and the release's other translation, whose witness it is;
# everything, for what every check reads; the release's translations for a name it gives (the checks
# keep names), none for its text (the catalogs hold what the checks read of it).
AGAIN = {"a translation": 2, "a word list": 4, "a glossary": 4, "the release's text": 0, "the release's author": 2}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_checks_again_what_it_can_change_and_says_what_a_fresh_check_says(
    edit: str, project: Path, cli: Cli, checked: list[Path]
) -> None:
    cli(project, "check")
    checked.clear()
    EDITS[edit](project)
    memo_said = cli(project, "check")
    assert len(checked) == AGAIN[edit]
    assert memo_said.out + memo_said.err == fresh(cli, project, "check")


def test_a_foreign_or_torn_memo_is_ignored(project: Path, cli: Cli, checked: list[Path]) -> None:
    expected = cli(project, "check").out
    memo = project / ".pressgen-cache" / "findings.json"
    for damage in (b"", b'{"code": "x", "entries": {}}', memo.read_bytes()[:-40]):
        memo.write_bytes(damage)
        (project / ".pressgen-cache" / "verdicts.json").unlink()  # which would not check again
        checked.clear()
        assert cli(project, "check").out == expected
        assert len(checked) == 4


def test_the_findings_of_an_unreadable_glossary_are_never_kept(project: Path, cli: Cli) -> None:
    glossary = project / "locales" / "nl" / "glossary.tbx"
    outside = project.parent / "glossary.tbx"
    shutil.move(glossary, outside)
    glossary.symlink_to(outside)
    refused = cli(project, "check")
    assert refused.code == 1 and "glossary is a symbolic link" in refused.err
    assert "glossary is a symbolic link" in cli(project, "check").err  # said again, not forgotten
