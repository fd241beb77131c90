"""Time `status`, `check` and `publish` on a large archive: what each costs when little changed (issue 25).

For each size N, on a benchmark corpus (`bench/corpus.py`, kept in `--corpus DIR` between runs):

- the baseline, measured in the same run: `status` and `check` with the verdicts kept by the
  last command removed (`.pressgen-cache/verdicts.json`), so that every release and catalog is
  read and decided again, the catalogs' check findings still kept (`findings.json`): what each
  command cost before the verdicts were kept;
- `status` and `check` with nothing changed (the median of `--repeat` runs);
- a one-word fix of one release: the edit, `publish SLUG --lang SRC --minor` (timed), then
  `status` and `check` (timed);
- the ratio of each to the baseline.

Every command is a whole process (`bench/measure.py`). Run:

    .venv/bin/python bench/commands.py --sizes 1000 --corpus ~/pressgen-corpora
    .venv/bin/python bench/commands.py --project DIR     # a corpus made before, measured where it is

The first command on a corpus made by an older version of pressgen checks every catalog again
(the findings are keyed by pressgen's code): it is run first and shown as "first".
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import corpus
from measure import executable, run
from pressgen.config import load_config
from run import parse_sizes

PROJECT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0  # issue 25, at N = 1000: publish of one release, status, check with nothing changed


def timed(root: Path, *args: str) -> float:
    return run([executable("pressgen"), "-C", str(root), *args], sample=False).seconds


def median(root: Path, repeat: int, *args: str) -> float:
    return statistics.median(timed(root, *args) for _ in range(repeat))


def without_verdicts(root: Path, *args: str) -> float:
    (root / ".pressgen-cache" / "verdicts.json").unlink(missing_ok=True)
    return timed(root, *args)


@dataclass(frozen=True)
class Row:
    label: str
    seconds: float
    baseline: float | None = None  # the same command's baseline, measured in this run
    target: bool = False  # one of the targets at N = 1000
    note: str = ""


def in_place(root: Path) -> corpus.Corpus:
    """Return a corpus made earlier (by `bench/corpus.py`) at `root`, to be measured where it is."""
    slugs = sorted((p.name for p in (root / "releases").iterdir() if p.is_dir()), reverse=True)
    return corpus.Corpus(root, load_config(root), slugs)


def bench_size(made: corpus.Corpus, repeat: int) -> list[Row]:
    root, size = made.root, len(made.slugs)
    first = Row("status, first on this corpus", timed(root, "status"), note="checks catalogs whose findings are new")
    print(f"N={size}: baselines (every release decided again)", file=sys.stderr)
    status, check = without_verdicts(root, "status"), without_verdicts(root, "check")
    timed(root, "status")  # the verdicts kept again
    print(f"N={size}: nothing changed", file=sys.stderr)
    rows = [
        first,
        Row("baseline: status, no verdict kept", status),
        Row("baseline: check, no verdict kept", check),
        Row("status, nothing changed", median(root, repeat, "status"), status, True),
        Row("check, nothing changed", median(root, repeat, "check"), check, True),
    ]
    slug = made.slugs[len(made.slugs) // 2]
    print(f"N={size}: one-word fix of {slug}: publish --minor, status, check", file=sys.stderr)
    corpus.edit_word(made, slug)
    at = dt.datetime.fromisoformat(corpus.PUBLISHED_AT) + dt.timedelta(days=1)
    source = made.config.source_language
    publish = timed(root, "publish", slug, "--lang", source, "--minor", "--now", at.isoformat())
    return [
        *rows,
        Row("publish of one edited release", publish, target=True),
        Row("status after it", timed(root, "status"), status),
        Row("check after it", timed(root, "check"), check),
    ]


def table(size: int, rows: list[Row]) -> str:
    lines = [f"N = {size} releases × 3 languages", f"  {'command':<40} {'seconds':>8}  notes"]
    for row in rows:
        notes = [row.note] if row.note else []
        if row.baseline:
            notes.append(f"× {row.seconds / row.baseline:.3f} of the baseline")
        if row.target and size >= 1000:
            verdict = "met" if row.seconds <= TARGET_SECONDS else "MISSED"
            notes.append(f"target ≤ {TARGET_SECONDS:g} s (issue 25, N = 1000): {verdict}")
        lines.append(f"  {row.label:<40} {row.seconds:>8.2f}  {'; '.join(notes)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default="100,1000", help="releases per corpus, comma-separated")
    parser.add_argument("--corpus", type=Path, help="keep each size's corpus in this folder between runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command with nothing changed")
    parser.add_argument("--project", type=Path, help="measure this corpus where it is (one release is edited)")
    args = parser.parse_args(argv)
    if args.project is not None:
        made = in_place(args.project.resolve())
        print(table(len(made.slugs), bench_size(made, args.repeat)), flush=True)
        return 0
    with tempfile.TemporaryDirectory(prefix="pressgen-commands-") as tmp:
        for size in args.sizes:
            root = Path(tmp) / f"n{size}"
            print(f"N={size}: the corpus", file=sys.stderr)
            if args.corpus is not None:
                made = corpus.stored_corpus(PROJECT, args.corpus, root, size)
            else:
                made = corpus.make_corpus(PROJECT, root, size)
            print(table(size, bench_size(made, args.repeat)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
