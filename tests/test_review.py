"""`pressgen review`: side-by-side pages for translators, outside the public output."""

from __future__ import annotations

from pathlib import Path

from conftest import SLUG, Cli, tree_digest
from helpers import parse_links


def test_review_pages_mark_fuzzy_changes_findings_and_link_the_draft_pdf(project: Path, cli: Cli) -> None:
    assert cli(project, "build").code == 0
    public = tree_digest(project / "public")
    release = project / "releases" / SLUG / "release.md"
    release.write_text(
        release.read_text(encoding="utf-8").replace("is palpable.", "is clearly palpable."), encoding="utf-8"
    )
    assert cli(project, "update").code == 0
    ro = project / "locales" / "ro" / "releases" / f"{SLUG}.po"
    text = ro.read_text(encoding="utf-8").replace("Luminița", "Luminiţa")
    text = text.replace(
        "#. title\n", "# machine translation (libre), 2026-11-27: review, then remove the fuzzy flag\n#. title\n"
    )
    ro.write_text(text, encoding="utf-8")

    result = cli(project, "review")
    assert result.code == 0, result.err
    assert "wrote 2 review pages" in result.out
    page = project / "review" / "ro" / f"{SLUG}.html"
    html = page.read_text(encoding="utf-8")
    assert html.count('<tr class="fuzzy"') == 1
    assert "determination is<ins> clearly</ins> palpable" in html
    assert "cedilla: Romanian is written with comma-below letters" in html
    assert '<td class="source" lang="en">' in html and '<td class="target" lang="ro">' in html
    pdf = [a["href"] for a in parse_links(page).anchors if a["href"] and a["href"].endswith(".pdf")]
    assert pdf == [f"../drafts/ro/{SLUG}/{SLUG}-ro.pdf"]
    assert (page.parent / pdf[0]).resolve().is_file()
    assert tree_digest(project / "public") == public  # the review never touches the public output


def test_review_refuses_the_public_output(project: Path, cli: Cli) -> None:
    result = cli(project, "review", "--out", str(project / "public" / "review"))
    assert result.code == 2
    assert result.err.strip().endswith(f"the output folder must be apart from the public output ({project / 'public'})")
