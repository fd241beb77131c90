"""Run one command as a process and measure it: wall time, peak memory, what it printed.

Two memory figures:
- `max_rss_mb`: the largest resident set of any single process of the command (the process
  itself or any descendant it waited for, such as pressgen's PDF workers), exact, from the
  kernel's resource usage returned by `wait4` for that one child;
- `peak_total_mb`: the largest sum of the resident sets of the whole process tree at one time,
  sampled from /proc every 0.1 s (so it can miss a short peak).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Run:
    """What one command did."""

    argv: list[str]
    seconds: float
    exit_code: int
    stdout: str
    stderr: str
    max_rss_mb: float
    peak_total_mb: float


def _parents() -> dict[int, int]:
    """Return every process's parent, from /proc/<pid>/stat."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Sample the summed resident set of a process and all its descendants until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            parents = _parents()
            tree = {self.pid}
            grew = True
            while grew:
                more = {pid for pid, parent in parents.items() if parent in tree} - tree
                tree |= more
                grew = bool(more)
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(pid) for pid in tree))
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def executable(name: str) -> str:
    """Return the path of command `name` from this Python's environment (the venv), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"command not found: {name}")
    return found


def run(argv: list[str], check: bool = True, sample: bool = True) -> Run:
    """Run `argv` (no shell, standard input from /dev/null) and measure it."""
    with tempfile.TemporaryDirectory(prefix="pressgen-bench-run-") as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(out), flags, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, str(err), flags, 0o600),
        ]
        started = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        sampler = TreeSampler(pid)
        if sample:
            sampler.start()
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - started
        if sample:
            sampler.stop()
        result = Run(
            argv=argv,
            seconds=seconds,
            exit_code=os.waitstatus_to_exitcode(status),
            stdout=out.read_text(encoding="utf-8", errors="replace"),
            stderr=err.read_text(encoding="utf-8", errors="replace"),
            max_rss_mb=usage.ru_maxrss / 1024,  # Linux: KiB
            peak_total_mb=sampler.peak_kib / 1024,
        )
    if check and result.exit_code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.exit_code}):\n{result.stdout}{result.stderr}")
    return result
