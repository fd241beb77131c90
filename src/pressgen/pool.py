"""Rendering PDFs in worker processes, while the main process prepares the rest of the build.

This module does not import WeasyPrint: the workers do (once, through the fork server's preload
of `pressgen.prefork`), and the main process only when it renders itself (one job).

Starting workers costs more than most rebuilds: a Python process that imports WeasyPrint (about
half a second). So the fork server is started as soon as a build begins, without waiting for it;
the first worker is asked for only when the first document is submitted, by a thread of its own,
so that the main process goes on preparing documents (and pages) while WeasyPrint loads; and a
build that renders nothing never waits for a worker at all.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes.util
import gc
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import os
import queue
import select
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pressgen.errors import PressgenError
from pressgen.files import WRITE_FAILURES

if TYPE_CHECKING:
    from pressgen.pdf import PdfWriter


def font_subsetter() -> str:
    """Return which library WeasyPrint subsets embedded fonts with: HarfBuzz (fast) or fontTools."""
    return "HarfBuzz" if ctypes.util.find_library("harfbuzz-subset") else "fontTools"


@dataclass(frozen=True)
class PdfTask:
    """One PDF to render: its print HTML, the folder its relative URLs point into, where it goes."""

    html: str
    folder: str  # relative to the project (`pdf.PdfWriter.write`)
    pictures: tuple[str, ...]  # the files it may read in `folder`, relative to the project
    dest: Path
    source: Path  # the release.md the press office edits: errors about the document name it
    # The digest of pdf.css and the fonts this build saw: a writer made from other ones (in a process
    # that rendered an earlier build, as `serve` and `--jobs 1` do) is made again before it renders.
    styles: str = ""


@dataclass(frozen=True)
class PdfResult:
    index: int
    warnings: list[str]
    seconds: float


class PdfExecutor(Protocol):
    """What a build hands its PDFs to: the local pool (`PdfPool`) or a Dask cluster (`cluster.DaskPool`)."""

    jobs: int  # documents rendered at once

    def submit(self, index: int, task: PdfTask) -> None: ...

    def finished(self) -> list[PdfResult]: ...

    def results(self) -> Iterator[PdfResult]: ...

    def cancel(self) -> None: ...


# One writer per worker process: WeasyPrint is imported once, and the font configuration and the
# parsed stylesheet are reused for every document the worker renders, while they are the same.
_worker: PdfWriter | None = None
_worker_root = Path()  # the project `_worker` reads
_worker_styles = ""  # the `PdfTask.styles` of the documents `_worker` was made for


def _start_worker(root: Path, variant: str | None, styles: str = "") -> None:
    from pressgen.pdf import PdfWriter
    from pressgen.sandbox import ProjectFiles

    global _worker, _worker_root, _worker_styles
    _worker = PdfWriter(ProjectFiles(root), variant)
    _worker_root, _worker_styles = root, styles


def _start_child(root: Path, variant: str | None, main_pid: int, styles: str) -> None:
    """Set up a worker process: it dies with pressgen, and leaves Ctrl+C to the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # already so when forked from the fork server
    threading.Thread(target=exit_with, args=(main_pid,), daemon=True, name="watch pressgen").start()
    _start_worker(root, variant, styles)
    # A worker ends through multiprocessing's os._exit, which runs no atexit handler but runs its
    # finalizers: without this one, WeasyPrint's font configuration never removed its temporary
    # folder (a copy of the project's fonts, 3.4 MB), and every worker left one in the temp dir.
    multiprocessing.util.Finalize(None, _stop_worker, exitpriority=0)


def exit_with(pid: int) -> None:
    """End this process as soon as process `pid` ends.

    A worker's parent is the fork server, which lives as long as its workers do, and a worker
    waits on a task queue whose pipe it holds both ends of: without this watch, a build killed
    with SIGKILL or SIGTERM would leave its workers (and their fork server) running, holding
    its output pipe open.
    """
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (not Linux, or an old kernel): poll
        while True:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
    select.select([fd], [], [])  # readable once the process has ended
    os._exit(1)


@atexit.register
def _stop_worker() -> None:
    # Release WeasyPrint's font configuration (which removes its temporary folder of fonts) before
    # the interpreter tears its libraries down.
    global _worker
    _worker = None
    gc.collect()  # a stylesheet and its font configuration may refer to each other


def _render(index: int, task: PdfTask) -> PdfResult:
    assert _worker is not None
    if task.styles != _worker_styles:
        _start_worker(_worker_root, _worker.variant, task.styles)
    assert _worker is not None
    started = time.perf_counter()
    with rendering_errors(task.dest.name, task.source):
        warnings = _worker.write(task.html, task.folder, task.pictures, task.dest)
    return PdfResult(index, warnings, time.perf_counter() - started)


