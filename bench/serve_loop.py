"""Measure `pressgen serve`'s edit loop: the time from saving a release to the reloaded page.

The server is started on the corpus (the preview of the current sources, its default), on a free
port. Once it serves its first build, each round reads the current build number from the
live-reload script of the release's page, opens the long poll that script opens
(`/.pressgen/reload?build=N`), saves a one-word edit to the release's `release.md` the way an
editor does, and stops the clock once the long poll has answered with a newer build AND a GET of
the release's page holds the new word: what a reader of the open page waits for.
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus
import measure

SERVING = re.compile(r"serving .* on (http://\S+/) ")
REBUILT = re.compile(r"rebuilt: (\d+) PDFs \((\d+) rendered\) in ([\d.]+) s")
BUILD_NUMBER = re.compile(rb"var build = (\d+);")
# A long poll answers after 25 s without a new build; a rebuild may take longer than that on a
# large corpus, so the poll is asked again until this many seconds have passed.
ROUND_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
GROUP_TIMEOUT = 10.0
# After a round, the watcher must be idle again before the next save.
SETTLE_SECONDS = 1.0


@dataclass
class Server:
    """A running `pressgen serve`, with what it printed (each line with the time it arrived)."""

    process: subprocess.Popen[str]
    lines: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.lock:
                self.lines.append((time.perf_counter(), line.rstrip("\n")))

    def output(self) -> list[str]:
        with self.lock:
            return [line for _, line in self.lines]


def _get(url: str, timeout: float = 30.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        body: bytes = answer.read()
        return body


def _start(root: Path, timeout: float) -> tuple[Server, str, float]:
    """Start the server; return it, its URL and the seconds until it served its first build."""
    command = [measure.executable("pressgen"), "-C", str(root), "serve", "--port", "0"]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}  # its lines as they are printed, not at exit
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        start_new_session=True,  # its own process group: Ctrl+C is sent to the group, as a terminal does
    )
    server = Server(process)
    threading.Thread(target=server.read, daemon=True, name="serve output").start()
    while time.perf_counter() - started < timeout:
        for line in server.output():
            found = SERVING.search(line)
            if found:
                return server, found.group(1), time.perf_counter() - started
        if process.poll() is not None:
            break
        time.sleep(0.05)
    _stop(server)
    raise SystemExit(f"pressgen serve did not serve within {timeout:.0f} s:\n" + "\n".join(server.output()))


def _stop(server: Server) -> dict[str, Any]:
    """Stop the server with Ctrl+C (SIGINT to its process group); fail loudly unless it stops cleanly."""
    process = server.process
    group = process.pid  # start_new_session: the group's id is the leader's pid
    if process.returncode is None:
        os.killpg(group, signal.SIGINT)
    deadline = time.perf_counter() + STOP_TIMEOUT
    status = usage = None
    while time.perf_counter() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.05)
    else:
        os.killpg(group, signal.SIGKILL)
        os.wait4(process.pid, 0)
        process.returncode = -signal.SIGKILL
        raise SystemExit(
            f"pressgen serve did not stop within {STOP_TIMEOUT:.0f} s of SIGINT (killed):\n"
            + "\n".join(server.output())
        )
    process.returncode = os.waitstatus_to_exitcode(status)
    # Its helpers (fork server, resource tracker, spell checkers) end when they see it gone.
    deadline = time.perf_counter() + GROUP_TIMEOUT
    leftover = _group_members(group)
    while leftover and time.perf_counter() < deadline:
        time.sleep(0.1)
        leftover = _group_members(group)
    if leftover:
        os.killpg(group, signal.SIGKILL)
    output = server.output()
    if process.returncode != 0 or leftover or any("Traceback" in line for line in output):
        raise SystemExit(
            f"pressgen serve did not stop cleanly on SIGINT (exit code {process.returncode}"
            + (f"; still running {GROUP_TIMEOUT:.0f} s later, killed: {'; '.join(leftover)}" if leftover else "")
            + "):\n"
            + "\n".join(output)
        )
    assert usage is not None
    return {"exit_code": process.returncode, "max_rss_mb": usage.ru_maxrss / 1024, "last_line": output[-1:]}


def _group_members(group: int) -> list[str]:
    """Return the live processes of process group `group` (pid and command), zombies left out."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text(encoding="utf-8", errors="replace")
            command = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # Fields after the command name (in parentheses): state, parent, process group.
        state, _, pgrp = stat[stat.rfind(")") + 2 :].split()[:3]
        if int(pgrp) == group and state != "Z":
            members.append(f"{entry.name} {command.strip()[:80]}")
    return members


