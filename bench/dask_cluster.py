"""Benchmark `pressgen build --executor dask` against the local pool, in one run, on one corpus.

    .venv/bin/python bench/dask_cluster.py [--size 300] [--rounds 3] [--workers 2] [--corpus DIR] [--json FILE]

Makes a corpus of N releases × 3 languages (`bench/corpus.py`; with `--corpus DIR`, a copy of
the one kept there), starts a Dask `LocalCluster` on 127.0.0.1 (its scheduler in this process,
`--workers` worker processes of one thread each, as docs/performance.md says to start them),
then times cold builds of the corpus, the local pool's and the cluster's in turn, `--rounds`
times: `pressgen -C DIR build --out OUT` and `… --executor dask --scheduler ADDRESS`, each
without `.pressgen-cache/` and without output. The figure is the ratio of the two medians
(target of issue 25: the cluster within 15 % of the local pool, ≤ 1.15); each round's ratio is
shown too. The outputs of the two last builds must be the same files, byte for byte.

The cluster runs on this machine's cores beside the build, as the local pool's workers do: the
figure is what the cluster costs over the local pool (sending the documents and the files they
read, the scheduler, the PDFs coming back), not what more machines would give.
Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from distributed import LocalCluster

import corpus
import measure

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
TARGET = 1.15  # issue 25: the cluster within 15 % of the local pool


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tree_digest(folder: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under `folder`, by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def cold_build(root: Path, out: Path, documents: int, *args: str) -> measure.Run:
    """Time `pressgen build` of the corpus at `root` into `out`, with no cache and no output."""
    shutil.rmtree(root / ".pressgen-cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    ran = measure.run([measure.executable("pressgen"), "-C", str(root), "build", "--out", str(out), *args])
    if f"({documents} rendered, 0 unchanged)" not in ran.stdout:
        raise SystemExit(f"not a cold build of {documents} PDFs: {ran.stdout}{ran.stderr}")
    return ran


def bench(root: Path, documents: int, rounds: int, workers: int) -> dict[str, Any]:
    """Start the cluster and time `rounds` cold builds each way; return the figures."""
    local_out, dask_out = root / "out-local", root / "out-dask"
    locals_: list[measure.Run] = []
    clusters: list[measure.Run] = []
    _say(f"starting a LocalCluster: {workers} worker processes of one thread each, on 127.0.0.1")
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
    ) as cluster:
        address = cluster.scheduler_address
        for number in range(1, rounds + 1):
            _say(f"round {number} of {rounds}: a cold build with the local pool")
            locals_.append(cold_build(root, local_out, documents))
            _say(f"round {number} of {rounds}: a cold build on the cluster at {address}")
            clusters.append(cold_build(root, dask_out, documents, "--executor", "dask", "--scheduler", address))
    same = tree_digest(local_out) == tree_digest(dask_out)
    local_median = statistics.median(run.seconds for run in locals_)
    dask_median = statistics.median(run.seconds for run in clusters)
    ratio = dask_median / local_median
    return {
        "rounds": rounds,
        "workers": workers,
        "cores": os.cpu_count(),
        "local_seconds": [run.seconds for run in locals_],
        "dask_seconds": [run.seconds for run in clusters],
        "local_median": local_median,
        "dask_median": dask_median,
        "ratio": ratio,
        "ratios_per_round": [d.seconds / lo.seconds for lo, d in zip(locals_, clusters, strict=True)],
        "target": TARGET,
        "status": "met" if ratio <= TARGET else f"MISSED by {(ratio / TARGET - 1) * 100:.0f} %",
        "same_bytes": same,
        "local_peak_total_mb": max(run.peak_total_mb for run in locals_),
        "dask_peak_main_mb": max(run.max_rss_mb for run in clusters),
    }


def table(size: int, documents: int, figures: dict[str, Any]) -> str:
    def seconds(values: list[float]) -> str:
        return ", ".join(f"{value:.2f}" for value in values)

    return "\n".join(
        [
            f"N = {size} releases, {documents} PDFs; {figures['cores']} cores; the cluster: {figures['workers']} "
            "worker processes of one thread each, on this machine",
            f"  {'cold build, local pool, s':<44} {figures['local_median']:>8.2f}  "
            f"median of {seconds(figures['local_seconds'])}",
            f"  {'cold build, Dask cluster, s':<44} {figures['dask_median']:>8.2f}  "
            f"median of {seconds(figures['dask_seconds'])}",
            f"  {'cluster ÷ local pool':<44} {figures['ratio']:>8.2f}  target ≤ {TARGET:g} (issue 25): "
            f"{figures['status']}; each round: {seconds(figures['ratios_per_round'])}",
            f"  {'the same files, byte for byte':<44} {'yes' if figures['same_bytes'] else 'NO':>8}",
            f"  {'peak MB, whole local build':<44} {figures['local_peak_total_mb']:>8.0f}",
            f"  {'peak MB, the cluster build, main process':<44} {figures['dask_peak_main_mb']:>8.0f}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=300, help="releases in the corpus (300)")
    parser.add_argument("--rounds", type=int, default=3, help="cold builds each way (3)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (the cores)")
    parser.add_argument("--corpus", type=Path, metavar="DIR", help="keep the corpus in DIR and reuse it")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    args = parser.parse_args(argv)
    if not 2 <= args.size <= corpus.MAX_SIZE or args.rounds < 1 or args.workers < 1:
        parser.error(f"--size is from 2 to {corpus.MAX_SIZE}; --rounds and --workers at least 1")
    tmp = Path(tempfile.mkdtemp(prefix=f"pressgen-dask-{args.size}-"))
    try:
        root = tmp / "project"
        _say(f"N={args.size}: the corpus in {root}")
        if args.corpus:
            project = corpus.stored_corpus(PROJECT, args.corpus, root, args.size)
        else:
            project = corpus.make_corpus(PROJECT, root, args.size)
        documents = args.size * len(project.config.languages)
        figures = bench(root, documents, args.rounds, args.workers)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(table(args.size, documents, figures), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"size": args.size, **figures}, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["same_bytes"] else 1


if __name__ == "__main__":
    sys.exit(main())
