"""What keeping compiled templates safely costs: three ways, measured in one run.

A build is a new process, and Jinja2 compiles each template it loads unless a bytecode cache
gives it the code. `.pressgen-cache/` may come with a checkout, so code found there must not run
unless this user's pressgen compiled it (issue 22). The ways, each timed in fresh processes that
load every template of the bundled project (`env.get_template`, nothing rendered):

- `compile`: keep nothing, compile every template in every build;
- `files`: Jinja2's own `FileSystemBytecodeCache` in a folder of the user's (what a cache outside
  the project, in the user's cache folder keyed by project, costs: the files are read and
  unmarshalled, nothing is checked);
- `sealed`: pressgen's `_CompiledTemplates` in `.pressgen-cache/templates/`: keyed names, each
  file's HMAC checked before its code is unmarshalled.

Prints one JSON object: the median seconds of each way over `--rounds` processes, and their ratios
to `files`, the cheapest way to keep them, measured in the same run.

Usage: python bench/templates_cache.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WAYS = ("compile", "files", "sealed")


def load_all(way: str, project: Path, folder: Path) -> float:
    """Load every template of `project` the way `way` keeps them; return the seconds it took."""
    from jinja2 import FileSystemBytecodeCache

    from pressgen.config import load_config
    from pressgen.render import Renderer

    config = load_config(project)
    env = Renderer(config, config.languages[0], None).env
    if way == "compile":
        env.bytecode_cache = None
    elif way == "files":
        env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    names = sorted(path.name for path in config.templates_dir.glob("*.html"))
    started = time.perf_counter()
    for name in names:
        env.get_template(name)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--one", nargs=3, metavar=("WAY", "PROJECT", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a measuring process: one load, its seconds on stdout
        print(load_all(args.one[0], Path(args.one[1]), Path(args.one[2])))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        project, folder = Path(tmp) / "project", Path(tmp) / "files"
        folder.mkdir()
        shutil.copytree(REPO / "templates", project / "templates")
        shutil.copy2(REPO / "pressgen.toml", project / "pressgen.toml")
        seconds: dict[str, list[float]] = {way: [] for way in WAYS}
        for way in WAYS:  # a first process of each way fills its cache
            _one(way, project, folder)
        for _ in range(args.rounds):  # interleaved, so that the machine's load falls on every way alike
            for way in WAYS:
                seconds[way].append(_one(way, project, folder))
    medians = {way: statistics.median(values) for way, values in seconds.items()}
    result = {
        "templates": len(list((REPO / "templates").glob("*.html"))),
        "rounds": args.rounds,
        "median_ms": {way: round(value * 1000, 2) for way, value in medians.items()},
        "ratio_to_files": {way: round(value / medians["files"], 2) for way, value in medians.items()},
    }
    print(json.dumps(result, indent=1))
    return 0


def _one(way: str, project: Path, folder: Path) -> float:
    done = subprocess.run(
        [sys.executable, __file__, "--one", way, str(project), str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


if __name__ == "__main__":
    sys.exit(main())
