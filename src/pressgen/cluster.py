"""Rendering PDFs on a Dask cluster: `pressgen build --executor dask --scheduler tcp://HOST:PORT`.

The local pool (`pool.PdfPool`) renders on this machine's cores. A cluster renders on as many
machines as it has workers: for the one load that outgrows a machine, an archive rendered again
after a template change. Only this module imports Dask (`pip install pressgen[dask]`), through
`distributed`'s public API: `Client.submit`, `wait`, `Client.scatter` for the files documents share.

Each document travels with everything it reads: its print HTML and, by digest, the files of
templates/ (pdf.css, the fonts, the logo: sent once, to every worker) and its pictures (sent once;
Dask copies each to the workers that need it). A worker keeps what it received by digest and
renders from that alone (`sandbox.SentFiles`): the sandbox's rules hold there as here, and it
fetches nothing else. It returns the PDF's bytes, which this process writes where a local
worker would have, so the rest of the build (cache, pages, progress) does not know the difference.

Before anything is sent, every worker's pressgen, the libraries that draw a PDF and the fonts of
its system are compared with this machine's (`renderer_facts`): a worker that would draw other
bytes than the local pool is an error that names it, not a PDF that differs.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import dask.config
from dask.utils import parse_timedelta
from distributed import CancelledError, Client, Future, KilledWorker, wait

from pressgen import __version__
from pressgen.cache import RENDERING, digest_of
from pressgen.errors import Diagnostic, PressgenError, plural
from pressgen.pool import PdfResult, PdfTask, rendering_errors
from pressgen.sandbox import TEMPLATES, ProjectFiles, Refused, SentFiles, readable_within

# The libraries whose versions change the bytes of a PDF (WeasyPrint and what it draws with).
DRAWING_LIBRARIES = ("weasyprint", "pydyf", "pillow", "fonttools", "pyphen", "tinycss2", "tinyhtml5", "cssselect2")
# How often a build that waits for PDFs checks that the cluster still has workers.
WATCH_SECONDS = 1.0


@dataclass(frozen=True)
class SentTask:
    """One document as a worker receives it: its print HTML and the digest of every file it may read."""

    html: str
    folder: str  # relative to the project: the folder its relative URLs point into
    pictures: tuple[str, ...]
    files: dict[str, str | None]  # path → digest: the files of templates/ and its pictures (None: refused)
    variant: str | None
    name: str  # the PDF's file name, and the release.md its errors name (a path of this machine)
    source: Path


@dataclass(frozen=True)
class SentResult:
    pdf: bytes
    warnings: list[str]
    seconds: float


# --- on a worker ----------------------------------------------------------------------------------

# One document at a time in a worker process, whatever its threads: WeasyPrint is not made for
# threads (and the GIL would let only one draw at a time anyway). Start workers with --nthreads 1.
_drawing = threading.Lock()
# The worker's writer (font configuration, parsed pdf.css), made again when the files of templates/ change.
_writer: tuple[str, Any] | None = None


def render_sent(task: SentTask, templates: dict[str, bytes], pictures: dict[str, bytes]) -> SentResult:
    """Render one document on a worker from the files it was sent: their bytes by digest, those of
    templates/ in one piece (one dependency for the scheduler, not one a file)."""
    from pressgen.pdf import PdfWriter

    global _writer
    files = SentFiles(task.files, {**templates, **pictures})
    key = digest_of(task.variant, sorted((path, d) for path, d in task.files.items() if path.startswith(TEMPLATES)))
    with _drawing:
        if _writer is None or _writer[0] != key:
            _writer = None
            with rendering_errors(task.name, task.source):
                _writer = (key, PdfWriter(files, task.variant))
        started = time.perf_counter()
        pdf = io.BytesIO()
        with rendering_errors(task.name, task.source):
            warnings = _writer[1].write(task.html, task.folder, task.pictures, pdf, files)
    return SentResult(pdf.getvalue(), warnings, time.perf_counter() - started)


def load_weasyprint() -> None:
    """Import WeasyPrint in a worker before its first document comes (half a second)."""
    import pressgen.pdf  # noqa: F401


class _FcFontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]


def system_fonts() -> list[str]:
    """Return the fonts of this machine as fontconfig lists them ("family style version", sorted).

    They draw what no bundled font has (`pdf._FallbackFonts` warns about it) and what a template
    asks of a generic family: two machines with other fonts may draw other PDFs. Read through
    fontconfig's C API (the library WeasyPrint draws with), which every machine that runs
    WeasyPrint has; its command-line tools may not be installed.
    """
    try:
        fc = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        return ["(fontconfig not found)"]
    fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fc.FcConfigGetFonts.restype = ctypes.POINTER(_FcFontSet)
    fc.FcConfigGetFonts.argtypes = [ctypes.c_void_p, ctypes.c_int]
    fc.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    fc.FcPatternGetInteger.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    fc.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    config = fc.FcInitLoadConfigAndFonts()
    found = set()
    try:
        fonts = fc.FcConfigGetFonts(config, 0)  # FcSetSystem: the machine's fonts, not an application's
        for index in range(fonts.contents.nfont if fonts else 0):
            pattern = fonts.contents.fonts[index]
            family, style, version = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_int()
            fc.FcPatternGetString(pattern, b"family", 0, ctypes.byref(family))
            fc.FcPatternGetString(pattern, b"style", 0, ctypes.byref(style))
            fc.FcPatternGetInteger(pattern, b"fontversion", 0, ctypes.byref(version))
            names = [(text.value or b"?").decode("utf-8", "replace") for text in (family, style)]
            found.add(f"{names[0]} {names[1]} {version.value / 65536:.3f}")
    finally:
        fc.FcConfigDestroy(config)
    return sorted(found)


def renderer_facts() -> dict[str, Any]:
    """Return what decides the bytes this process draws: pressgen, the drawing libraries, the system's fonts."""
    versions = {}
    for name in DRAWING_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"pressgen": f"{__version__} (rendering {RENDERING})", **versions, "fonts": system_fonts()}


