"""Benchmark pressgen's build against raw WeasyPrint, in one run, on the same corpora.

    .venv/bin/python bench/run.py [--sizes 10,100,300] [--repeat 1] [--naive-sample 20] [--json FILE] [--keep]

For each size N: make a project of N releases in every language (bundled project grown, complete
catalogs) in a temporary folder; time a cold `pressgen build`, a no-op rebuild, raw WeasyPrint
rendering the same print documents in one process and split over the cores, the `weasyprint`
command once per document (on a sample, extrapolated), and two one-edit rebuilds; then print a
table (docs/performance.md says what each figure means). Timings are wall-clock seconds of
whole processes unless a row says otherwise. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import baselines
import corpus
import measure

import pressgen
from pressgen.build import BuildOptions, print_documents
from pressgen.config import load_config

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
COUNTS = re.compile(r"\((\d+) rendered, (\d+) unchanged\)")
OWN_SECONDS = re.compile(r"([\d.]+) s\)?\s*$")

# The issue's targets.
TARGET_COLD_VS_RAW = 1.25  # cold ÷ (raw ÷ cores) at most
TARGET_NAIVE_VS_COLD = 10.0  # naive ÷ cold at least
TARGET_NOOP_SECONDS = 1.0  # no-op rebuild under
TARGET_PEAK_MB = 300.0  # largest single process under


@dataclass(frozen=True)
class Build:
    """One `pressgen build` run."""

    seconds: float  # wall time of the whole command
    own_seconds: float | None  # what the build itself reports (after imports and configuration)
    rendered: int | None
    unchanged: int | None
    noop: bool
    left_out: int
    max_rss_mb: float
    peak_total_mb: float


def pressgen_build(root: Path, sample: bool = False) -> Build:
    ran = measure.run([measure.executable("pressgen"), "-C", str(root), "build"], sample=sample)
    counts = COUNTS.search(ran.stdout)
    own = OWN_SECONDS.search(ran.stdout.strip())
    return Build(
        seconds=ran.seconds,
        own_seconds=float(own.group(1)) if own else None,
        rendered=int(counts.group(1)) if counts else None,
        unchanged=int(counts.group(2)) if counts else None,
        noop="nothing changed" in ran.stdout,
        left_out=sum(1 for line in ran.stderr.splitlines() if line.startswith("left out: ")),
        max_rss_mb=ran.max_rss_mb,
        peak_total_mb=ran.peak_total_mb,
    )


def _check(value: float, target: float, at_most: bool) -> str:
    if at_most:
        if value <= target:
            return "met"
        return f"MISSED by {(value / target - 1) * 100:.0f} %"
    if value >= target:
        return "met"
    return f"MISSED by {(1 - value / target) * 100:.0f} %"


def bench_size(size: int, cores: int, naive_sample: int, repeat: int, keep: bool) -> dict[str, Any]:
    """Make a corpus of `size` releases and measure everything on it; return the figures."""
    tmp = Path(tempfile.mkdtemp(prefix=f"pressgen-bench-{size}-"))
    try:
        return _bench(tmp, size, cores, naive_sample, repeat)
    finally:
        if keep:
            _say(f"N={size}: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _median_run(runs: list[Build]) -> dict[str, Any]:
    """Return the run of median wall time, with every run's time and the largest memory of all."""
    ordered = sorted(runs, key=lambda b: b.seconds)
    chosen = ordered[(len(ordered) - 1) // 2]
    return {
        **asdict(chosen),
        "all_seconds": [b.seconds for b in runs],
        "max_rss_mb": max(b.max_rss_mb for b in runs),
        "peak_total_mb": max(b.peak_total_mb for b in runs),
    }


def _median_raw(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: float(r["render_seconds"]))
    return {**ordered[(len(ordered) - 1) // 2], "all_render_seconds": [r["render_seconds"] for r in runs]}


def _bench(tmp: Path, size: int, cores: int, naive_sample: int, repeat: int) -> dict[str, Any]:
    root = tmp / "project"
    _say(f"N={size}: making the corpus in {root}")
    started = time.perf_counter()
    project = corpus.make_corpus(PROJECT, root, size)
    setup_seconds = time.perf_counter() - started
    versions = size * len(project.config.languages)
    cache_dir, output_dir = root / ".pressgen-cache", project.config.output_dir
    if cache_dir.exists() or output_dir.exists():
        raise SystemExit("a cold build needs a project without .pressgen-cache/ and output")

    # The exact documents a build renders, for the baselines.
    options = BuildOptions()
    documents = print_documents(load_config(root), options)
    if len(documents) != versions:
        raise SystemExit(f"print_documents returned {len(documents)} documents, expected {versions}")
    stylesheet = project.config.templates_dir / "pdf.css"

    colds: list[Build] = []
    noops: list[Build] = []
    raws: list[dict[str, Any]] = []
    parallels: list[dict[str, Any]] = []
    mean_pdf_kb = 0.0
    for round_ in range(repeat):
        shutil.rmtree(cache_dir, ignore_errors=True)
        shutil.rmtree(output_dir, ignore_errors=True)
        shutil.rmtree(tmp / "raw", ignore_errors=True)
        which = f" (round {round_ + 1} of {repeat})" if repeat > 1 else ""
        _say(f"N={size}: cold build of {versions} documents, then a no-op rebuild{which}")
        colds.append(pressgen_build(root, sample=True))
        if colds[-1].rendered != versions:
            raise SystemExit(f"the cold build rendered {colds[-1].rendered} PDFs, expected {versions}")
        noops.append(pressgen_build(root))
        if not noops[-1].noop:
            raise SystemExit("the rebuild right after the cold build was not a no-op")
        mean_pdf_kb = baselines.mean_kb(output_dir)
        _say(f"N={size}: raw WeasyPrint, {versions} documents in 1 process, then in {cores} side by side{which}")
        raws.append(baselines.raw(tmp / "raw" / "one", documents, stylesheet, options.pdf_variant))
        parallels.append(
            baselines.raw_parallel(tmp / "raw" / "split", documents, stylesheet, options.pdf_variant, cores)
        )

    _say(f"N={size}: the weasyprint command, once per document, {min(naive_sample, versions)} of {versions}")
    naive = baselines.naive(tmp / "naive", documents, stylesheet, options.pdf_variant, naive_sample)

    one = project.slugs[1] if size > 1 else project.slugs[0]
    _say(f"N={size}: one-edit rebuild, English source of {one}")
    corpus.edit_source(project, one)
    edit_source = pressgen_build(root)
    other = project.slugs[2] if size > 2 else project.slugs[0]
    _say(f"N={size}: one-edit rebuild, one paragraph of {other} in every language")
    corpus.edit_everywhere(project, other)
    edit_all = pressgen_build(root)

    cold, raw, parallel = _median_run(colds), _median_raw(raws), _median_raw(parallels)
    # Ratios pair the runs of one round (made minutes apart at most), then take the median over rounds.
    rounds = [
        (c.seconds, float(r["render_seconds"]), float(p["render_seconds"]))
        for c, r, p in zip(colds, raws, parallels, strict=True)
    ]
    per_round = {
        "cold_vs_raw_per_core": [c / (r / cores) for c, r, _ in rounds],
        "machine_speedup": [r / p for _, r, p in rounds],
        "cold_vs_raw_parallel": [c / p for c, _, p in rounds],
    }
    return {
        "size": size,
        "documents": versions,
        "cores": cores,
        "repeat": repeat,
        "corpus_setup_seconds": setup_seconds,
        "cold": cold,
        "noop": _median_run(noops),
        "edit_source": {**asdict(edit_source), "release": one},
        "edit_all_languages": {**asdict(edit_all), "release": other},
        "raw": raw,
        "raw_parallel": parallel,
        "naive": naive,
        "mean_pdf_kb": mean_pdf_kb,
        "ratios": {
            **{name: statistics.median(values) for name, values in per_round.items()},
            "naive_vs_cold": naive["seconds"] / cold["seconds"],
        },
        "ratios_per_round": per_round,
    }


def _row(label: str, value: str, note: str = "") -> str:
    return f"  {label:<48} {value:>9}  {note}".rstrip()


def _spread(values: list[float]) -> str:
    return f"; median of {len(values)}, {min(values):.2f}–{max(values):.2f}" if len(values) > 1 else ""


def table(result: dict[str, Any]) -> str:
    """Return the figures of one size as a text table."""
    size, cores = result["size"], result["cores"]
    cold, noop, raw, parallel, naive = (result[k] for k in ("cold", "noop", "raw", "raw_parallel", "naive"))
    edit_source, edit_all = result["edit_source"], result["edit_all_languages"]
    ratios, per_round = result["ratios"], result["ratios_per_round"]

    def own(build: dict[str, Any]) -> str:
        return f"; the build's own figure {build['own_seconds']:.2f} s" if build["own_seconds"] is not None else ""

    naive_note = (
        f"SAMPLED: {naive['sampled']} of {naive['of']} documents ({naive['seconds_per_document']:.2f} s each, "
        f"{naive['sample_seconds']:.1f} s), EXTRAPOLATED linearly to {naive['of']}"
        if naive["extrapolated"]
        else f"all {naive['of']} documents ({naive['seconds_per_document']:.2f} s each)"
    )
    lines = [
        f"N = {size} releases × {result['documents'] // size} languages = {result['documents']} PDFs; "
        f"{cores} cores (pressgen --jobs default = {cores})",
        _row("measurement", "seconds", "notes"),
        _row("corpus setup (not a target)", f"{result['corpus_setup_seconds']:.1f}", "write, update, fill, status"),
        _row(
            "cold build",
            f"{cold['seconds']:.2f}",
            f"{cold['rendered']} rendered, {cold['unchanged']} unchanged{own(cold)}{_spread(cold['all_seconds'])}",
        ),
        _row(
            "no-op rebuild",
            f"{noop['seconds']:.2f}",
            f"target < {TARGET_NOOP_SECONDS:g} s: {_check(noop['seconds'], TARGET_NOOP_SECONDS, True)}{own(noop)}",
        ),
        _row(
            "one-edit rebuild, English source only",
            f"{edit_source['seconds']:.2f}",
            f"{edit_source['rendered']} PDF re-rendered, {edit_source['unchanged']} unchanged, "
            f"{edit_source['left_out']} versions left out (their translations now lag)",
        ),
        _row(
            "one-edit rebuild, one paragraph in 3 languages",
            f"{edit_all['seconds']:.2f}",
            f"{edit_all['rendered']} PDFs re-rendered, {edit_all['unchanged']} unchanged",
        ),
        _row(
            "raw WeasyPrint, 1 process, render loop",
            f"{raw['render_seconds']:.2f}",
            f"{raw['documents']} documents, {raw['render_seconds'] / raw['documents']:.3f} s each; import "
            f"{raw['import_seconds']:.2f} s, setup {raw['setup_seconds']:.2f} s not counted"
            f"{_spread(raw['all_render_seconds'])}",
        ),
        _row(
            f"raw WeasyPrint, {parallel['processes']} processes side by side",
            f"{parallel['render_seconds']:.2f}",
            f"the slowest process's render loop, {raw['documents']} documents split round-robin"
            f"{_spread(parallel['all_render_seconds'])}",
        ),
        _row("naive: weasyprint command per document", f"{naive['seconds']:.1f}", naive_note),
        _row("ratio", "value", "notes"),
        _row(
            f"cold ÷ (raw ÷ {cores} cores)",
            f"{ratios['cold_vs_raw_per_core']:.2f}",
            f"target ≤ {TARGET_COLD_VS_RAW:g}: {_check(ratios['cold_vs_raw_per_core'], TARGET_COLD_VS_RAW, True)}"
            f"{_spread(per_round['cold_vs_raw_per_core'])}",
        ),
        _row(
            f"machine speed-up, raw ÷ raw on {cores} processes",
            f"{ratios['machine_speedup']:.2f}",
            f"what {cores} cores give WeasyPrint here (ideal: {cores}){_spread(per_round['machine_speedup'])}",
        ),
        _row(
            f"cold ÷ raw on {cores} processes",
            f"{ratios['cold_vs_raw_parallel']:.2f}",
            "pressgen's cost over WeasyPrint alone, on the parallelism this machine really has"
            f"{_spread(per_round['cold_vs_raw_parallel'])}",
        ),
        _row(
            "naive ÷ cold",
            f"{ratios['naive_vs_cold']:.1f}",
            f"target ≥ {TARGET_NAIVE_VS_COLD:g}: {_check(ratios['naive_vs_cold'], TARGET_NAIVE_VS_COLD, False)}"
            + ("; naive extrapolated" if naive["extrapolated"] else ""),
        ),
        _row(
            "peak MB per process (cold build)",
            f"{cold['max_rss_mb']:.0f}",
            f"target < {TARGET_PEAK_MB:g}: {_check(cold['max_rss_mb'], TARGET_PEAK_MB, True)}; "
            "largest single process, main or worker (wait4 rusage)",
        ),
        _row(
            "peak MB, whole build (main + workers)",
            f"{cold['peak_total_mb']:.0f}",
            f"sum over the process tree, sampled every {measure.SAMPLE_SECONDS:g} s",
        ),
        _row("peak MB, raw WeasyPrint process", f"{raw['max_rss_mb']:.0f}"),
        _row("mean PDF size, KB", f"{result['mean_pdf_kb']:.1f}", f"raw WeasyPrint's: {raw['mean_pdf_kb']:.1f} KB"),
    ]
    if "linearity" in result:
        smallest = result["linearity_base"]
        lines.append(
            _row(
                f"linearity cold(N) ÷ cold({smallest}) ÷ (N ÷ {smallest})",
                f"{result['linearity']:.2f}",
                "1 = linear; below 1: fixed costs spread over more documents",
            )
        )
    return "\n".join(lines)


def summary(results: list[dict[str, Any]]) -> str:
    header = f"  {'N':>5} {'PDFs':>5} {'cold s':>8} {'no-op s':>8} {'edit s':>7} {'raw s':>8} {'raw∥ s':>8} "
    header += f"{'naive s':>9} {'cold/(raw/c)':>12} {'cold/raw∥':>9} {'naive/cold':>10} {'peak MB':>8} {'PDF KB':>7}"
    header += f" {'linear':>7}"
    lines = ["summary (raw∥: raw WeasyPrint split over the cores)", header]
    for r in results:
        lines.append(
            f"  {r['size']:>5} {r['documents']:>5} {r['cold']['seconds']:>8.2f} {r['noop']['seconds']:>8.2f} "
            f"{r['edit_source']['seconds']:>7.2f} {r['raw']['render_seconds']:>8.2f} "
            f"{r['raw_parallel']['render_seconds']:>8.2f} "
            f"{r['naive']['seconds']:>8.1f}{'*' if r['naive']['extrapolated'] else ' '} "
            f"{r['ratios']['cold_vs_raw_per_core']:>12.2f} {r['ratios']['cold_vs_raw_parallel']:>9.2f} "
            f"{r['ratios']['naive_vs_cold']:>10.1f} {r['cold']['max_rss_mb']:>8.0f} {r['mean_pdf_kb']:>7.1f} "
            f"{r.get('linearity', 1.0):>7.2f}"
        )
    if any(r["naive"]["extrapolated"] for r in results):
        lines.append("  * sampled and extrapolated linearly (see each table)")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    import weasyprint

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "system": platform.platform(),
        "python": platform.python_version(),
        "pressgen": pressgen.__version__,
        "weasyprint": weasyprint.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers") from None
    if not sizes or any(size < 1 or size > 999 for size in sizes):
        raise argparse.ArgumentTypeError("sizes are numbers of releases from 1 to 999")
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[10, 100, 300], help="releases per corpus (10,100,300)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument("--naive-sample", type=int, default=20, metavar="K", help="documents for the naive run (20)")
    parser.add_argument("--repeat", type=int, default=1, metavar="R", help="cold build and raw runs per size (1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpora (their paths are printed)")
    args = parser.parse_args(argv)
    if args.naive_sample < 1 or args.repeat < 1:
        parser.error("--naive-sample and --repeat must be at least 1")

    cores = os.cpu_count() or 1
    info = machine()
    print(
        f"pressgen {info['pressgen']}, WeasyPrint {info['weasyprint']}, Python {info['python']}; "
        f"{cores} cores ({info['cpu'] or 'unknown CPU'}); {info['system']}",
        flush=True,
    )
    results: list[dict[str, Any]] = []
    for size in args.sizes:
        result = bench_size(size, cores, args.naive_sample, args.repeat, args.keep)
        base = results[0] if results else result
        result["linearity_base"] = base["size"]
        result["linearity"] = result["cold"]["seconds"] / base["cold"]["seconds"] / (size / base["size"])
        results.append(result)
        print(f"\n{table(result)}", flush=True)
    print(f"\n{summary(results)}", flush=True)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "command": sys.argv, "results": results}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        print(f"figures written to {args.json}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