@contextlib.contextmanager
def rendering_errors(name: str, source: Path) -> Iterator[None]:
    """Report what goes wrong while PDF `name` renders as the error of its release (`source`)."""
    try:
        yield
    except PressgenError as exc:
        raise PressgenError.collect(replace(d, path=source) for d in exc.diagnostics) from None
    except (RecursionError, MemoryError, ValueError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno in WRITE_FAILURES:
            raise  # the machine's: the build reports it for the whole output
        # Input WeasyPrint cannot lay out (nesting too deep, a picture too large to decode):
        # the user's error, about this document.
        raise PressgenError(f"{name}: WeasyPrint could not render it ({type(exc).__name__}: {exc})", source) from None


def _blocking_ctrl_c() -> set[int | signal.Signals]:
    """Block SIGINT in this thread; return the mask to restore. Processes started meanwhile inherit it,
    so that Ctrl+C in the terminal reaches only the main process, which stops them itself."""
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def start_fork_server() -> bool:
    """Start the fork server that workers come from (loading WeasyPrint in it), without waiting for it.

    Returns False where there is no fork server (workers are then spawned afresh).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    multiprocessing.get_context("forkserver").set_forkserver_preload(["pressgen.prefork"])
    os.environ[BUILD_PID] = str(os.getpid())  # the process the fork server ends with (`prefork`)
    # The fork server is a new program (fork and exec), which does not inherit a blocked signal
    # but does inherit an ignored one: it starts with SIGINT ignored, and so do the workers it
    # forks (it gives them the handlers it started with). A Ctrl+C that comes meanwhile stays
    # pending (blocked) and reaches the main process's own handler afterwards.
    mask = _blocking_ctrl_c()
    handler = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    try:
        if handler is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        multiprocessing.forkserver.ensure_running()
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return True


# The environment variable that tells the fork server which process started it.
BUILD_PID = "PRESSGEN_BUILD_PID"
# Documents a worker renders before a fresh one takes over (see `_Workers`).
RECYCLE = 250


class _Workers:
    """A pool's worker processes: started for the first document, replaced when worn, stopped at the end.

    WeasyPrint's memory grows with each document a process renders (about 80 kB: 325 MB after
    3,000): after `RECYCLE` documents each, new workers (forked from the fork server, so in a
    few milliseconds) take over once the old ones have rendered what they hold (`recycle`).
    """

    def __init__(self, root: Path, variant: str | None, jobs: int):
        self.root = root
        self.variant = variant
        self.jobs = jobs
        self.forkserver = False
        self.executor: ProcessPoolExecutor | None = None
        self.submitted = 0  # documents handed to `executor`
        self.retired: list[ProcessPoolExecutor] = []  # earlier workers, finishing what they were given

    def submit(self, index: int, task: PdfTask) -> Future[PdfResult]:
        """Hand one task to the workers, starting them for its styles if they are not yet."""
        future = self._executor(task.styles).submit(_render, index, task)
        self.submitted += 1
        return future

    def _executor(self, styles: str) -> ProcessPoolExecutor:
        """Return the workers, started for `styles` (those of the first document) if they are not yet."""
        if self.executor is None:
            self.submitted = 0
            context = multiprocessing.get_context("forkserver" if self.forkserver else "spawn")
            self.executor = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=context,
                initializer=_start_child,
                initargs=(self.root, self.variant, os.getpid(), styles),
            )
        return self.executor

    def recycle(self) -> None:
        """Once the workers have had `RECYCLE` documents each, wait until they have rendered them;
        the next task starts fresh ones."""
        if self.executor is not None and self.submitted >= RECYCLE * self.jobs:
            retired, self.executor = self.executor, None
            self.retired.append(retired)
            retired.shutdown(wait=True)
            self.retired.remove(retired)

    def stop(self) -> None:
        """Stop every worker, old and current, waiting for what they render."""
        executors = [*self.retired, *([self.executor] if self.executor is not None else [])]
        self.executor, self.retired = None, []
        for executor in executors:
            # The worker processes, before shutdown forgets them: a worker that broke (killed, or
            # interrupted while it started) makes the executor stop waiting for the others.
            processes = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=True, cancel_futures=True)
            for process in processes:
                process.join(10)
                if process.is_alive():
                    process.kill()
                    process.join()


class _Feed:
    """The thread that hands submitted tasks to the workers (starting them on the way), and the
    futures of the tasks it handed: the main process never waits for a worker to start."""

    def __init__(self, workers: _Workers):
        self.workers = workers
        self.futures: list[Future[PdfResult]] = []
        self.waiting: queue.SimpleQueue[tuple[int, PdfTask] | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.lock = threading.Lock()

    def put(self, index: int, task: PdfTask) -> None:
        """Queue one task for the workers."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, daemon=True, name="pdf workers")
            self.thread.start()
        self.waiting.put((index, task))

    def _run(self) -> None:
        """Hand the queued tasks to the workers, starting them on the way (in this thread: starting
        one waits for the fork server to be ready, which the main process need not do)."""
        mask = _blocking_ctrl_c()
        try:
            while (item := self.waiting.get()) is not None:
                # Outside the lock: `cancel` and `close` cancel what waits, so this ends soon.
                self.workers.recycle()
                with self.lock:
                    if self.failure is None:
                        self.futures.append(self.workers.submit(*item))
        except BaseException as exc:  # a broken pool: `PdfPool.results` says so in the main thread
            self.failure = exc
            while self.waiting.get() is not None:
                pass
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def drain(self) -> None:
        """Wait until every task queued so far is with the workers."""
        if self.thread is not None:
            self.waiting.put(None)
            self.thread.join()
            self.thread = None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure

    def take_ready(self) -> tuple[list[Future[PdfResult]], list[Future[PdfResult]]] | None:
        """Take the futures that are done from those handed out; return them and those still pending.

        None once the feed has failed (`drain` raises it).
        """
        with self.lock:
            if self.failure is not None:
                return None
            ready = [future for future in self.futures if future.done()]
            pending = [future for future in self.futures if not future.done()]
            if ready:
                self.futures = pending
            return ready, pending

    def stop(self) -> None:
        """Let no more tasks reach the workers, and cancel those that wait for one."""
        with self.lock:
            self.failure = self.failure or _Cancelled()
            waiting = list(self.futures)
        for future in waiting:
            future.cancel()
        with contextlib.suppress(_Cancelled):
            self.drain()


