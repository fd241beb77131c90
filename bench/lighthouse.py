"""Lighthouse 12 on the pages journalists open: all four scores, the timings, the bytes loaded.

    .venv/bin/python bench/lighthouse.py [--repeat N] [--project DIR]

Builds the bundled project plus the fixture release of `tests/data/journalist-release` (a
4000×1000 picture in its body) into a temporary folder, or uses `--project DIR` as it is (build it
first), serves the output on 127.0.0.1 and runs Lighthouse (`node_modules/.bin/lighthouse`,
pinned by package-lock.json; mobile, simulated throttling: its defaults) against Debian's
Chromium on both release pages in English, the English newsroom and the language chooser.
Prints one row per page with the median of N runs. Nothing here asserts: the test suite checks
the scores that do not depend on timing (tests/test_site_quality.py).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import corpus
from pressgen.build import build
from pressgen.config import load_config
from pressgen.options import BuildOptions

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
    " --disable-component-update --disable-sync"
)
PAGES = (
    "en/2024-05-16-shared-incident-register/",
    "en/2024-05-17-nato-cyber-defence-pledge-conference/",
    "en/",
    "",
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_project(folder: Path) -> Path:
    """Copy the bundled project and the fixture release into `folder`, and build it."""
    project = corpus.fixture_project(REPO, folder / "project")
    build(load_config(project), BuildOptions(jobs=2))
    return project


def run_lighthouse(url: str, out: Path) -> dict[str, Any]:
    args = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}", f"--chrome-flags={FLAGS}"]
    subprocess.run(args, check=True, timeout=300, env={**os.environ, "CHROME_PATH": CHROMIUM})
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="runs per page; the table shows medians")
    parser.add_argument("--project", type=Path, help="an already built project to measure instead")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pressgen-lighthouse-"))
    try:
        project = args.project.resolve() if args.project else make_project(folder)
        handler = functools.partial(_Quiet, directory=str(project / "public"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{server.server_address[1]}/"
        print("| page | performance | accessibility | best practices | SEO | FCP s | LCP s | TBT ms | CLS | KB |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for page in PAGES:
            runs = [run_lighthouse(origin + page, folder / f"report-{i}.json") for i in range(args.repeat)]

            def median(pick: Any, runs: list[dict[str, Any]] = runs) -> float:
                return float(statistics.median(pick(r) for r in runs))

            scores = [round(100 * median(lambda r, c=c: r["categories"][c]["score"])) for c in CATEGORIES]
            fcp, lcp, tbt, cls = (median(lambda r, m=m: r["audits"][m]["numericValue"]) for m in METRICS)
            weight = median(lambda r: r["audits"]["total-byte-weight"]["numericValue"]) / 1024
            print(
                f"| /{page} | {' | '.join(map(str, scores))} | {fcp / 1000:.2f} | {lcp / 1000:.2f} | {tbt:.0f}"
                f" | {cls:.3f} | {weight:.0f} |"
            )
        server.shutdown()
    finally:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
