"""The command line: each command parses its options and calls one stage function."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import signal
import sys
import threading
import traceback
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from pressgen import __version__
from pressgen.config import EXECUTORS, PDF_VARIANTS, Config, find_project, load_config, scheduler_problem
from pressgen.errors import Diagnostic, Interrupted, PressgenError, plural

# The years `--now` may name: every moment of them has a date in every time zone.
MIN_YEAR, MAX_YEAR = 1000, 9998


class Context:
    """What every command needs: where the project is, and how to report."""

    def __init__(self, directory: Path | None = None, debug: bool = False):
        self.directory = directory
        self.debug = debug
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            root = find_project(self.directory or Path.cwd())
            self._config = load_config(root)
        return self._config


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 date-time such as 2024-05-17T09:00+02:00") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"'{value}' needs a UTC offset, such as +02:00 or Z")
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # a day at either end of time has no date in every zone
        raise click.BadParameter(f"'{value}' is out of range: give a year from {MIN_YEAR} to {MAX_YEAR}")
    return moment


def _check_scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    problem = scheduler_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


def _set_directory(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).directory = value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Context).debug = True


F = TypeVar("F", bound=Callable[..., Any])


def global_options(command: F) -> F:
    """Accept `-C DIR` and `--debug` before the command and after it, as Click shares options.

    They set the shared `Context` instead of reaching the command as arguments.
    """
    directory = click.option(
        "-C",
        "directory",
        type=click.Path(file_okay=False, path_type=Path),
        metavar="DIR",
        expose_value=False,
        callback=_set_directory,
        help="Run in the project at DIR.",
    )
    debug = click.option(
        "--debug", is_flag=True, expose_value=False, callback=_set_debug, help="Show tracebacks for errors."
    )
    return directory(debug(command))


with_context = click.make_pass_decorator(Context, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pressgen")
@global_options
def cli() -> None:
    """Publish press releases in several languages as web pages and PDFs.

    A project is the folder holding pressgen.toml, found from the current directory upwards.
    """


@cli.command()
@global_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: from pressgen.toml, public/; preview/ with --drafts).",
)
@click.option("--now", "now_text", metavar="ISO", help="Build as if at this time (decides embargoes); default: now.")
@click.option(
    "--drafts",
    is_flag=True,
    help="Preview the current sources instead (unpublished releases, unapproved translations), into preview/.",
)
@click.option("--embargoed", is_flag=True, help="Write the private pack of releases under embargo (needs --out).")
@click.option("--jobs", type=click.IntRange(min=1), help="Render this many documents at once (default: cores).")
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    help="Render PDFs on this machine's cores (local) or on a Dask cluster (dask); default: [build] executor, local.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    callback=_check_scheduler,
    help="The Dask scheduler's address, tcp://HOST:PORT (default: [build] scheduler in pressgen.toml).",
)
@click.option(
    "--only",
    metavar="SLUG",
    help="Render this release's PDFs again, even if the cache has them; the rest is built as usual.",
)
@click.option(
    "--pdf-variant",
    type=click.Choice([*PDF_VARIANTS, "none"]),
    default="pdf/ua-1",
    show_default=True,
    help="PDF standard: pdf/ua-1 (tagged, for screen readers), pdf/a-… for archives, or none.",
)
@click.option("--strict", is_flag=True, help="Treat warnings (such as a glyph missing from the fonts) as errors.")
@with_context
def build(
    obj: Context,
    out: Path | None,
    now_text: str | None,
    drafts: bool,
    embargoed: bool,
    jobs: int | None,
    executor: str | None,
    scheduler: str | None,
    only: str | None,
    pdf_variant: str,
    strict: bool,
) -> None:
    """Build the public site from the publication record: pages, PDFs, newsrooms, feeds and sitemap.

    Only what `pressgen publish` recorded is published, as it was recorded; with --drafts, the
    current sources are rendered into the preview folder instead, every page marked as a preview.
    """
    from pressgen.build import build as run_build
    from pressgen.options import BuildOptions

    options = BuildOptions(
        out=out,
        now=_parse_now(now_text),
        preview=drafts,
        embargoed=embargoed,
        pdf_variant=None if pdf_variant == "none" else pdf_variant,
        strict=strict,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        only=only,
    )
    report = run_build(obj.config, options, progress=_progress)
    _end_progress()
    for warning in report.warnings:
        _show(warning)
    for note in report.notes():
        _show(note)
    where = _display(report.out_dir)
    if report.unchanged:
        click.echo(f"nothing changed since the last build: {where}/ is up to date ({report.seconds:.2f} s)")
        return
    if report.font_subsetter != "HarfBuzz" and report.rendered:
        _show(
            Diagnostic(
                "fonts were subset with fontTools, the slow fallback: install HarfBuzz's subsetter "
                "(Debian: libharfbuzz-subset0) for faster builds",
                severity="warning",
            )
        )
    what = "preview" if drafts else "pack" if embargoed else "site"
    versions = f"{plural(report.versions, 'language version')} of {plural(report.releases, 'release')}"
    extra = "".join(
        f", {label}"
        for count, label in (
            (len(report.drafts), plural(len(report.drafts), "draft")),
            (len(report.lagging), f"{len(report.lagging)} lagging"),
        )
        if count
    )
    click.echo(
        f"built the {what} in {where}/: {versions}{extra}; {plural(report.pages, 'page')} and "
        f"{plural(report.pdfs, 'PDF')} ({report.rendered} rendered, {report.reused} unchanged) "
        f"in {report.seconds:.1f} s"
    )


@cli.command()
@global_options
@click.argument("slugs", metavar="SLUG…", nargs=-1, required=True)
@click.option("--lang", "langs", multiple=True, metavar="L", help="Only this language version (repeatable).")
@click.option("--note", metavar="TEXT", help='The change note readers see: "Updated DATE: TEXT".')
@click.option("--minor", is_flag=True, help="A correction readers need not be told about (a typo): no note.")
@click.option(
    "--repair",
    is_flag=True,
    help="Restore published texts that differ from the record (edited by hand) from the sources or git.",
)
@click.option("--now", "now_text", metavar="ISO", help="Record this time instead of the current one.")
@with_context
def publish(
    obj: Context,
    slugs: tuple[str, ...],
    langs: tuple[str, ...],
    note: str | None,
    minor: bool,
    repair: bool,
    now_text: str | None,
) -> None:
    """Record approved language versions in the publication record; `build` then publishes them.

    Default: every approved version of each release (SLUG, or its folder releases/SLUG/). The
    source language version is published before or together with its translations; republishing
    a changed version needs a change note. For a withdrawn release, it records the approved
    translations of the withdrawal's reason.
    """
    from pressgen.publishing import publish as run_publish

    config = obj.config
    now = _parse_now(now_text)
    report = run_publish(config, list(slugs), list(langs), note=note, minor=minor, now=now, repair=repair)
    if len(report.named) > 1 and report.recorded:
        # An archive published at once: its verdicts kept now spare the next `status` reading it all
        # again. One release is left to the next command (that keeps `publish SLUG` quick).
        from pressgen.verdicts import keep_verdicts

        keep_verdicts(config, report.named, now or dt.datetime.now(dt.UTC))
    for slug, lang, action in report.recorded:
        click.echo(f"{action} {slug} [{lang}]")
    for lang in report.interfaces:
        click.echo(f"recorded the interface strings [{lang}]")
    for slug, lang, where in report.repaired:
        click.echo(f"repaired {slug} [{lang}]: the texts as published, from {where}")
    for slug, lang in report.unchanged:
        what = "intact: its published texts are what the record says" if repair else "already published as it is"
        click.echo(f"unchanged {slug} [{lang}]: {what}")
    for slug, lang, why in report.skipped:
        click.echo(f"not published: {slug} [{lang}]: {why}", err=True)
    if report.recorded or report.interfaces or report.repaired:
        click.echo("recorded in published/: commit it with the sources, then run 'pressgen build'")


@cli.command()
@global_options
@click.argument("slug")
@click.option("--reason", required=True, metavar="TEXT", help="Why: shown on every page of the release.")
@click.option("--now", "now_text", metavar="ISO", help="Record this time instead of the current one.")
@with_context
def withdraw(obj: Context, slug: str, reason: str, now_text: str | None) -> None:
    """Withdraw a published release: its pages stay, marked withdrawn and noindex; it leaves lists and feeds."""
    from pressgen.publishing import withdraw as run_withdraw

    config = obj.config
    record = run_withdraw(config, slug, reason, now=_parse_now(now_text))
    assert record.withdrawn is not None
    click.echo(f"withdrew {record.slug} on {config.day(record.withdrawn.at)}: run 'pressgen build' to publish that")


def _display(path: Path) -> str:
    """Show a path relative to the current folder when it is inside it."""
    return os.path.relpath(path, Path.cwd()) if path.is_relative_to(Path.cwd()) else str(path)


def _show(diagnostic: Diagnostic, err: bool = True) -> None:
    """Print a diagnostic as `path:line: severity: message`: the one place where diagnostics become text.

    Paths inside the current folder are shown relative to it, and control characters (terminal
    escape sequences from a catalog or a file name) as escapes.
    """
    click.echo(_terminal_safe(diagnostic.format(Path.cwd())), err=err)


@cli.command()
@global_options
@click.option("--lang", "langs", multiple=True, metavar="L", help="Only this language (repeatable).")
@with_context
def update(obj: Context, langs: tuple[str, ...]) -> None:
    """Create and sync the catalogs with the releases and templates."""
    from pressgen.catalogs import update_catalogs
    from pressgen.releases import read_releases

    config = obj.config
    _check_langs(config, langs)
    results = update_catalogs(config, read_releases(config), langs or None)
    for result in results:
        if result.action == "unchanged":
            continue
        where = result.path.relative_to(config.root)
        details = f"{result.new} new, {result.fuzzy} fuzzy, {result.obsolete} obsolete"
        click.echo(f"{result.action} {where} ({details})")
    changed = sum(1 for r in results if r.action != "unchanged")
    click.echo(f"{len(results)} catalogs, {changed} changed")


@cli.command()
@global_options
@click.option("--provider", help="google, deepl, microsoft, libre or mymemory (default: from pressgen.toml).")
@click.option("--lang", "langs", multiple=True, metavar="L", help="Only this language (repeatable).")
@click.option("--only", metavar="SLUG", help="Only this release's catalogs.")
@click.option("--url", help="Address of a self-hosted LibreTranslate server (provider libre).")
@with_context
def translate(obj: Context, provider: str | None, langs: tuple[str, ...], only: str | None, url: str | None) -> None:
    """Fill empty messages with machine drafts, each marked fuzzy for review.

    API keys come from the environment: DEEPL_API_KEY, MICROSOFT_API_KEY (and MICROSOFT_REGION),
    LIBRE_API_KEY (if the server needs one), MYMEMORY_EMAIL (optional).
    """
    from pressgen.releases import read_releases
    from pressgen.translate import translate_catalogs

    config = obj.config
    name = provider or config.provider
    if not name:
        raise click.UsageError("choose a provider with --provider (or set [translation] provider in pressgen.toml)")
    _check_langs(config, langs)
    report = translate_catalogs(
        config,
        read_releases(config, only=only),
        name,
        list(langs) or None,
        only=only,
        url=url or config.provider_url,
        progress=_progress,
        timeout=config.provider_timeout,
        deadline=config.provider_deadline,
    )
    _end_progress()
    for diagnostic in report.warnings:
        _show(diagnostic)
    for path in report.catalogs_written:
        click.echo(f"updated {path.relative_to(config.root)}")
    for text in report.markup_lost:
        _show(Diagnostic(f"the draft of {text[:60]!r}… lost a link or placeholder: check it", severity="warning"))
    click.echo(
        f"{report.from_provider} drafts from {name} ({report.requests} requests), "
        f"{report.from_memory} from translation memory; all marked fuzzy for review"
    )


@cli.command()
@global_options
@click.option(
    "--fix",
    is_flag=True,
    help="Repair what needs no judgement (Romanian cedilla letters, spaces at the edges or doubled).",
)
@with_context
def check(obj: Context, fix: bool) -> None:
    """Check catalogs and sources: figures, dates, names, spelling, links, markup, quotes …

    Findings go to standard output (`pressgen check | less`), one per line as
    path:line: severity: check: message, then the count. Exits with 1 when there is an error;
    a language version with a check error is not published. A reviewer accepts one finding on
    one message with the flag ignore-CHECK on its '#,' line: it is counted as accepted.
    """
    from pressgen.checks import fix_catalogs
    from pressgen.langchecks import missing_dictionaries
    from pressgen.verdicts import overview

    config = obj.config
    if fix:
        for path, count in fix_catalogs(config):
            click.echo(f"fixed {plural(count, 'message')} in {path.relative_to(config.root)}")
    # Only the releases whose inputs changed are read and checked again (`verdicts`).
    decided = overview(config, dt.datetime.now(dt.UTC))
    if decided.problems:
        raise PressgenError.collect(decided.problems)
    notes = missing_dictionaries(config.languages)
    findings = decided.sources + decided.findings
    for note in notes:  # on standard error, as every diagnostic that is not a finding
        _show(Diagnostic(note, severity="warning"))
    # A file that cannot be read (a catalog, a glossary, a word list) is an input error, on standard
    # error once, as every command reports it; the checks' findings are check's output.
    unreadable = decided.unreadable()
    shown = list(dict.fromkeys(f for f in findings if not f.accepted))
    for finding in shown:
        _show(finding, err=finding in unreadable)  # `pressgen check | less` shows the findings
    errors = sum(1 for f in shown if f.severity == "error")
    warnings = len(shown) - errors + len(notes)
    accepted = len(findings) - len(shown)
    # Accepted findings are counted, not listed: `pressgen review` shows each beside its message.
    summary = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    click.echo(summary + (f", {accepted} accepted (ignore- flags; 'pressgen review' shows them)" if accepted else ""))
    if errors:
        raise click.exceptions.Exit(1)


@cli.command()
@global_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("review"),
    show_default=True,
    help="Where to write the review pages (never inside the public output).",
)
@with_context
def review(obj: Context, out: Path) -> None:
    """Write side-by-side review pages for translators, with draft PDFs."""
    from pressgen.review import write_reviews

    config = obj.config
    target = out if out.is_absolute() else config.root / out
    pages = write_reviews(config, target)
    click.echo(f"wrote {len(pages)} review pages to {_display(target / 'index.html')}")


@cli.command()
@global_options
@click.argument("slug")
@click.option("--title", required=True, help="The release's title, in its source language.")
@with_context
def new(obj: Context, slug: str, title: str) -> None:
    """Scaffold releases/SLUG/release.md: a form with every front matter field, commented."""
    from pressgen.scaffold import new_release

    path = new_release(obj.config, slug, title)
    click.echo(f"created {_display(path)}: fill in the form, then run 'pressgen update' for the catalogs")


@cli.command()
@global_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--public", "public", is_flag=True, help="Serve the public site (the publication record), not the preview."
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder to build and serve.")
@with_context
def serve(obj: Context, port: int, host: str, public: bool, out: Path | None) -> None:
    """Preview the current sources on a local web server, rebuilt when a source is saved.

    The preview (in preview/) shows unpublished releases, unapproved translations and pending
    edits, every page marked as a preview; `--public` serves what `build` publishes instead.
    Pages open in the browser reload themselves once a rebuild is done.
    """
    from pressgen.options import BuildOptions
    from pressgen.serve import Preview

    options = BuildOptions(out=out, preview=not public)
    preview = Preview(obj.config, options, host, port, click.echo, _show)
    try:
        preview.run()
    except Interrupted:
        click.echo("stopped")


@cli.command()
@global_options
@click.argument("slug", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--now", "now_text", metavar="ISO", help="Judge embargoes at this time; default: now.")
@with_context
def status(obj: Context, slug: str | None, fmt: str, now_text: str | None) -> None:
    """Show what is translated and approved, what is public, what lags behind, and what changes next.

    With SLUG, only that release, and how many of its e-mails were sent, failed, are uncertain
    or pending, per list and language (`pressgen send`). A release or catalog that cannot be read
    is named as an error (exit code 1) after the rest is shown.
    """
    from pressgen.verdicts import overview

    config = obj.config
    now = _parse_now(now_text) or dt.datetime.now(dt.UTC)
    # Only the releases whose inputs changed are read and decided again (`verdicts`).
    decided = overview(config, now)
    if slug is not None and slug not in decided.slugs:
        from pressgen.releases import no_such_release

        raise no_such_release(slug, decided.slugs)
    rows = decided.status
    if slug is not None:
        from pressgen.deliveries import read_counts

        rows["versions"] = [row for row in rows["versions"] if row["release"] == slug]
        counts = read_counts(config.mail.log, slug) if config.mail is not None else {}
        rows["deliveries"] = [{"list": name, "lang": lang, **states} for (name, lang), states in counts.items()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(_table(rows))
        if slug is not None:
            click.echo(_deliveries_table(rows["deliveries"]))
        upcoming = rows["next_change"]
        if upcoming is not None:
            click.echo(f"next change of the public site: {upcoming['at']} ({upcoming['why']}); rebuild then")
    for diagnostic in decided.problems + decided.unreadable():
        _show(diagnostic)
    if decided.problems or decided.unreadable():
        raise click.exceptions.Exit(1)


@cli.command()
@global_options
@click.argument("slug")
@click.option("--list", "list_name", required=True, metavar="NAME", help="The list to send to ([[mail.lists]]).")
@click.option("--lang", "langs", multiple=True, metavar="L", help="Only subscribers who read L (repeatable).")
@click.option(
    "--dry-run",
    "dry_run",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write the e-mails into DIR as .eml files; send and record nothing.",
)
@click.option("--now", "now_text", metavar="ISO", help="Send as if at this time (decides the embargo; the Date).")
@click.option(
    "--retry-uncertain",
    is_flag=True,
    help="Send again, with the same Message-ID, the e-mails whose outcome is unknown (a connection that died).",
)
@with_context
def send(
    obj: Context,
    slug: str,
    list_name: str,
    langs: tuple[str, ...],
    dry_run: Path | None,
    now_text: str | None,
    retry_uncertain: bool,
) -> None:
    """E-mail a published release to a list's subscribers, each in their language, once, with the PDF.

    Subscribers who read a language the release is not published in get the source language
    version, which says so. Before the embargo, only a list with embargo = true may receive it.
    Credentials come from PRESSGEN_SMTP_USER and PRESSGEN_SMTP_PASSWORD; see docs/distribution.md.
    """
    from pressgen.send import SendOptions
    from pressgen.send import send as run_send

    config = obj.config
    options = SendOptions(slug, list_name, langs, dry_run, _parse_now(now_text), retry_uncertain)
    report = run_send(config, options, progress=_progress)
    _end_progress()
    for warning in report.warnings:
        _show(warning)
    path = config.mail.subscribers if config.mail is not None else None
    for delivery in report.uncertain:
        _show(
            Diagnostic(
                f"{delivery.address}: outcome unknown ({delivery.reply}): 'pressgen send {slug} --list "
                f"{delivery.list} --retry-uncertain' sends it again, with the same Message-ID",
                path,
                delivery.line,
                severity="warning",
            )
        )
    for delivery in report.failed:
        _show(Diagnostic(f"{delivery.address}: refused by the server: {delivery.reply}", path, delivery.line))
    for delivery in report.deferred:
        _show(
            Diagnostic(
                f"{delivery.address}: not sent yet, the server refused it for now: {delivery.reply} (run the same "
                "command again later)",
                path,
                delivery.line,
            )
        )
    sent = sum(report.sent.values())
    verb = "wrote" if dry_run is not None else "sent"
    what = plural(sent, "e-mail") + (f" to {_display(dry_run)}/" if dry_run is not None else "")
    by_lang = ", ".join(f"{lang} {count}" for lang, count in sorted(report.sent.items()))
    details = [f"{by_lang}"] if by_lang else []
    if report.fallback:
        others = ", ".join(f"{count} {lang}" for lang, count in sorted(report.fallback.items()))
        details.append(f"in the source language for {others} (not published in theirs)")
    if report.updates:
        details.append(f"{plural(report.updates, 'update')}")
    if report.embargo_text:
        details.append(f"embargoed until {report.embargo_text}")
    line = f"{verb} {what} ({'; '.join(details)})" if details else f"{verb} {what}"
    before = f", {report.refused_before} refused before (see 'pressgen status {slug}')" if report.refused_before else ""
    click.echo(f"{line}; {report.current} already had this version{before} ({report.seconds:.1f} s)")
    if report.failed or report.deferred:
        raise click.exceptions.Exit(1)


def _deliveries_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "e-mails: none sent yet"
    header = ("list", "lang", "sent", "failed", "uncertain", "pending")
    lines = [header]
    for r in rows:
        lines.append(
            (
                r["list"],
                r["lang"],
                str(r["sent"]),
                str(r["failed"]),
                str(r["uncertain"]),
                str(r["pending"] + r["sending"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    table = "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines)
    return f"e-mails:\n{table}"


def _check_langs(config: Config, langs: tuple[str, ...]) -> None:
    for lang in langs:
        if lang not in config.codes:
            raise click.BadParameter(f"'{lang}' is not one of {list(config.codes)}", param_hint="--lang")


def _progress(message: str) -> None:
    """Show progress on a terminal; stay quiet when the output is a file or a pipe."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{message}")
        sys.stderr.flush()