# --- on this machine ------------------------------------------------------------------------------


def check_workers(here: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Stop unless every worker draws as this machine would: the same pressgen, libraries and fonts.

    `theirs` is what `Client.run(renderer_facts)` returned by worker: its facts, or the exception
    that running it raised there (a worker without pressgen cannot even read the function).
    """
    problems = []
    for worker, facts in sorted(theirs.items()):
        if isinstance(facts, BaseException):
            problems.append(
                f"Dask worker {worker} cannot run pressgen ({type(facts).__name__}: {facts}): "
                f"install pressgen {__version__} there"
            )
            continue
        for name, value in here.items():
            if name != "fonts" and facts.get(name) != value:
                problems.append(
                    f"Dask worker {worker} has {name} {facts.get(name)}, this machine {value}: "
                    "install the same versions on every worker"
                )
        lacks = sorted(set(here["fonts"]) - set(facts.get("fonts", [])))
        more = sorted(set(facts.get("fonts", [])) - set(here["fonts"]))
        if lacks or more:
            what = [f"lacks {_some(lacks)}" if lacks else "", f"has {_some(more)} more" if more else ""]
            problems.append(
                f"Dask worker {worker} has other fonts than this machine ({'; '.join(w for w in what if w)}): "
                "install the same fonts on every worker, or its PDFs may differ"
            )
    if problems:
        raise PressgenError.collect(Diagnostic(problem) for problem in problems)


def _some(fonts: list[str]) -> str:
    shown = ", ".join(fonts[:3])
    return f"{plural(len(fonts), 'font')}: {shown}" + (", …" if len(fonts) > 3 else "")


def connect(scheduler: str) -> tuple[Client, list[Future[None]]]:
    """Connect to the scheduler, wait for a worker, and check that every worker draws as this machine does.

    Returns the client and, for each worker, its loading of WeasyPrint, which goes on while this
    process gathers the documents.
    """
    grace = _grace()
    try:
        client = Client(scheduler)
    except OSError as exc:
        raise PressgenError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    try:
        client.wait_for_workers(1, timeout=grace)
        facts = client.run(renderer_facts, on_error="return")
        check_workers(renderer_facts(), facts)
        return client, [client.submit(load_weasyprint, workers=[w], pure=False) for w in facts]
    except TimeoutError:
        client.close()
        raise PressgenError(
            f"the Dask cluster at {scheduler} has no worker (waited {grace:g} s): start workers "
            f"with 'dask worker {scheduler} --nthreads 1'"
        ) from None
    except BaseException:
        client.close()
        raise


def _grace() -> float:
    """Return how long to wait for the cluster: Dask's own connection timeout (its configuration)."""
    seconds = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="seconds")
    return float(seconds or 30)


@dataclass
class _Uploads:
    """The files a build's documents read, on the cluster: those of templates/ sent once to every
    worker, each picture sent once (by digest) for Dask to copy where it is needed."""

    files: ProjectFiles
    templates: dict[str, str | None] | None = None  # path → digest of the files of templates/
    sent_templates: Future[dict[str, bytes]] | None = None  # their bytes on every worker, by digest
    sent: dict[str, Future[bytes]] = field(default_factory=dict)  # digest → a picture's bytes on the cluster

    def send(self, client: Client, task: PdfTask, variant: str | None) -> tuple[SentTask, dict[str, Future[bytes]]]:
        """Send the files `task` reads that the cluster lacks; return the document as a worker receives
        it, and the pictures it reads on the cluster, by digest."""
        if self.templates is None:  # sent once, to every worker: every document reads them
            self.templates, found = self._read({path: TEMPLATES for path in self.files.templates()})
            key = f"pressgen-templates-{digest_of(sorted(found))}"
            self.sent_templates = client.scatter({key: found}, broadcast=True)[key]
        pictures, found = self._read({path: readable_within(path, task.pictures) for path in task.pictures})
        new = {digest: data for digest, data in found.items() if digest not in self.sent}
        if new:
            keys = {digest: f"pressgen-file-{digest}" for digest in new}
            scattered = client.scatter({keys[d]: data for d, data in new.items()})
            self.sent.update((d, scattered[keys[d]]) for d in new)
        files = {**self.templates, **pictures}
        sent = SentTask(task.html, task.folder, task.pictures, files, variant, task.dest.name, task.source)
        return sent, {digest: self.sent[digest] for digest in found}

    def _read(self, paths: dict[str, str]) -> tuple[dict[str, str | None], dict[str, bytes]]:
        """Read the files at `paths` (each with the folder it must lie in): their digests, and their bytes by digest.

        A file out of its folder has the digest None (the worker refuses it as this machine would);
        one that is not there is left out (the worker does not find it either).
        """
        digests: dict[str, str | None] = {}
        found: dict[str, bytes] = {}
        for path, within in paths.items():
            try:
                data = self.files.read(path, within)
            except Refused:
                digests[path] = None
                continue
            except FileNotFoundError:
                continue
            digest = hashlib.sha256(data).hexdigest()
            digests[path], found[digest] = digest, data
        return digests, found


