"""Benchmark pressgen's build against raw WeasyPrint, in one run, on the same corpora.

    .venv/bin/python bench/run.py [--sizes 20,300,1000] [--repeat 1] [--naive-sample 20] [--raw-sample 3000]
                                  [--serve-rounds 5] [--edits 3] [--corpus DIR] [--json FILE] [--keep]

For each size N: make a project of N releases in every language (bundled project grown, complete
catalogs, all published) in a temporary folder (or copy the one kept in `--corpus DIR`); time a
cold `pressgen build`, three no-op rebuilds, raw WeasyPrint rendering the same print documents in
one process and split over the cores (past `--raw-sample` documents, an even sample of them,
extrapolated), the `weasyprint` command once per document (on a sample, extrapolated), two kinds of one-word fix as a
press office publishes them (each made to three releases in turn), each followed by a rebuild,
and `pressgen serve`'s save-to-reloaded-page loop; then print a table (docs/performance.md says
what each figure means), the issue's targets met or missed, and how each figure grows with N.
Timings are wall-clock seconds of whole processes unless a row says otherwise. Nothing here asserts a timing.
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
import serve_loop
from pressgen.build import print_documents
from pressgen.config import load_config
from pressgen.options import BuildOptions

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
COUNTS = re.compile(r"\((\d+) rendered, (\d+) unchanged\)")
OWN_SECONDS = re.compile(r"([\d.]+) s\)?\s*$")
# No-op rebuilds after each cold build: the first meets the file system still writing the cold
# build's files out; the figure is their median.
NO_OPS = 3
# Documents the raw baselines render at most (N = 1000's): past that, an even sample, extrapolated
# linearly (at N = 10,000, 30,000 documents would take the raw baselines hours).
RAW_SAMPLE = 3000

# The targets of issue 13 (and the older naive one), by the corpus sizes the issue sets them at.
# A time grows with N, so a limit set at N = S holds at every smaller N too; a ratio to raw
# WeasyPrint falls with N (fixed costs spread out), so a limit set at N = S holds at every larger
# N. Beyond the issue's sizes in the other direction, no target applies.
GROWS, FALLS, EVERY = "grows", "falls", "every"


@dataclass(frozen=True)
class Target:
    """One figure's limit, by the sizes the issue sets it at."""

    label: str
    limits: tuple[tuple[int, float], ...]  # (size, limit), sizes ascending; ignored for EVERY
    sign: str  # "≤", "<" or "≥"
    kind: str

    @property
    def at_most(self) -> bool:
        return self.sign != "≥"

    def at(self, size: int) -> tuple[float, str] | None:
        """Return the limit that applies at `size` and where it comes from, or None."""
        if self.kind == EVERY:
            return self.limits[0][1], "every N"
        if self.kind == GROWS:
            for issue_size, limit in self.limits:
                if size <= issue_size:
                    return limit, f"issue: N = {issue_size}" + ("" if size == issue_size else ", holds below")
            return None
        for issue_size, limit in reversed(self.limits):
            if size >= issue_size:
                return limit, f"issue: N = {issue_size}" + ("" if size == issue_size else ", holds above")
        return None


TARGETS = {
    "one_edit": Target("one-word fix, rebuild, s", ((300, 1.0), (1000, 1.5)), "≤", GROWS),
    "one_edit_all": Target("one word in every language, rebuild, s", ((300, 1.0), (1000, 1.5)), "≤", GROWS),
    "noop": Target("no-op rebuild, s", ((1000, 0.3),), "≤", GROWS),
    "cold_ratio": Target("cold ÷ (raw ÷ cores)", ((20, 1.35), (300, 1.15), (1000, 1.15)), "≤", FALLS),
    "serve": Target("serve: save → page reloaded, s", ((300, 1.0),), "≤", GROWS),
    "peak_mb": Target("peak MB per process", ((0, 300.0),), "<", EVERY),
    "total_mb": Target("peak MB, whole build", ((0, 1000.0),), "<", EVERY),
    "naive": Target("naive ÷ cold", ((0, 10.0),), "≥", EVERY),
}