class PdfPool:
    """Worker processes that render PDFs while the main process prepares the rest of the build.

    Workers come from a fork server that has loaded WeasyPrint once: they start fast, and do not
    inherit the main process's heap (forked from a main process full of catalogs and texts,
    workers rendered about 15 % slower). With one job, PDFs render in the main process. A pool
    serves one build after another (`pressgen serve` keeps its workers warm): `results` ends a
    build's documents, `cancel` abandons them, `close` stops the workers.
    """

    def __init__(self, root: Path, variant: str | None, jobs: int):
        self.root = root
        self.variant = variant
        self.jobs = jobs
        self.workers = _Workers(root, variant, jobs)
        self.feed = _Feed(self.workers)
        self.serial: list[PdfResult] = []

    def __enter__(self) -> PdfPool:
        if self.jobs > 1:
            self.workers.forkserver = start_fork_server()
        return self

    def submit(self, index: int, task: PdfTask) -> None:
        """Start rendering one task (at once, in the main process, with one job)."""
        if self.jobs <= 1:
            if _worker is None or _worker_root != self.root or _worker.variant != self.variant:
                _start_worker(self.root, self.variant, task.styles)
            self.serial.append(_render(index, task))
            return
        self.feed.put(index, task)

    def finished(self) -> list[PdfResult]:
        """Wait until at least one document submitted so far is rendered; return those that are.

        Their results are not given again by `results`. A build calls this when it has handed out
        enough documents (`pages.PdfWriter`), so that it holds the texts of only a few at a time.
        """
        if self.serial:
            done, self.serial = self.serial, []
            return done
        while (taken := self.feed.take_ready()) is not None:  # None: `results` raises the failure
            ready, pending = taken
            if ready:
                return [future.result() for future in ready]
            if pending:
                wait(pending, return_when=FIRST_COMPLETED)
            else:  # the feed has not handed the documents to the workers yet
                time.sleep(0.01)
        return []

    def results(self) -> Iterator[PdfResult]:
        """Yield each result as its PDF is written; the build's documents are done when it ends."""
        yield from self.serial
        self.serial = []
        self.feed.drain()
        for future in as_completed(self.feed.futures):
            yield future.result()
        self.feed.futures = []

    def cancel(self) -> None:
        """Drop what has not started and wait for what has: no worker writes after this."""
        self.serial = []
        self.feed.stop()
        for future in self.feed.futures:
            future.cancel()
        for future in self.feed.futures:
            if not future.cancelled():
                try:
                    future.exception()
                except BaseException:  # a broken pool, or an interrupted wait: close() finishes
                    self.close()
                    break
        self.feed.futures = []

    def close(self) -> None:
        """Stop the workers (waiting for what they render): no worker writes after this."""
        self.feed.stop()
        self.serial = []
        for future in self.feed.futures:
            future.cancel()
        self.workers.stop()
        self.feed.futures = []

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Cancelled(Exception):
    """The build stopped before its documents were all handed to the workers."""