@dataclass
class DaskPool:
    """A Dask cluster that renders a build's PDFs: the local pool's interface (`pool.PdfExecutor`).

    `jobs` is the number of its workers, each rendering one document at a time.
    """

    root: Path
    variant: str | None
    scheduler: str
    jobs: int = 1
    client: Client | None = None
    uploads: _Uploads = field(init=False)
    futures: dict[Future[SentResult], tuple[int, PdfTask]] = field(default_factory=dict)
    warm: list[Future[None]] = field(default_factory=list)  # each worker loading WeasyPrint

    def __post_init__(self) -> None:
        self.uploads = _Uploads(ProjectFiles(self.root))

    def __enter__(self) -> DaskPool:
        """Connect to the cluster (`connect`); its workers load WeasyPrint while this process gathers the documents."""
        self.client, self.warm = connect(self.scheduler)
        self.jobs = len(self.warm)
        return self

    def submit(self, index: int, task: PdfTask) -> None:
        """Send one document (with the files it reads that the cluster lacks) to be rendered."""
        assert self.client is not None
        sent, blobs = self.uploads.send(self.client, task, self.variant)
        key = f"pressgen-pdf-{uuid.uuid4().hex}"
        future = self.client.submit(render_sent, sent, self.uploads.sent_templates, blobs, key=key, pure=False)
        self.futures[future] = (index, task)

    def _rendered(self) -> list[Future[SentResult]]:
        """Wait until at least one submitted document is rendered (or failed); return those that are.

        A cluster left without a worker for as long as Dask waits to connect is an error: its
        tasks would wait for ever.
        """
        assert self.client is not None
        alone_since: float | None = None
        while True:
            try:
                done, _ = wait(list(self.futures), timeout=WATCH_SECONDS, return_when="FIRST_COMPLETED")
                return list(done)
            except TimeoutError:
                pass
            try:
                workers = self.client.nthreads()
            except OSError as exc:
                raise PressgenError(f"lost the Dask scheduler at {self.scheduler} ({exc})") from None
            if workers:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > _grace():
                raise PressgenError(
                    f"the Dask cluster at {self.scheduler} has had no worker for {_grace():g} s, "
                    f"with {plural(len(self.futures), 'PDF')} to render: start workers and build again"
                )

    def _take(self, future: Future[SentResult]) -> PdfResult:
        """Write one rendered PDF where the build expects it; raise what went wrong on the worker."""
        index, task = self.futures.pop(future)
        try:
            result = future.result()
        except KilledWorker as exc:
            raise PressgenError(
                f"{task.dest.name}: the Dask worker rendering it died ({exc.last_worker.address}; "
                f"{plural(exc.allowed_failures + 1, 'worker')} tried): see the worker's log, and build again",
                task.source,
            ) from None
        except CancelledError:
            raise PressgenError(
                f"lost the Dask scheduler at {self.scheduler} while it rendered {task.dest.name}"
            ) from None
        task.dest.parent.mkdir(parents=True, exist_ok=True)
        task.dest.write_bytes(result.pdf)
        return PdfResult(index, result.warnings, result.seconds)

    def finished(self) -> list[PdfResult]:
        """Wait until at least one document submitted so far is rendered; return those that are."""
        if not self.futures:
            return []
        return [self._take(future) for future in self._rendered()]

    def results(self) -> Iterator[PdfResult]:
        """Yield each result as its PDF is written; the build's documents are done when it ends."""
        while self.futures:
            yield from self.finished()

    def cancel(self) -> None:
        """Drop every document not yet rendered: nothing is written after this."""
        if self.client is not None and self.futures:
            with contextlib.suppress(OSError):  # the scheduler is gone already
                self.client.cancel(list(self.futures))
        self.futures = {}

    def close(self) -> None:
        """Let go of what was sent and disconnect from the scheduler."""
        self.cancel()
        self.uploads, self.warm = _Uploads(self.uploads.files), []
        if self.client is not None:
            client, self.client = self.client, None
            client.close()

    def __exit__(self, *exc: object) -> None:
        self.close()