def _round(server: Server, url: str, page: str, project: corpus.Corpus, slug: str) -> dict[str, Any]:
    """Save one edit; return the seconds until the page reloads with it, and what the server rebuilt."""
    html = _get(page)
    found = BUILD_NUMBER.search(html)
    if found is None:
        raise SystemExit(f"{page}: no live-reload script (var build = N;) in the page")
    build = int(found.group(1))
    answers: list[int] = []

    def poll() -> None:
        number = build
        while number <= build and time.perf_counter() < deadline:
            number = int(_get(f"{url}.pressgen/reload?build={build}", timeout=ROUND_TIMEOUT))
        answers.append(number)

    deadline = time.perf_counter() + ROUND_TIMEOUT
    poller = threading.Thread(target=poll, daemon=True, name="long poll")
    poller.start()
    time.sleep(0.2)  # the long poll is open before the save, as in a browser that shows the page
    lines_before = len(server.output())
    started = time.perf_counter()
    new = corpus.edit_word(project, slug, like_an_editor=True)
    poller.join(ROUND_TIMEOUT)
    if not answers or answers[0] <= build:
        raise SystemExit(f"no newer build than {build} within {ROUND_TIMEOUT:.0f} s:\n" + "\n".join(server.output()))
    polled = time.perf_counter() - started
    expected = f" {new} to report back".encode()
    while expected not in _get(page):
        if time.perf_counter() - started > ROUND_TIMEOUT:
            raise SystemExit(f"{page} never showed '{new}' after build {answers[0]}")
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    time.sleep(SETTLE_SECONDS)
    rebuilt = [REBUILT.search(line) for line in server.output()[lines_before:]]
    builds = [m for m in rebuilt if m]
    return {
        "seconds": seconds,
        "poll_seconds": polled,
        "build": answers[0],
        "word": new,
        "rebuilds": len(builds),
        "rendered": sum(int(m.group(2)) for m in builds),
        "build_seconds": sum(float(m.group(3)) for m in builds),
    }


def measure_serve(project: corpus.Corpus, slug: str, rounds: int, start_timeout: float) -> dict[str, Any]:
    """Start `pressgen serve` on `project`, time `rounds` saves of one-word edits to `slug`, stop it."""
    server, url, first_seconds = _start(project.root, start_timeout)
    sampler = measure.TreeSampler(server.process.pid)
    sampler.start()
    try:
        page = f"{url}{project.config.source_language}/{slug}/"
        time.sleep(SETTLE_SECONDS)  # the watcher starts after the first build
        done = [_round(server, url, page, project, slug) for _ in range(rounds)]
    except BaseException:
        sampler.stop()
        try:
            _stop(server)
        except SystemExit as exc:
            print(exc, flush=True)
        raise
    sampler.stop()
    stopped = _stop(server)
    seconds = [r["seconds"] for r in done]
    return {
        "release": slug,
        "first_build_seconds": first_seconds,
        "rounds": done,
        "seconds": statistics.median(seconds),
        "min_seconds": min(seconds),
        "max_seconds": max(seconds),
        "rendered": [r["rendered"] for r in done],
        "max_rss_mb": stopped["max_rss_mb"],
        "peak_total_mb": sampler.peak_kib / 1024,
    }
