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


def raw(work: Path, documents: Documents, stylesheet: Path, variant: str | None) -> dict[str, Any]:
    """Render every document one after another in one fresh Python process; time the loop."""
    out = work / "pdf"
    jobs = _jobs_file(work / "jobs.json", documents, stylesheet, variant, out)
    ran = measure.run([sys.executable, str(RAW_RENDER), str(jobs)], sample=False)
    figures: dict[str, Any] = json.loads(ran.stdout)
    figures.update(process_seconds=ran.seconds, max_rss_mb=ran.max_rss_mb, mean_pdf_kb=mean_kb(out))
    return figures


def raw_parallel(
    work: Path, documents: Documents, stylesheet: Path, variant: str | None, processes: int
) -> dict[str, Any]:
    """Render the documents split round-robin over `processes` raw processes started together.

    The figure is the slowest process's rendering loop: what perfect parallel use of this
    machine would take, with no work besides WeasyPrint's.
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
    return {"processes": processes, "render_seconds": max(loops), "wall_seconds": time.perf_counter() - started}


def naive(work: Path, documents: Documents, stylesheet: Path, variant: str | None, sample: int) -> dict[str, Any]:
    """Run the `weasyprint` command once per document, one after another, on an even sample; extrapolate."""
    count = min(len(documents), sample)
    picked = [documents[i * len(documents) // count] for i in range(count)]
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
        "of": len(documents),
        "extrapolated": count < len(documents),
        "sample_seconds": seconds,
        "seconds_per_document": seconds / count,
        "seconds": seconds / count * len(documents),
        "mean_pdf_kb": mean_kb(work),
    }
