"""Quotable PDFs: what text extraction returns, and what the layout costs, for layout variants.

    .venv/bin/python bench/pdf_text.py [--variant NAME ...] [--keep]

Builds the bundled project plus the test fixture `tests/data/journalist-release` (a release with a
table, a list, quotes, a link and long compound words, in English, Dutch and Romanian) once per
layout variant: each variant is CSS appended to `templates/pdf.css`. For every PDF it prints

- how many of the release's sentences pdftotext, pypdf and pdfminer.six return whole
  (whitespace-normalised; the sentences come from the print HTML that WeasyPrint renders);
- pages, body text lines, lines that end in a hyphen, and the raggedness: the mean gap between
  the end of a line and the right edge of the text column (lines that end a paragraph excluded).

docs/pdf.md records the figures and the decision taken from them. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
from pdfminer.high_level import extract_text as pdfminer_text
from pypdf import PdfReader

import corpus
from pressgen.build import build, print_documents
from pressgen.config import load_config
from pressgen.options import BuildOptions

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MM = 72 / 25.4

# The layout before (justified, hyphenated), and the ways tried to keep hyphenation quotable.
# "shipped" is templates/pdf.css as it is.
VARIANTS = {
    "justified, hyphenated (U+2010, before)": (
        "p, li { hyphens: auto; text-align: justify; hyphenate-character: '\\2010'; break-inside: auto; }"
        " .nobr { white-space: normal; }"
    ),
    "justified, hyphenated, hyphen-minus": (
        "p, li { hyphens: auto; text-align: justify; hyphenate-character: '-'; break-inside: auto; }"
        " .nobr { white-space: normal; }"
    ),
    "justified, hyphenated, soft hyphen U+00AD": (
        "p, li { hyphens: auto; text-align: justify; hyphenate-character: '\\AD'; break-inside: auto; }"
        " .nobr { white-space: normal; }"
    ),
    "justified, not hyphenated": (
        "p, li { hyphens: manual; text-align: justify; break-inside: auto; } .nobr { white-space: normal; }"
    ),
    "ragged right, not hyphenated": (
        "p, li { hyphens: manual; text-align: left; break-inside: auto; } .nobr { white-space: normal; }"
    ),
    "shipped": "",
}


class _Blocks(HTMLParser):
    """The text of every block a reader quotes from: headings, paragraphs, list items, cells.

    Labels that the layout sets in capitals or between dashes ("PRESS RELEASE", "— Ends —") are
    not text of the release, and are left out.
    """

    BLOCKS = ("h1", "h2", "h3", "p", "li", "td", "th")
    LABELS = ("kind", "endmark")

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.depth = 0
        self.current: list[str] = []
        self.skip = 0
        self.label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title", "head"):
            self.skip += 1
        if tag in self.BLOCKS and dict(attrs).get("class") in self.LABELS:
            self.skip += 1
            self.label = tag
        if tag in self.BLOCKS:
            if self.depth:
                self.current.append(" ")
            self.depth += 1
        if tag == "br":
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "head") or (tag == self.label and self.skip):
            self.skip -= 1
            self.label = ""
        if tag in self.BLOCKS and self.depth:
            self.depth -= 1
            if not self.depth:
                text = " ".join("".join(self.current).split())
                if text:
                    self.blocks.append(text)
                self.current = []

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.current.append(data)


def sentences(html: str) -> list[str]:
    """Return the sentences of a print document's text blocks, whitespace-normalised."""
    parser = _Blocks()
    parser.feed(html)
    found: list[str] = []
    for block in parser.blocks:
        found += [s for s in re.split(r"(?<=[.!?”])\s+(?=[„“\"A-ZĂÂÎȘȚ])", block) if s]
    return found


def extractions(pdf: Path) -> dict[str, str]:
    """Return the text of `pdf` as pdftotext, pypdf and pdfminer.six read it, whitespace-normalised."""
    poppler = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    texts = {
        "pdftotext": poppler.stdout,
        "pypdf": "\n".join(page.extract_text() for page in PdfReader(pdf).pages),
        "pdfminer": pdfminer_text(str(pdf)),
    }
    return {name: " ".join(text.split()) for name, text in texts.items()}


def typography(pdf: Path, right_margin_mm: float = 22) -> dict[str, float]:
    """Return pages, body lines, hyphenated line ends and the mean right gap (mm) of a PDF."""
    lines = hyphenated = 0
    gaps: list[float] = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            right = page.width - right_margin_mm * MM
            rows: dict[float, list[dict[str, float | str]]] = {}
            for char in page.chars:
                if abs(float(char["size"]) - 10.5) < 0.2 and not str(char["fontname"]).endswith("Italic"):
                    rows.setdefault(round(float(char["top"]), 0), []).append(char)
            tops = sorted(rows)
            for index, top in enumerate(tops):
                row = sorted(rows[top], key=lambda c: float(c["x0"]))
                lines += 1
                if str(row[-1]["text"]) in "\u2010-\u00ad":
                    hyphenated += 1
                following = tops[index + 1] if index + 1 < len(tops) else None
                if following is not None and following - top < 10.5 * 1.45 + 1:  # not the end of a paragraph
                    gaps.append((right - float(row[-1]["x1"])) / MM)
        pages = len(document.pages)
    return {
        "pages": pages,
        "lines": lines,
        "hyphenated": hyphenated,
        "gap": statistics.mean(gaps) if gaps else 0.0,
        "gap_max": max(gaps) if gaps else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS), help="only these variants")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pressgen-pdf-text-"))
    try:
        project = corpus.fixture_project(REPO, folder / "project")
        stylesheet = project / "templates" / "pdf.css"
        shipped = stylesheet.read_text(encoding="utf-8")
        for name in args.variant or list(VARIANTS):
            stylesheet.write_text(shipped + "\n" + VARIANTS[name] + "\n", encoding="utf-8")
            config = load_config(project)
            out = folder / re.sub(r"\W+", "-", name)
            build(config, BuildOptions(out=out, jobs=2))
            print(f"\n## {name}\n")
            print("| PDF | sentences | pdftotext | pypdf | pdfminer | pages | lines | hyphenated | gap mm | max |")
            print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
            for pdf_name, html, _ in print_documents(config, BuildOptions(out=out)):
                pdf = next(out.rglob(pdf_name))
                wanted = sentences(html)
                texts = extractions(pdf)
                whole = {tool: sum(1 for s in wanted if s in text) for tool, text in texts.items()}
                shape = typography(pdf)
                print(
                    f"| {pdf_name} | {len(wanted)} | {whole['pdftotext']} | {whole['pypdf']} | {whole['pdfminer']}"
                    f" | {shape['pages']} | {shape['lines']} | {shape['hyphenated']} | {shape['gap']:.1f}"
                    f" | {shape['gap_max']:.1f} |"
                )
                for tool, text in texts.items():
                    for sentence in wanted:
                        if sentence not in text:
                            print(f"    {tool} breaks: {sentence[:90]}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
