"""Build: render the publication record (or a preview of the current sources) into a site,
doing only the work that what changed calls for.

The stages, top to bottom:

1. The no-op check: the digests of every input file (`cache.Sources`) and the output's files are
   what the last build of this folder saw (`cache.Manifest`), and no embargo lifted since: stop.
2. Gathering (`gather.py`), before anything is written: every source is checked (releases,
   their pictures and catalogs, each parsed only if its digest is new), then the documents are
   chosen (`public_documents` from the record, or `preview_documents` from the sources with the
   gate's verdict). The modules of stages 2 and 3 are imported only once stage 1 finds work.
   Each document carries a key: the digest of everything its texts come from. Its texts are made
   only when something of it has to be rendered.
3. Writing (`site.Site`, one writer per kind of output): each page, PDF, newsroom page, feed and
   sitemap is a unit that declares its inputs (`writing.Unit`); one loop keys it with their digest,
   keeps it from the previous generation of the output when its key is unchanged, or makes it.
   The stage is swapped in whole at the end (`output.generation`), so a failed build leaves the
   previous output as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pressgen.cache import (
    Manifest,
    Memo,
    Sources,
    files_fingerprint,
    output_fingerprint,
    read_manifest,
    read_state,
    write_manifest,
    write_state,
)
from pressgen.config import Config
from pressgen.errors import PressgenError, UsageError
from pressgen.files import WRITE_FAILURES, real_dir
from pressgen.options import BuildOptions, BuildReport, Progress
from pressgen.output import Generation, check_output_dir, generation, project_lock

if TYPE_CHECKING:
    from pressgen.gather import Document
    from pressgen.pool import PdfExecutor, PdfPool


def build(
    config: Config, options: BuildOptions, progress: Progress = lambda _: None, pool: PdfPool | None = None
) -> BuildReport:
    """Build the public site from the publication record (or a preview, or the embargoed pack).

    `pool` is a running pool of PDF workers to use (`pressgen serve` keeps one); by default the
    build starts its own.
    """
    started = time.monotonic()
    out_dir = output_dir(config, options)
    scheduler = dask_scheduler(config, options) if pool is None else None
    now = options.now or dt.datetime.now(dt.UTC)
    recorded = options.recorded_as or out_dir

    # Nothing changed since the last build of this folder: say so, render nothing. The PDF workers'
    # fork server takes a second to load WeasyPrint: it starts as soon as the scan meets a changed
    # source, while the rest is scanned and gathered (a build that finds nothing never starts it).
    jobs = options.jobs or os.cpu_count() or 1
    sources = Sources.scan(config, _start_workers if pool is None and scheduler is None and jobs > 1 else None)
    fingerprint = sources.fingerprint(_options_key(options, out_dir))
    previous = read_manifest(config, recorded)
    if (
        options.only is None
        and previous is not None
        and previous.still_valid(fingerprint, output_fingerprint(out_dir), now)
    ):
        return BuildReport.from_summary(out_dir, previous.summary, time.monotonic() - started)

    # The fork server starts loading WeasyPrint now (if the scan did not start it), while the main
    # process gathers. What the rest of the build needs is imported only now: a no-op build stays
    # a fraction of a second.
    from pressgen.pool import PdfPool

    workers: AbstractContextManager[PdfExecutor | None]
    if pool is not None:
        workers = nullcontext(pool)
    elif scheduler is not None:
        try:
            from pressgen.cluster import DaskPool
        except ModuleNotFoundError as exc:
            if exc.name not in ("dask", "distributed"):
                raise
            raise PressgenError("--executor dask needs Dask here: pip install 'pressgen[dask]'") from None
        workers = DaskPool(config.root, options.pdf_variant, scheduler)
    else:
        workers = PdfPool(config.root, options.pdf_variant, jobs)
    with workers as executor:
        assert executor is not None
        report = _gather_and_write(config, options, out_dir, now, sources, fingerprint, executor, progress)
    report.seconds = time.monotonic() - started
    return report


def dask_scheduler(config: Config, options: BuildOptions) -> str | None:
    """Return the address of the Dask scheduler that renders this build's PDFs, None for the local pool."""
    executor = options.executor or config.executor
    if executor != "dask":
        if options.scheduler is not None:
            raise UsageError("--scheduler is the address of a Dask scheduler: give it with --executor dask")
        return None
    if options.jobs is not None:
        raise UsageError("--jobs sets this machine's PDF workers: a Dask cluster renders with its own workers")
    scheduler = options.scheduler or config.scheduler
    if scheduler is None:
        raise UsageError(
            "--executor dask needs the scheduler's address: --scheduler tcp://HOST:PORT, or [build] scheduler "
            "in pressgen.toml"
        )
    return scheduler


def _start_workers() -> None:
    from pressgen.pool import start_fork_server

    start_fork_server()