def _end_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")


def _table(data: dict[str, Any]) -> str:
    header = ("release", "lang", "translated", "fuzzy", "missing", "approved", "lags", "public", "state", "why not")
    lines = [header]
    for row in data["versions"]:
        lines.append(
            (
                row["release"],
                row["lang"] + (" (source)" if row["source"] else ""),
                str(row["translated"]),
                str(row["fuzzy"]),
                str(row["missing"]),
                "yes" if row["approved"] else "no",
                "yes" if row["lags"] else "",
                "yes" if row["public"] else "no",
                row["state"],
                "; ".join(row["reasons"]),
            )
        )
    for lang, counts in data["interface"].items():
        lines.append(
            (
                "(interface)",
                lang,
                str(counts["translated"]),
                str(counts["fuzzy"]),
                str(counts["missing"]),
                "yes" if not counts["fuzzy"] and not counts["missing"] else "no",
                "",
                "",
                "",
                "",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: the one place where errors become messages."""
    args = sys.argv[1:] if argv is None else argv
    state = Context()  # filled in by the global options, wherever they stand
    handlers = _catch_signals()
    try:
        # Without standalone mode, click returns the code of an explicit exit instead of raising.
        code = cli.main(args=args, prog_name="pressgen", standalone_mode=False, obj=state)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.UsageError as exc:  # wrong usage: one line, exit code 2
        help_hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        click.echo(_terminal_safe(f"error: {exc.format_message()}{help_hint}"), err=True)
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(_terminal_safe(f"error: {exc.format_message()}"), err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except PressgenError as exc:
        if state.debug:
            traceback.print_exc()
        for diagnostic in exc.diagnostics:
            _show(diagnostic)
        return exc.exit_code
    except Interrupted as exc:
        click.echo("interrupted: nothing was changed" if exc.args[0] == signal.SIGINT else "stopped", err=True)
        return 128 + int(exc.args[0])
    except OSError as exc:  # the machine's, not pressgen's: a full disk, a read-only folder
        if state.debug:
            traceback.print_exc()
        where = os.fsdecode(exc.filename) if isinstance(exc.filename, str | bytes) else None
        _show(Diagnostic(exc.strerror or str(exc), where))
        return 1
    except Exception as exc:  # a bug in pressgen, not in the user's input
        if state.debug:
            traceback.print_exc()
        click.echo(f"error: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        return 1
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    return code if isinstance(code, int) else 0


def _catch_signals() -> dict[int, Any]:
    """Turn Ctrl+C and SIGTERM into `Interrupted`, so that every command stops cleanly.

    Files being written are discarded (builds) or saved (machine drafts) on the way out.
    """

    def interrupt(number: int, frame: object) -> None:
        raise Interrupted(number)

    if threading.current_thread() is not threading.main_thread():
        return {}
    return {number: signal.signal(number, interrupt) for number in (signal.SIGINT, signal.SIGTERM)}


def _terminal_safe(text: str) -> str:
    """Show control characters (terminal escape sequences from a catalog) as escapes, not raw; and the bytes
    of an argument that were not UTF-8 (lone surrogates, which no stream can write)."""
    return "".join(ch if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cs") else repr(ch)[1:-1] for ch in text)


def main() -> NoReturn:
    """Entry point of the `pressgen` console script."""
    code = run()
    _flush_output()
    # A build leaves cycles of objects behind it, which the interpreter's last collection would
    # visit one by one on the way out; frozen, they are left to the end of the process, as
    # everything else is (docs/performance.md has the measurement).
    gc.freeze()
    sys.exit(code)


def _flush_output() -> None:
    """Flush the output; if its reader went away (`| head`), send what is left to /dev/null.

    The standard library's advice (the "Note on SIGPIPE" in the `signal` module's documentation):
    otherwise the interpreter's own flush at exit fails, prints a traceback and exits with 120.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