@dataclass(frozen=True)
class Build:
    """One `pressgen build` run."""

    seconds: float  # wall time of the whole command
    own_seconds: float | None  # what the build itself reports (after imports and configuration)
    rendered: int | None
    unchanged: int | None
    noop: bool
    lagging: int  # translations the build says lag behind their source ("lags: " lines)
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
        lagging=sum(1 for line in ran.stderr.splitlines() if line.startswith("lags: ")),
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


def verdict(name: str, size: int, value: float | None) -> dict[str, Any]:
    """Return target `name` at `size` for `value`: the limit, where it comes from, and met or MISSED."""
    target = TARGETS[name]
    found = target.at(size)
    if found is None or value is None:
        return {"figure": name, "value": value, "limit": None, "source": None, "status": "no target"}
    limit, source = found
    return {
        "figure": name,
        "value": value,
        "limit": limit,
        "source": source,
        "status": _check(value, limit, target.at_most),
    }


def _target_note(check: dict[str, Any]) -> str:
    if check["limit"] is None:
        return "no target at this N"
    return f"target {TARGETS[check['figure']].sign} {check['limit']:g} ({check['source']}): {check['status']}"


Snapshot = dict[str, tuple[int, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Return every file under `folder` with its inode, modification time and size."""
    files: Snapshot = {}
    for path in folder.rglob("*"):
        if path.is_file():
            status = path.stat()
            files[path.relative_to(folder).as_posix()] = (status.st_ino, status.st_mtime_ns, status.st_size)
    return files


def rewritten(before: Snapshot, after: Snapshot, slug: str) -> dict[str, Any]:
    """Return what a build rewrote in its output folder, and whether its PDFs are all the release `slug`'s."""
    changed = sorted(path for path in after if before.get(path) != after[path])
    removed = sorted(set(before) - set(after))
    pdfs = [path for path in changed if path.endswith(".pdf")]
    return {
        "files": len(changed),
        "removed": len(removed),
        "pdfs": len(pdfs),
        "pdfs_of_other_releases": [path for path in pdfs if f"/{slug}/" not in f"/{path}"],
        "pages": len([path for path in changed if path.endswith(".html")]),
    }


@dataclass(frozen=True)
class Settings:
    """How much each size measures (the command's options)."""

    naive_sample: int
    raw_sample: int
    repeat: int
    serve_rounds: int
    edits: int
    store: Path | None  # where corpora are kept between runs (`--corpus`)


def bench_size(size: int, cores: int, settings: Settings, keep: bool) -> dict[str, Any]:
    """Make a corpus of `size` releases and measure everything on it; return the figures."""
    tmp = Path(tempfile.mkdtemp(prefix=f"pressgen-bench-{size}-"))
    try:
        return _bench(tmp, size, cores, settings)
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


def _median_edit(runs: list[tuple[Build, str, dict[str, Any]]]) -> dict[str, Any]:
    """Return the edit of median wall time (its release and what it rewrote), with every edit's time and count."""
    build, release, output = sorted(runs, key=lambda run: run[0].seconds)[(len(runs) - 1) // 2]
    return {
        **asdict(build),
        "release": release,
        "output": output,
        "all_seconds": [run[0].seconds for run in runs],
        "all_rendered": [run[0].rendered for run in runs],
    }


def _median_raw(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: float(r["render_seconds"]))
    return {**ordered[(len(ordered) - 1) // 2], "all_render_seconds": [r["render_seconds"] for r in runs]}


def print_sample(root: Path, options: BuildOptions, versions: int, sample: int) -> list[tuple[str, str, Path]]:
    """Return the print documents of an even sample of `sample` of the build's `versions` PDFs (all, if no more)."""
    picked = set(baselines.even_sample(versions, sample))
    documents, count = [], 0
    for index, document in enumerate(print_documents(load_config(root), options)):
        count += 1
        if index in picked:
            documents.append(document)
    if count != versions:
        raise SystemExit(f"print_documents gave {count} documents, expected {versions}")
    return documents


def _bench(tmp: Path, size: int, cores: int, settings: Settings) -> dict[str, Any]:
    naive_sample, repeat, serve_rounds, edits = (
        settings.naive_sample,
        settings.repeat,
        settings.serve_rounds,
        settings.edits,
    )
    root = tmp / "project"
    started = time.perf_counter()
    if settings.store is not None:
        _say(f"N={size}: copying the corpus kept in {settings.store} (made there first if needed) to {root}")
        project = corpus.stored_corpus(PROJECT, settings.store, root, size)
    else:
        _say(f"N={size}: making the corpus in {root}")
        project = corpus.make_corpus(PROJECT, root, size)
    setup_seconds = time.perf_counter() - started
    versions = size * len(project.config.languages)
    cache_dir, output_dir = root / ".pressgen-cache", project.config.output_dir
    # `publish` and `status` keep a cache of their own there; a cold build starts without any.
    shutil.rmtree(cache_dir, ignore_errors=True)
    if output_dir.exists():
        raise SystemExit(f"a cold build needs a project without output, and {output_dir} exists")

    # The exact documents a build renders, for the baselines: past `raw_sample`, an even sample
    # (at N = 10,000 each baseline would render 30,000 documents, hours), extrapolated.
    options = BuildOptions()
    documents = print_sample(root, options, versions, settings.raw_sample)
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
        for _ in range(NO_OPS):  # the first comes right after the cold build, while its writes settle
            noops.append(pressgen_build(root))
            if not noops[-1].noop:
                raise SystemExit("the rebuild right after the cold build was not a no-op")
        mean_pdf_kb = baselines.mean_kb(output_dir)
        _say(f"N={size}: raw WeasyPrint, {versions} documents in 1 process, then in {cores} side by side{which}")
        raws.append(baselines.raw(tmp / "raw" / "one", documents, stylesheet, options.pdf_variant, versions))
        parallels.append(
            baselines.raw_parallel(tmp / "raw" / "split", documents, stylesheet, options.pdf_variant, cores, versions)
        )

    _say(f"N={size}: the weasyprint command, once per document, {min(naive_sample, versions)} of {versions}")
    naive = baselines.naive(tmp / "naive", documents, stylesheet, options.pdf_variant, naive_sample, versions)

    # A press officer fixes one word of a published release: the public site shows the record, so
    # the fix is saved, published (`publish --lang SRC --minor`, a typo fix) and built. Its
    # translations now lag behind the source and say so: the release's documents are rebuilt.
    # Each kind of edit is made to `edits` releases in turn (one machine hiccup is not the figure).
    published_at = dt.datetime.fromisoformat(corpus.PUBLISHED_AT)
    fixes = []
    generated = project.slugs[1:]  # the first is the seed release, which has no word to edit
    for number, one in enumerate(generated[(i - 1) % len(generated)] for i in (1, 4, 5)[:edits]):
        _say(f"N={size}: one-word fix of {one}: edit, publish the source (--minor), rebuild")
        corpus.edit_word(project, one)
        corpus.publish_fix(project, one, published_at + dt.timedelta(days=1, minutes=number))
        before = snapshot(output_dir)
        build = pressgen_build(root)
        fixes.append((build, one, rewritten(before, snapshot(output_dir), one)))
    # The same fix carried into every language, as a press office completes it: publish the source
    # with a change note, update the catalogs, approve the translations, publish them, rebuild.
    alls = []
    for number, other in enumerate(generated[(i - 1) % len(generated)] for i in (2, 6, 7)[:edits]):
        _say(f"N={size}: one word changed in every language of {other}: publish all, rebuild")
        corpus.edit_word(project, other)
        approved = corpus.publish_edit(project, other, published_at + dt.timedelta(days=2, minutes=2 * number))
        before = snapshot(output_dir)
        build = pressgen_build(root)
        alls.append((build, other, {**rewritten(before, snapshot(output_dir), other), "approved": approved}))

    serve: dict[str, Any] | None = None
    if serve_rounds:
        # A release no edit above touched, so that each save makes a text it never had.
        served = project.slugs[3] if size > 3 else project.slugs[-1]
        _say(f"N={size}: pressgen serve, {serve_rounds} saves of one word of {served}, save → reloaded page")
        serve = serve_loop.measure_serve(project, served, serve_rounds, start_timeout=120 + 3 * colds[-1].seconds)

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
    result: dict[str, Any] = {
        "size": size,
        "documents": versions,
        "cores": cores,
        "repeat": repeat,
        "corpus_setup_seconds": setup_seconds,
        "corpus_kept": settings.store is not None,
        "cold": cold,
        "noop": _median_run(noops),
        "edit_fix": _median_edit(fixes),
        "edit_all_languages": _median_edit(alls),
        "serve": serve,
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
    result["targets"] = check_targets(result)
    return result


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every target at this size: the figure, its limit and met or MISSED."""
    size, serve = result["size"], result["serve"]
    values = {
        "one_edit": result["edit_fix"]["seconds"],
        "one_edit_all": result["edit_all_languages"]["seconds"],
        "noop": result["noop"]["seconds"],
        "cold_ratio": result["ratios"]["cold_vs_raw_per_core"],
        "serve": serve["seconds"] if serve else None,
        "peak_mb": max(result["cold"]["max_rss_mb"], serve["max_rss_mb"] if serve else 0.0),
        "total_mb": max(result["cold"]["peak_total_mb"], serve["peak_total_mb"] if serve else 0.0),
        "naive": result["ratios"]["naive_vs_cold"],
    }
    return [verdict(name, size, value) for name, value in values.items()]


def _row(label: str, value: str, note: str = "") -> str:
    return f"  {label:<48} {value:>9}  {note}".rstrip()


def _spread(values: list[float], what: str = "") -> str:
    of = f"{len(values)} {what}".rstrip()
    return f"; median of {of}, {min(values):.2f}–{max(values):.2f}" if len(values) > 1 else ""


def _own(build: dict[str, Any]) -> str:
    return f"; the build's own figure {build['own_seconds']:.2f} s" if build["own_seconds"] is not None else ""


def _edit_note(edit: dict[str, Any], target: str) -> str:
    output = edit["output"]
    others = output["pdfs_of_other_releases"]
    whose = f"{len(others)} of OTHER releases: {', '.join(others[:3])}" if others else f"all of {edit['release']}"
    rendered = f"{edit['rendered']} PDFs rendered"
    if set(edit["all_rendered"]) != {edit["rendered"]}:
        rendered += f" (each edit: {edit['all_rendered']})"
    return (
        f"{rendered}, {edit['unchanged']} unchanged; output: {output['pdfs']} PDFs rewritten "
        f"({whose}), {output['pages']} pages, {output['files']} files in all; {target}{_own(edit)}"
        f"{_spread(edit['all_seconds'], 'edits')}"
    )


def table(result: dict[str, Any]) -> str:
    """Return the figures of one size as a text table."""
    size, cores = result["size"], result["cores"]
    cold, noop, raw, parallel, naive = (result[k] for k in ("cold", "noop", "raw", "raw_parallel", "naive"))
    edit_fix, edit_all, serve = result["edit_fix"], result["edit_all_languages"], result["serve"]
    ratios, per_round = result["ratios"], result["ratios_per_round"]
    checks = {check["figure"]: _target_note(check) for check in result["targets"]}
    own = _own

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
        _row(
            "corpus setup (not a target)",
            f"{result['corpus_setup_seconds']:.1f}",
            "copied from --corpus" if result.get("corpus_kept") else "write, update, fill, publish",
        ),
        _row(
            "cold build",
            f"{cold['seconds']:.2f}",
            f"{cold['rendered']} rendered, {cold['unchanged']} unchanged{own(cold)}{_spread(cold['all_seconds'])}",
        ),
        _row(
            "no-op rebuild",
            f"{noop['seconds']:.2f}",
            f"{checks['noop']}{own(noop)}{_spread(noop['all_seconds'], 'runs')}; "
            f"the first, right after the cold build: {noop['all_seconds'][0]:.2f}",
        ),
        _row(
            "one-word fix: publish --minor, rebuild",
            f"{edit_fix['seconds']:.2f}",
            _edit_note(edit_fix, checks["one_edit"]) + f"; {edit_fix['lagging']} translations lag",
        ),
        _row(
            "one word in 3 languages: publish all, rebuild",
            f"{edit_all['seconds']:.2f}",
            _edit_note(edit_all, checks["one_edit_all"]),
        ),
    ]
    if serve:
        rendered = sorted(set(serve["rendered"]))
        lines.append(
            _row(
                "serve: save → page reloaded (preview)",
                f"{serve['seconds']:.2f}",
                f"median of {len(serve['rounds'])} saves, {serve['min_seconds']:.2f}–{serve['max_seconds']:.2f}; "
                f"PDFs rendered per save: {', '.join(map(str, rendered))}; first build "
                f"{serve['first_build_seconds']:.1f} s; {checks['serve']}",
            )
        )
    else:
        lines.append(_row("serve: save → page reloaded (preview)", "—", "not measured (--serve-rounds 0)"))
    lines += [
        _row(
            "raw WeasyPrint, 1 process, render loop",
            f"{raw['render_seconds']:.2f}",
            f"{_raw_documents(raw)}, {raw['sample_render_seconds'] / raw['sampled']:.3f} s each; import "
            f"{raw['import_seconds']:.2f} s, setup {raw['setup_seconds']:.2f} s not counted"
            f"{_spread(raw['all_render_seconds'])}",
        ),
        _row(
            f"raw WeasyPrint, {parallel['processes']} processes side by side",
            f"{parallel['render_seconds']:.2f}",
            f"the slowest process's render loop, {_raw_documents(parallel)}, split round-robin"
            f"{_spread(parallel['all_render_seconds'])}",
        ),
        _row("naive: weasyprint command per document", f"{naive['seconds']:.1f}", naive_note),
        _row("ratio", "value", "notes"),
        _row(
            f"cold ÷ (raw ÷ {cores} cores)",
            f"{ratios['cold_vs_raw_per_core']:.2f}",
            f"{checks['cold_ratio']}{_spread(per_round['cold_vs_raw_per_core'])}",
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
            checks["naive"] + ("; naive extrapolated" if naive["extrapolated"] else ""),
        ),
        _row("memory", "MB", "notes"),
        _row(
            "peak MB per process (cold build, serve)",
            f"{max(cold['max_rss_mb'], serve['max_rss_mb'] if serve else 0.0):.0f}",
            f"{checks['peak_mb']}; largest single process, main or worker (wait4 rusage): build "
            f"{cold['max_rss_mb']:.0f}" + (f", serve {serve['max_rss_mb']:.0f}" if serve else ""),
        ),
        _row(
            "peak MB, whole build (main + workers)",
            f"{max(cold['peak_total_mb'], serve['peak_total_mb'] if serve else 0.0):.0f}",
            f"{checks['total_mb']}; sum over the process tree, sampled every {measure.SAMPLE_SECONDS:g} s: build "
            f"{cold['peak_total_mb']:.0f}" + (f", serve {serve['peak_total_mb']:.0f}" if serve else ""),
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


def _raw_documents(raw: dict[str, Any]) -> str:
    if raw["extrapolated"]:
        return f"SAMPLED: {raw['sampled']} of {raw['of']} documents, EXTRAPOLATED linearly"
    return f"{raw['of']} documents"


def _serve_seconds(r: dict[str, Any]) -> float | None:
    return float(r["serve"]["seconds"]) if r["serve"] else None


# The figures whose growth with N the summary shows: label, unit, how to read it from a result.
GROWTH: list[tuple[str, str, Any]] = [
    ("cold build", "s", lambda r: r["cold"]["seconds"]),
    ("no-op rebuild", "s", lambda r: r["noop"]["seconds"]),
    ("one-word fix, rebuild", "s", lambda r: r["edit_fix"]["seconds"]),
    ("one word in 3 languages, rebuild", "s", lambda r: r["edit_all_languages"]["seconds"]),
    ("serve: save → page reloaded", "s", _serve_seconds),
    ("peak MB per process, cold build", "MB", lambda r: r["cold"]["max_rss_mb"]),
    ("peak MB, whole cold build", "MB", lambda r: r["cold"]["peak_total_mb"]),
]


def growth(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return how each figure grows with N: its value, its ratio to the smallest N, and its slope per release."""
    rows = []
    for label, unit, read in GROWTH:
        values: list[float | None] = [read(r) for r in results]
        sizes = [int(r["size"]) for r in results]
        base = values[0]
        cells = []
        for index, (size, value) in enumerate(zip(sizes, values, strict=True)):
            previous = values[index - 1] if index else None
            slope = (
                (value - previous) / (size - sizes[index - 1]) if value is not None and previous is not None else None
            )
            ratio = value / base if value is not None and base else None
            cells.append({"size": size, "value": value, "ratio": ratio, "per_release": slope})
        rows.append({"figure": label, "unit": unit, "sizes": cells})
    return rows


def growth_table(rows: list[dict[str, Any]]) -> str:
    """Return the growth with N as text: value, × the smallest N's, + per 100 releases since the size before."""
    sizes = [cell["size"] for cell in rows[0]["sizes"]]
    header = f"  {'figure':<36} {'unit':<4}" + "".join(f" {'N = ' + str(size):>26}" for size in sizes)
    lines = [
        f"growth with N (value, × the value at N = {sizes[0]}, + per 100 more releases since the size before)",
        header,
    ]
    for row in rows:
        cells = []
        for cell in row["sizes"]:
            if cell["value"] is None:
                cells.append(f" {'—':>26}")
                continue
            ratio = f"×{cell['ratio']:.2f}" if cell["ratio"] is not None else ""
            slope = f"{cell['per_release'] * 100:+.2f}/100" if cell["per_release"] is not None else ""
            cells.append(f" {cell['value']:>8.2f} {ratio:>7} {slope:>9}")
        lines.append(f"  {row['figure']:<36} {row['unit']:<4}" + "".join(cells))
    return "\n".join(lines)


def _figure(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.2f}"


def targets_table(results: list[dict[str, Any]]) -> str:
    """Return the issue's targets at every size: the figure, the limit that applies, met or MISSED."""
    sizes = [r["size"] for r in results]
    lines = [
        "targets (issue 13; — : no target at this N)",
        f"  {'figure':<42}" + "".join(f" {'N = ' + str(n):>24}" for n in sizes),
    ]
    for name, target in TARGETS.items():
        cells = []
        for r in results:
            check = next(c for c in r["targets"] if c["figure"] == name)
            if check["value"] is None:
                cells.append(f" {'not measured':>24}")
            elif check["limit"] is None:
                cells.append(f" {_figure(check['value']):>8} {'—':>15}")
            else:
                status = "met" if check["status"] == "met" else "MISSED"
                limit = f"{target.sign} {check['limit']:g} {status}"
                cells.append(f" {_figure(check['value']):>8} {limit:>15}")
        lines.append(f"  {target.label:<42}" + "".join(cells))
    return "\n".join(lines)


def _with_count(edit: dict[str, Any]) -> str:
    return f"{edit['seconds']:.2f} ({edit['rendered']})"


def summary(results: list[dict[str, Any]]) -> str:
    header = f"  {'N':>5} {'PDFs':>5} {'cold s':>8} {'no-op s':>8} {'fix s (n)':>10} {'all s (n)':>10} {'serve s':>7} "
    header += f"{'raw s':>8} {'raw∥ s':>8} {'naive s':>9} {'cold/(raw/c)':>12} {'cold/raw∥':>9} {'naive/cold':>10} "
    header += f"{'peak MB':>8} {'tot MB':>7} {'PDF KB':>7} {'linear':>7}"
    lines = [
        "summary (fix: one-word fix, all: one word in every language, each with (n) PDFs rendered; "
        "raw∥: raw WeasyPrint split over the cores; tot: whole build)"
    ]
    lines.append(header)
    for r in results:
        serve = _serve_seconds(r)
        lines.append(
            f"  {r['size']:>5} {r['documents']:>5} {r['cold']['seconds']:>8.2f} {r['noop']['seconds']:>8.2f} "
            f"{_with_count(r['edit_fix']):>10} {_with_count(r['edit_all_languages']):>10} "
            f"{(f'{serve:.2f}' if serve is not None else '—'):>7} {r['raw']['render_seconds']:>7.2f}"
            f"{'*' if r['raw']['extrapolated'] else ' '} {r['raw_parallel']['render_seconds']:>7.2f}"
            f"{'*' if r['raw_parallel']['extrapolated'] else ' '} "
            f"{r['naive']['seconds']:>8.1f}{'*' if r['naive']['extrapolated'] else ' '} "
            f"{r['ratios']['cold_vs_raw_per_core']:>12.2f} {r['ratios']['cold_vs_raw_parallel']:>9.2f} "
            f"{r['ratios']['naive_vs_cold']:>10.1f} {r['cold']['max_rss_mb']:>8.0f} {r['cold']['peak_total_mb']:>7.0f} "
            f"{r['mean_pdf_kb']:>7.1f} {r.get('linearity', 1.0):>7.2f}"
        )
    if any(r["naive"]["extrapolated"] or r["raw"]["extrapolated"] for r in results):
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
    # Two releases at least: the one-word edits change a generated release (the bundled one has no
    # paragraph of its own).
    if not sizes or any(size < 2 or size > corpus.MAX_SIZE for size in sizes):
        raise argparse.ArgumentTypeError(f"sizes are numbers of releases from 2 to {corpus.MAX_SIZE}")
    return sorted(set(sizes))


def write_json(path: Path, info: dict[str, Any], results: list[dict[str, Any]]) -> None:
    """Write every figure so far to `path` (after each size: a long run that fails keeps what it measured)."""
    figures = {"machine": info, "command": sys.argv, "results": results, "growth": growth(results)}
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[20, 300, 1000],
        metavar="A,B,…",
        help=f"releases per corpus, each from 2 to {corpus.MAX_SIZE} (20,300,1000: the sizes of the targets)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument("--naive-sample", type=int, default=20, metavar="K", help="documents for the naive run (20)")
    parser.add_argument("--repeat", type=int, default=1, metavar="R", help="cold build and raw runs per size (1)")
    parser.add_argument(
        "--serve-rounds",
        type=int,
        default=5,
        metavar="S",
        help="saves timed in pressgen serve per size, 0 to 5; 0 skips serve (5)",
    )
    parser.add_argument(
        "--edits", type=int, default=3, metavar="E", help="releases each kind of one-word fix is made to, 1 to 3 (3)"
    )
    parser.add_argument(
        "--raw-sample",
        type=int,
        default=RAW_SAMPLE,
        metavar="K",
        help=f"documents the raw baselines render; past that, an even sample, extrapolated ({RAW_SAMPLE})",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="keep each size's corpus in DIR/N/ and reuse it in later runs (made again when its inputs change)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpora (their paths are printed)")
    args = parser.parse_args(argv)
    if args.naive_sample < 1 or args.repeat < 1 or args.raw_sample < 1:
        parser.error("--naive-sample, --raw-sample and --repeat must be at least 1")
    # More saves would bring the release back to a text it had, whose PDF the cache holds.
    if not 0 <= args.serve_rounds <= 5:
        parser.error("--serve-rounds must be from 0 to 5")
    if not 1 <= args.edits <= 3:
        parser.error("--edits must be from 1 to 3")

    settings = Settings(args.naive_sample, args.raw_sample, args.repeat, args.serve_rounds, args.edits, args.corpus)
    cores = os.cpu_count() or 1
    info = machine()
    print(
        f"pressgen {info['pressgen']}, WeasyPrint {info['weasyprint']}, Python {info['python']}; "
        f"{cores} cores ({info['cpu'] or 'unknown CPU'}); {info['system']}",
        flush=True,
    )
    results: list[dict[str, Any]] = []
    for size in args.sizes:
        result = bench_size(size, cores, settings, args.keep)
        base = results[0] if results else result
        result["linearity_base"] = base["size"]
        result["linearity"] = result["cold"]["seconds"] / base["cold"]["seconds"] / (size / base["size"])
        results.append(result)
        print(f"\n{table(result)}", flush=True)
        if args.json:
            write_json(args.json, info, results)
    print(f"\n{summary(results)}", flush=True)
    print(f"\n{targets_table(results)}", flush=True)
    print(f"\n{growth_table(growth(results))}", flush=True)
    if args.json:
        print(f"figures written to {args.json}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