def _gather_and_write(
    config: Config,
    options: BuildOptions,
    out_dir: Path,
    now: dt.datetime,
    sources: Sources,
    fingerprint: str,
    pool: PdfExecutor,
    progress: Progress,
) -> BuildReport:
    """Read and check everything, then write the output folder (the build after its no-op check)."""
    from pressgen.pool import font_subsetter
    from pressgen.site import Site

    recorded = options.recorded_as or out_dir
    state = read_state(config, recorded)
    memo = Memo(state.get("memo"))
    report = BuildReport(out_dir=out_dir)
    documents, embargoes = _gather(config, options, now, sources, memo, report)

    # Write: into the stage of the next generation of the output, swapped in whole at the end.
    live = Generation.from_data(state.get("live"))
    shadow = Generation.from_data(state.get("previous")) if options.recorded_as is None else None
    with project_lock(real_dir(config.cache_dir, config.root)), _writing(out_dir):
        with generation(out_dir, live, shadow) as stage:
            site = Site(config, options, sources, memo, documents, stage, report)
            try:
                site.write(pool, progress)
            except BaseException:
                pool.cancel()  # before the stage is discarded: no worker may write into it afterwards
                raise
            if options.strict and report.warnings:
                raise PressgenError.collect(
                    [replace(w, severity="error", message=f"{w.message} (--strict)") for w in report.warnings]
                )
        assert stage.result is not None
        report.versions = len(documents)
        report.releases = len({d.slug for d in documents})
        report.font_subsetter = font_subsetter()
        valid_from, valid_until = _embargo_span(embargoes, now)
        # What the output holds now is what the stage held when it was swapped in: no second scan.
        out_fingerprint = files_fingerprint(stage.result.files)
        manifest = Manifest(
            fingerprint,
            out_fingerprint,
            valid_from,
            valid_until,
            report.summary(),
            sorted(site.cache.used),
        )
        kept: dict[str, Any] = {"live": stage.result.as_data(), "memo": memo.data()}
        if stage.previous is not None:
            kept["previous"] = stage.previous.as_data()
        write_state(config, recorded, kept)
        site.cache.prune(write_manifest(config, recorded, manifest))
    sources.settle()
    return report


def _gather(
    config: Config, options: BuildOptions, now: dt.datetime, sources: Sources, memo: Memo, report: BuildReport
) -> tuple[list[Document], list[dt.datetime]]:
    """Read and check everything before anything is written; return the documents to write and the
    embargoes the output knows of (the moments at which it stops being valid).

    A public build renders the record alone: what is wrong in the current sources is a warning.
    """
    from pressgen.gather import (
        check_sources,
        preview_documents,
        public_documents,
        recorded_embargoes,
        warn_of_sources,
    )

    if options.preview:
        facts = check_sources(config, sources, memo, options)
        documents = preview_documents(config, sources, memo, facts, options, now, report)
        return documents, [d.embargo for d in documents if d.embargo is not None]
    warn_of_sources(config, sources, memo, options, report)
    documents = public_documents(config, sources, memo, options, now, report)
    return documents, recorded_embargoes(memo)


@contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """Report a failure to write the output (a full disk, a read-only folder) as the output's."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_FAILURES:
            raise
        raise PressgenError(f"{exc.strerror} (the previous output is unchanged)", out_dir) from None


def output_dir(config: Config, options: BuildOptions) -> Path:
    """Return the folder this build writes, refusing one that it must not replace."""
    if options.embargoed and options.out is None:
        raise UsageError("--embargoed writes a private pack: give it its own --out folder, never the public output")
    others = {"the public output": config.output_dir} if options.embargoed or options.preview else {}
    if not options.preview:
        others["the preview"] = config.preview_dir
    if options.out is not None:
        return check_output_dir(config.root, options.out, f"--out {options.out}", others)
    default = config.preview_dir if options.preview else config.output_dir
    key = "site.preview_dir" if options.preview else "site.output_dir"
    return check_output_dir(config.root, default, f"{key} {os.path.relpath(default, config.root)}", others)


def _options_key(options: BuildOptions, out_dir: Path) -> dict[str, object]:
    """Return the options that change what a build writes (not when it runs or how fast)."""
    return {
        "out": str(out_dir),
        "preview": options.preview,
        "embargoed": options.embargoed,
        "variant": options.pdf_variant,
        "strict": options.strict,
        "lists": [options.page_size, options.feed_size, options.sitemap_limit],
    }


def _embargo_span(embargoes: list[dt.datetime], now: dt.datetime) -> tuple[str | None, str | None]:
    """Return the last embargo lifted before `now` and the next one to lift: the build is valid between."""
    lifted = [moment for moment in embargoes if moment <= now]
    pending = [moment for moment in embargoes if moment > now]
    return (max(lifted).isoformat() if lifted else None, min(pending).isoformat() if pending else None)


def print_documents(config: Config, options: BuildOptions) -> Iterator[tuple[str, str, Path]]:
    """Yield the final print HTML of every PDF a build would write: (PDF name, HTML, release folder).

    For benchmarks and debugging: the same documents `build` hands to WeasyPrint, one at a time
    (the texts of 30,000 documents would not fit in memory at once).
    """
    from pressgen.gather import check_sources, preview_documents, public_documents
    from pressgen.writing import print_html, renderers

    now = options.now or dt.datetime.now(dt.UTC)
    report = BuildReport(out_dir=config.output_dir)
    sources, memo = Sources.scan(config), Memo()
    if options.preview:
        facts = check_sources(config, sources, memo, options)
        documents = preview_documents(config, sources, memo, facts, options, now, report)
    else:
        documents = public_documents(config, sources, memo, options, now, report)
    languages = renderers(config, sources, options)
    for document in documents:
        yield document.pdf.path.rsplit("/", 1)[1], print_html(document, languages), document.folder
        document.forget()
