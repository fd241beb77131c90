"""Review pages: source and translation side by side, for translators; never part of `public/`."""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from pressgen import urls
from pressgen.build import build
from pressgen.catalogs import MEMORY_COMMENT, MT_COMMENT, release_catalog_path, release_template
from pressgen.config import Config
from pressgen.errors import Diagnostic
from pressgen.files import real_dir
from pressgen.options import BuildOptions
from pressgen.output import check_output_dir, project_lock, staging
from pressgen.po import PoCatalog
from pressgen.releases import read_releases
from pressgen.status import Version, assess

MessageState = Literal["translated", "fuzzy", "missing"]


@dataclass(frozen=True)
class Row:
    """One message in the review table."""

    line: int | None
    comment: str
    source: str
    target: str | None
    state: MessageState
    machine: str | None
    previous_diff: Markup | None
    findings: list[Diagnostic]


def word_diff(old: str, new: str) -> Markup:
    """Show how `old` became `new`, word by word, with <del> and <ins>."""
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))


def _rows(version: Version) -> list[Row]:
    template = release_template(version.release)
    by_line: dict[int | None, list[Diagnostic]] = {}
    for finding in version.findings:
        by_line.setdefault(finding.line, []).append(finding)
    rows = []
    for message in template:
        if not message.id:
            continue
        found = version.catalog.get(message.id) if version.catalog is not None else None
        target = str(found.string) if found is not None and found.string else None
        state: MessageState = (
            "missing" if target is None else ("fuzzy" if found is not None and found.fuzzy else "translated")
        )
        machine = None
        previous = None
        findings: list[Diagnostic] = []
        if found is not None:
            marks = [c for c in found.user_comments if c.startswith((MT_COMMENT, MEMORY_COMMENT))]
            machine = marks[0].split(":")[0] if marks else None
            if found.fuzzy and found.previous_id:
                previous = word_diff(found.previous_id[0], str(message.id))
            # Findings point at the msgstr's line (see `checks.check_catalog`).
            line_of = version.catalog.string_line if isinstance(version.catalog, PoCatalog) else None
            findings = by_line.get(line_of(found) if line_of else found.lineno, [])
        line = message.locations[0][1] if message.locations else None
        comment = message.auto_comments[0] if message.auto_comments else ""
        rows.append(Row(line, comment, str(message.id), target, state, machine, previous, findings))
    return rows


def write_reviews(config: Config, out_dir: Path, now: dt.datetime | None = None) -> list[Path]:
    """Write one review page per release and translated language, with the draft PDFs, into `out_dir`."""
    out_dir = check_output_dir(config.root, out_dir, f"--out {out_dir}", {"the public output": config.output_dir})
    moment = now or dt.datetime.now(dt.UTC)
    releases = read_releases(config)
    assessment = assess(config, releases, moment)
    env = Environment(loader=PackageLoader("pressgen", "ui"), autoescape=True, undefined=StrictUndefined)
    written: list[Path] = []
    with project_lock(real_dir(config.cache_dir, config.root)), staging(out_dir) as stage:
        # The draft PDFs: a preview of every version, embargoed ones included.
        build(config, BuildOptions(out=stage / "drafts", now=moment, preview=True, recorded_as=out_dir / "drafts"))
        index: list[dict[str, Any]] = []
        for version in assessment.versions:
            if version.is_source:
                continue
            slug, lang = version.release.slug, version.lang
            pdf = urls.release_pdf(lang, slug).within("drafts/")
            here = urls.review_page(lang, slug)
            page = here.file(stage)
            page.parent.mkdir(parents=True, exist_ok=True)
            context = {
                "title": version.release.title,
                "source": config.language(version.release.lang),
                "target": version.language,
                "counts": version.counts,
                "approved": version.approved,
                "reasons": version.reasons,
                "pdf": pdf.relative_to(here) if pdf.file(stage).exists() else None,
                "catalog_path": release_catalog_path(config, lang, slug).relative_to(config.root),
                "rows": _rows(version),
            }
            page.write_text(env.get_template("review.html").render(context), encoding="utf-8")
            written.append(here.file(out_dir))
            index.append(
                {
                    "href": here.relative_to(urls.ROOT),
                    "slug": slug,
                    "lang": lang,
                    "counts": version.counts,
                    "findings": len(version.findings),
                    "approved": version.approved,
                }
            )
        (stage / "index.html").write_text(env.get_template("review-index.html").render(pages=index), encoding="utf-8")
    return written
