"""The baselines pressgen is measured against: raw WeasyPrint in one process, the same split over the
machine's cores, and the `weasyprint` command once per document.

Each takes the exact print documents a build renders (`pressgen.build.print_documents`) and uses
the options of pressgen's `PdfWriter.write`: the PDF stylesheet, the PDF variant, tagged PDF and
custom metadata.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import measure

RAW_RENDER = Path(__file__).resolve().parent / "raw_render.py"

Documents = list[tuple[str, str, Path]]  # (PDF name, print HTML, release folder)


def _jobs_file(path: Path, documents: Documents, stylesheet: Path, variant: str | None, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    jobs = {
        "stylesheet": str(stylesheet),
        "variant": variant,
        "documents": [
            {"html": html, "base_url": str(folder) + "/", "target": str(out / name)} for name, html, folder in documents
        ],
    }
    path.write_text(json.dumps(jobs), encoding="utf-8")
    return path


def mean_kb(folder: Path) -> float:
    sizes = [p.stat().st_size for p in folder.rglob("*.pdf")]
    return sum(sizes) / len(sizes) / 1024 if sizes else 0.0


def even_sample(count: int, sample: int) -> list[int]:
    """Return the indexes of an even sample of `sample` of `count` items (all of them if there are no more)."""
    taken = min(count, sample)
    return [i * count // taken for i in range(taken)] if taken else []


def _extrapolated(figures: dict[str, Any], documents: int, of: int) -> dict[str, Any]:
    """Scale a render loop over a sample of `documents` to all `of` documents (linearly), saying so."""
    sampled_seconds = float(figures["render_seconds"])
    return {
        **figures,
        "sampled": documents,
        "of": of,
        "extrapolated": documents < of,
        "sample_render_seconds": sampled_seconds,
        "render_seconds": sampled_seconds / documents * of if documents else 0.0,
    }


def raw(work: Path, documents: Documents, stylesheet: Path, variant: str | None, of: int) -> dict[str, Any]:
    """Render every document one after another in one fresh Python process; time the loop.

    `documents` may be an even sample of the `of` documents of the build: the loop's time is then
    extrapolated to all of them.
    """
    out = work / "pdf"
    jobs = _jobs_file(work / "jobs.json", documents, stylesheet, variant, out)
    ran = measure.run([sys.executable, str(RAW_RENDER), str(jobs)], sample=False)
    figures: dict[str, Any] = json.loads(ran.stdout)
    figures.update(process_seconds=ran.seconds, max_rss_mb=ran.max_rss_mb, mean_pdf_kb=mean_kb(out))
    return _extrapolated(figures, len(documents), of)


def raw_parallel(
    work: Path, documents: Documents, stylesheet: Path, variant: str | None, processes: int, of: int
) -> dict[str, Any]:
    """Render the documents split round-robin over `processes` raw processes started together.

    The figure is the slowest process's rendering loop: what perfect parallel use of this
    machine would take, with no work besides WeasyPrint's (extrapolated to `of` documents, as `raw`).
    """
    files = [
        _jobs_file(work / f"jobs-{i}.json", documents[i::processes], stylesheet, variant, work / "pdf")
        for i in range(processes)
    ]
    started = time.perf_counter()
    running = [
        subprocess.Popen([sys.executable, str(RAW_RENDER), str(f)], stdout=subprocess.PIPE, text=True) for f in files
    ]
    loops = []
    for process in running:
        out, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"{RAW_RENDER.name} failed ({process.returncode})")
        loops.append(json.loads(out)["render_seconds"])
    figures = {"processes": processes, "render_seconds": max(loops), "wall_seconds": time.perf_counter() - started}
    return _extrapolated(figures, len(documents), of)


def naive(
    work: Path, documents: Documents, stylesheet: Path, variant: str | None, sample: int, of: int
) -> dict[str, Any]:
    """Run the `weasyprint` command once per document, one after another, on an even sample of the
    `documents` (themselves all or an even sample of the build's `of`); extrapolate to all `of`."""
    picked = [documents[i] for i in even_sample(len(documents), sample)]
    count = len(picked)
    work.mkdir(parents=True, exist_ok=True)
    seconds = 0.0
    for name, html, folder in picked:
        source = work / f"{name}.html"
        source.write_text(html, encoding="utf-8")
        command = [measure.executable("weasyprint"), "-s", str(stylesheet)]
        if variant:
            command += ["--pdf-variant", variant]
        command += ["--pdf-tags", "--custom-metadata", "-u", str(folder) + "/", str(source), str(work / name)]
        seconds += measure.run(command, sample=False).seconds
    return {
        "sampled": count,
        "of": of,
        "extrapolated": count < of,
        "sample_seconds": seconds,
        "seconds_per_document": seconds / count,
        "seconds": seconds / count * of,
        "mean_pdf_kb": mean_kb(work),
    }
