"""Benchmark `pressgen send` against a local SMTP server, and the raw smtplib send of the same message.

    .venv/bin/python bench/mail.py [--sizes 1000,10000] [--json FILE] [--keep]

For each size N: a copy of the bundled project (its release published in English, Dutch and
Romanian, built once so that the PDFs are in the cache, as an office builds before it sends), with
N subscribers in the three languages; an SMTP server on 127.0.0.1 (aiosmtpd, in this process,
keeping only the count, size and time of each message); then `pressgen send` as a process of its
own, measured (wall time, peak memory), with `rate` high enough not to hold it back. The baseline,
in the same run and against the same server: Python's smtplib sending one message that pressgen
sent (PDF attached) N times over one connection, with no rendering, addressing or log at all.
Printed: messages a second of each (from the server's first to its last message, and over the
whole process), their ratio, pressgen's peak memory, and the issue's targets met or missed
(>= 200 messages a second, < 200 MB). Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import smtplib
import socket
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

import measure

PROJECT = Path(__file__).resolve().parent.parent
PARTS = ("pressgen.toml", "releases", "locales", "templates", "published")
SLUG = "2024-05-17-nato-cyber-defence-pledge-conference"
LANGS = ("en", "nl", "ro")
TARGET_RATE = 200.0  # messages a second (issue 24)
TARGET_MB = 200.0


class Counter:
    """aiosmtpd's handler: the time, size and recipients of each message, nothing else."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.sizes: list[int] = []
        self.recipients: set[str] = set()
        self.duplicates = 0
        self.sample: bytes | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.times.append(time.perf_counter())
            self.sizes.append(len(envelope.original_content))
            for address in envelope.rcpt_tos:
                if address in self.recipients:
                    self.duplicates += 1
                self.recipients.add(address)
            if self.sample is None:
                self.sample = bytes(envelope.original_content)
        return "250 OK"

    def rate(self) -> float:
        """Return messages a second from the first message to the last."""
        if len(self.times) < 2:
            return 0.0
        return (len(self.times) - 1) / (self.times[-1] - self.times[0])


@dataclass
class Figures:
    size: int
    received: int
    duplicates: int
    mean_kb: float
    send_seconds: float  # the whole `pressgen send` process
    send_rate: float  # the server's first to last message
    send_rate_overall: float  # messages / process time
    peak_mb: float  # the largest resident set of the process
    baseline_rate: float  # raw smtplib, one connection, the same message
    ratio: float  # pressgen's rate / the baseline's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_project(folder: Path, size: int, url: str) -> Path:
    """Copy the bundled project, give it [mail] and `size` subscribers, and build it once."""
    project = folder / "project"
    project.mkdir()
    for part in PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        else:
            shutil.copy2(source, project / part)
    with (project / "pressgen.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n[mail]\nfrom = "Press office <press@newsroom.example.org>"\nsmtp = "{url}"\nrate = 10000\n'
            'retry_delay = 0\n[[mail.lists]]\nname = "journalists"\n'
        )
    rows = ["email,name,language,lists"]
    rows += [f"reader{n}@example.org,Reader {n},{LANGS[n % 3]},journalists" for n in range(size)]
    (project / "distribution").mkdir()
    (project / "distribution" / "subscribers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    measure.run([measure.executable("pressgen"), "-C", str(project), "build"], sample=False)
    return project


def baseline(url: str, message: bytes, count: int, handler: Counter) -> float:
    """Send `message` `count` times over one smtplib connection; return the server's messages a second."""
    host, port = url.removeprefix("smtp://").split(":")
    before = len(handler.times)
    with smtplib.SMTP(host, int(port)) as smtp:
        for n in range(count):
            smtp.sendmail("press@newsroom.example.org", [f"baseline{n}@example.org"], message)
    times = handler.times[before:]
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


def bench(size: int, keep: bool) -> Figures:
    handler = Counter()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    folder = Path(tempfile.mkdtemp(prefix="pressgen-bench-mail-"))
    try:
        url = f"smtp://127.0.0.1:{port}"
        project = make_project(folder, size, url)
        argv = [measure.executable("pressgen"), "-C", str(project), "send", SLUG, "--list", "journalists"]
        run = measure.run(argv)
        received, rate, duplicates = len(handler.times), handler.rate(), handler.duplicates
        mean_kb = sum(handler.sizes) / max(1, len(handler.sizes)) / 1024
        assert handler.sample is not None, "pressgen sent nothing"
        raw = baseline(url, handler.sample, size, handler)
        return Figures(
            size=size,
            received=received,
            duplicates=duplicates,
            mean_kb=mean_kb,
            send_seconds=run.seconds,
            send_rate=rate,
            send_rate_overall=received / run.seconds,
            peak_mb=run.max_rss_mb,
            baseline_rate=raw,
            ratio=rate / raw if raw else 0.0,
        )
    finally:
        controller.stop()
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def report(figures: list[Figures]) -> str:
    lines = [
        "subscribers  received  twice  mean kB  send s  pressgen msg/s  (whole process)  smtplib msg/s  ratio  peak MB",
    ]
    for f in figures:
        lines.append(
            f"{f.size:>11,}  {f.received:>8,}  {f.duplicates:>5}  {f.mean_kb:>7.1f}  {f.send_seconds:>6.1f}  "
            f"{f.send_rate:>14.0f}  {f.send_rate_overall:>15.0f}  {f.baseline_rate:>13.0f}  {f.ratio:>5.2f}  "
            f"{f.peak_mb:>7.1f}"
        )
    largest = figures[-1]
    rate_ok = "met" if largest.send_rate >= TARGET_RATE else "MISSED"
    memory_ok = "met" if all(f.peak_mb < TARGET_MB for f in figures) else "MISSED"
    lines.append(f"target >= {TARGET_RATE:.0f} messages/s at N = {largest.size:,}: {largest.send_rate:.0f} ({rate_ok})")
    lines.append(f"target peak memory < {TARGET_MB:.0f} MB: {max(f.peak_mb for f in figures):.1f} MB ({memory_ok})")
    if len(figures) > 1:
        grow = figures[-1].peak_mb - figures[0].peak_mb
        lines.append(f"peak memory from N = {figures[0].size:,} to N = {largest.size:,}: {grow:+.1f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="subscriber counts, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args(argv)
    figures = [bench(int(size), args.keep) for size in args.sizes.split(",")]
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
