"""Distribution: `pressgen send`, each subscriber of a list gets the published release once, in their language.

The stages, top to bottom, as in `build`: read what the record publishes of the release (the
texts of each recorded language version, as the public build renders them: `gather`'s documents);
refuse what may not go (a withdrawn release, an embargoed one to a list without `embargo = true`);
read and check every row of the subscriber list, and plan in the delivery log, in one transaction,
what each subscriber is to get (nothing is sent when a row is bad); then send: each language
version rendered once (`mail.render_edition`, its PDF through the build's cache), each message
addressed to its subscriber, one SMTP connection for all, at most `rate` a second.

Who gets what: a subscriber gets the published version in their language, or the source language
version where theirs is not published (the e-mail says so, in both). One who already has the
current version gets nothing; one who has an earlier one gets the update, marked as such with the
change notes since (a correction without a note, `--minor`, sends nothing); one who has nothing
yet gets the release. Before the embargo, the e-mail and its PDF say "embargoed until …".
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pressgen.config import Config, MailConfig, MailList
from pressgen.deliveries import DONE, Delivery, DeliveryLog
from pressgen.errors import Diagnostic, PressgenError, UsageError, did_you_mean
from pressgen.localise import format_moment
from pressgen.mail import Editions
from pressgen.publishing import PublicVersion, read_versions
from pressgen.record import read_record, recorded_slugs
from pressgen.subscribers import read_subscribers

if TYPE_CHECKING:
    from pressgen.smtp import Outcome  # for annotations: send_all imports smtp only when it sends

Progress = Callable[[str], None]
# The folders a dry run may not write into: the site, and what is committed.
COMMITTED = ("releases", "locales", "templates", "published")


@dataclass(frozen=True)
class SendOptions:
    """What the user asked of one `send`."""

    slug: str
    list_name: str
    langs: tuple[str, ...] = ()  # only subscribers who read one of these languages
    dry_run: Path | None = None  # write the messages as .eml files here; send nothing, record nothing
    now: dt.datetime | None = None  # decides the embargo; the messages' Date
    retry_uncertain: bool = False


@dataclass
class SendReport:
    """What one `send` did, and what it has to say."""

    planned: int = 0
    sent: Counter[str] = field(default_factory=Counter)  # by the language sent
    fallback: Counter[str] = field(default_factory=Counter)  # by the reader's language, sent in the source's
    updates: int = 0
    written: int = 0  # dry run: .eml files
    current: int = 0  # subscribers who have the current version already
    refused_before: int = 0  # subscribers whose server refused this version for good in an earlier run
    failed: list[Delivery] = field(default_factory=list)
    deferred: list[Delivery] = field(default_factory=list)
    uncertain: list[Delivery] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    embargo_text: str | None = None
    seconds: float = 0.0

    def count_sent(self, delivery: Delivery) -> None:
        """Count a message that went (or was written): by language sent, fallback and update."""
        self.sent[delivery.lang] += 1
        if delivery.reader_lang != delivery.lang:
            self.fallback[delivery.reader_lang] += 1
        if delivery.since is not None:
            self.updates += 1


@dataclass(frozen=True)
class _Plan:
    """What one subscriber is to get, decided from what the log says they have."""

    version: PublicVersion
    since: str | None = None  # an update: the last change of the version they have
    refers_to: str | None = None


def send(config: Config, options: SendOptions, progress: Progress = lambda _: None) -> SendReport:
    """Send a published release to the subscribers of one list (or write the messages, `--dry-run`)."""
    started = time.monotonic()
    mail = config.mail
    if mail is None:
        raise UsageError("pressgen.toml has no [mail] table: see docs/distribution.md to set up distribution")
    mail_list = _mail_list(mail, options.list_name)
    for lang in options.langs:
        if lang not in config.codes:
            raise UsageError(f"--lang {lang}: not one of the configured languages {list(config.codes)}")
    now = options.now or dt.datetime.now(dt.UTC)
    versions = _published(config, options.slug)
    source = next(v for v in versions.values() if v.version.source is None)
    report = SendReport()
    embargo = source.release.embargo
    embargoed = embargo is not None and embargo > now
    if embargoed:
        assert embargo is not None
        report.embargo_text = format_moment(embargo, config.language(config.source_language), config)
        if not mail_list.embargo:
            raise PressgenError(
                f"{options.slug} is under embargo until {report.embargo_text}: only a list with embargo = true "
                f"may receive it before then, and '{mail_list.name}' has none (nothing was sent)",
                config.path,
            )
    out = _dry_run_dir(config, options.dry_run) if options.dry_run is not None else None
    key = _dkim_key() if mail.dkim is not None else None
    with _open_log(mail, scratch=out is not None) as log:
        run = log.new_run()
        with log.transaction():
            report.uncertain += _plan(config, mail, mail_list, options, versions, log, run, report)
        sender = _Sender(config, mail, options, versions, embargoed, now, key)
        if out is not None:
            sender.write_all(log, run, out, report, progress)
        else:
            sender.send_all(log, run, report, progress)
        report.warnings += sender.warnings
    report.seconds = time.monotonic() - started
    return report


def _mail_list(mail: MailConfig, name: str) -> MailList:
    found = mail.list(name)
    if found is None:
        names = [entry.name for entry in mail.lists]
        raise UsageError(
            f"--list {name}: no such list in [mail]{did_you_mean(name, names)}; the lists are {', '.join(names)}"
        )
    return found


def _published(config: Config, slug: str) -> dict[str, PublicVersion]:
    """Return the recorded language versions of a release, with their texts as published."""
    slugs = recorded_slugs(config)
    if slug not in slugs:
        if (config.releases_dir / slug / "release.md").is_file():
            raise PressgenError(
                f"{slug} is not published: only what the record holds is sent ('pressgen publish' it first)"
            )
        raise UsageError(f"no published release '{slug}'{did_you_mean(slug, slugs)}")
    record = read_record(config, slug)
    assert record is not None
    if record.withdrawn is not None:
        raise PressgenError(
            f"{slug} was withdrawn on {record.withdrawn.at.date().isoformat()}: a withdrawn release is not sent",
            record.path,
        )
    return {version.lang: version for version in read_versions(config, slug)}


def _plan(
    config: Config,
    mail: MailConfig,
    mail_list: MailList,
    options: SendOptions,
    versions: dict[str, PublicVersion],
    log: DeliveryLog,
    run: int,
    report: SendReport,
) -> list[Delivery]:
    """Check every subscriber and record in the log, for `run`, what each of the list is to get.

    Returns the deliveries whose outcome is unknown from an earlier run and stay so (without
    `--retry-uncertain`). A bad row raises at the end, and the transaction around this undoes it all.
    """
    from pressgen.mail import message_id

    source = next(v for v in versions.values() if v.version.source is None)
    uncertain: list[Delivery] = []
    for subscriber in read_subscribers(config, mail):
        if mail_list.name not in subscriber.lists or (options.langs and subscriber.lang not in options.langs):
            continue
        target = versions.get(subscriber.lang, source)
        history = log.history(options.slug, subscriber.key)
        plan = _decide(target, history)
        same = [d for d in history if d.lang == target.lang and d.version == target.version.text]
        if same and same[0].state == "uncertain":
            if options.retry_uncertain:
                log.retry(same[0], run)
                report.planned += 1
            else:
                uncertain.append(same[0])
            continue
        if plan is None:
            if same and same[0].state == "failed":
                report.refused_before += 1
            else:
                report.current += 1
            continue
        log.plan(
            Delivery(
                id=0,
                slug=options.slug,
                key=subscriber.key,
                address=subscriber.address,
                name=subscriber.name,
                reader_lang=subscriber.lang,
                lang=target.lang,
                version=target.version.text,
                version_at=target.version.changed.isoformat(),
                since=plan.since,
                list=mail_list.name,
                line=subscriber.line,
                message_id=message_id(options.slug, target.version.text, subscriber.key, mail),
                refers_to=plan.refers_to,
                state="pending",
                attempts=0,
                retry_at=0.0,
                reply=None,
            ),
            run,
        )
        report.planned += 1
    log.drop_unplanned(options.slug, mail_list.name, list(options.langs) or None, run)
    return uncertain


def _decide(target: PublicVersion, history: list[Delivery]) -> _Plan | None:
    """Decide what a subscriber with these deliveries of the release is to get of `target`, if anything."""
    for delivery in history:
        if delivery.lang == target.lang and delivery.version == target.version.text:
            return _Plan(target) if delivery.state == "pending" else None  # pending: from a run that stopped
    had = [d for d in history if d.state in DONE]
    if not had:
        return _Plan(target)
    last = had[-1]
    since = dt.datetime.fromisoformat(last.version_at)
    if not any(update.note and update.at > since for update in target.version.updates):
        return None  # only corrections readers need not be told about, or an earlier translation of the same
    return _Plan(target, last.version_at, last.message_id)


def _open_log(mail: MailConfig, scratch: bool) -> DeliveryLog:
    """Open the delivery log (and hold it); for a dry run, a copy in memory that nothing writes back."""
    if scratch:
        return DeliveryLog.copy(mail.log)
    log = DeliveryLog(mail.log)
    log.lock()
    return log


def _dkim_key() -> bytes:
    from pressgen.mail import read_dkim_key

    return read_dkim_key(os.environ)


def _dry_run_dir(config: Config, folder: Path) -> Path:
    """Return the dry run's folder: not in the site nor in what is committed; only .eml files in it, replaced."""
    target = (folder if folder.is_absolute() else Path.cwd() / folder).resolve()
    forbidden = [config.output_dir, config.preview_dir, *(config.root / name for name in COMMITTED)]
    for place in forbidden:
        if target.is_relative_to(place.resolve()):
            raise UsageError(f"--dry-run {folder}: the messages are personal data; write them outside {place.name}/")
    if target == config.root.resolve():
        raise UsageError(f"--dry-run {folder}: give the messages a folder of their own")
    if target.exists():
        others = [p.name for p in target.iterdir() if not (p.is_file() and p.suffix == ".eml")]
        if others:
            raise UsageError(
                f"--dry-run {folder}: the folder holds other files than .eml ({others[0]}); give an empty one"
            )
        for old in target.glob("*.eml"):
            old.unlink()
    target.mkdir(parents=True, exist_ok=True)
    return target


class _Sender:
    """Address each planned message and send it, or write it (`--dry-run`): one connection, `rate` a second."""

    def __init__(
        self,
        config: Config,
        mail: MailConfig,
        options: SendOptions,
        versions: dict[str, PublicVersion],
        embargoed: bool,
        now: dt.datetime,
        dkim_key: bytes | None,
    ):
        self.config = config
        self.mail = mail
        self.options = options
        self.versions = versions
        self.embargoed = embargoed
        self.now = now
        self.dkim_key = dkim_key
        self.warnings: list[Diagnostic] = []
        self._editions: Editions | None = None

    @property
    def editions(self) -> Editions:
        # Made only when a message is due: a run with nothing to send renders nothing.
        if self._editions is None:
            from pressgen.mail import Editions

            self._editions = Editions(self.config, self.mail, self.options.slug, self.embargoed, self.now)
        return self._editions

    def message(self, delivery: Delivery) -> bytes:
        """Return the message of one delivery: its edition (rendered the first time), addressed."""
        from email.headerregistry import Address

        from pressgen.mail import Letter, address_letter, sign

        letter = Letter(
            to=Address(display_name=delivery.name, addr_spec=delivery.address),
            message_id=delivery.message_id,
            date=self.options.now or dt.datetime.now(dt.UTC),
            list_name=delivery.list,
            refers_to=delivery.refers_to,
        )
        data = address_letter(self.editions.edition(delivery), letter)
        return sign(data, self.mail, self.dkim_key) if self.dkim_key else data

    def write_all(self, log: DeliveryLog, run: int, out: Path, report: SendReport, progress: Progress) -> None:
        """Write every planned message as an .eml file into `out` (the log is a copy: nothing is recorded)."""
        number = 0
        while (delivery := log.next_due(run)) is not None:
            number += 1
            name = re.sub(r"[^A-Za-z0-9@._-]", "_", delivery.address)
            (out / f"{number:05d}-{delivery.lang}-{name}.eml").write_bytes(self.message(delivery))
            log.mark(delivery, "sent", "written by --dry-run")
            report.count_sent(delivery)
            report.written += 1
            progress(f"wrote {number}/{report.planned} messages")
        self._finish()

    def send_all(self, log: DeliveryLog, run: int, report: SendReport, progress: Progress) -> None:
        """Send every planned message: record each before its end and after the reply; retry 4xx with back-off."""
        from pressgen.smtp import Relay

        relay = Relay(self.mail, os.environ)
        interval = 1 / self.mail.rate
        next_start = time.monotonic()
        lost = 0  # connections lost in a row: the server is gone, stop
        done = 0
        try:
            while (delivery := log.next_due(run)) is not None:
                wait = max(delivery.retry_at - time.time(), next_start - time.monotonic())
                if wait > 0:
                    time.sleep(wait)
                next_start = max(next_start + interval, time.monotonic())
                outcome = relay.deliver(
                    self.mail.sender_address, delivery.address, self.message(delivery), _marker(log, delivery)
                )
                if outcome.state == "deferred":
                    lost = lost + 1 if relay.smtp is None else 0
                    _defer(log, delivery, outcome, self.mail, report)
                    if lost > self.mail.retries:
                        raise PressgenError(
                            f"lost the connection to {relay.where} {lost} times in a row ({outcome.reply}): "
                            f"{sum(report.sent.values())} sent; run the same command again to send the rest"
                        )
                    continue
                lost = 0
                _record(log, delivery, outcome, report)
                done += 1
                progress(f"sent {done}/{report.planned} messages")
        finally:
            relay.close()
            self._finish()

    def _finish(self) -> None:
        if self._editions is not None:
            self.warnings += self._editions.warnings


def _defer(log: DeliveryLog, delivery: Delivery, outcome: Outcome, mail: MailConfig, report: SendReport) -> None:
    """Try a deferred delivery again later in this run, with back-off; or, its retries spent, in a later run."""
    attempts = delivery.attempts + 1
    if attempts > mail.retries:
        log.put_off(delivery, outcome.reply)
        report.deferred.append(log_entry(log, delivery))
    else:
        delay = mail.retry_delay * 2 ** (attempts - 1)
        log.mark(delivery, "pending", outcome.reply, retry_at=time.time() + delay)


def _record(log: DeliveryLog, delivery: Delivery, outcome: Outcome, report: SendReport) -> None:
    """Record the final outcome of a delivery (sent, failed or uncertain), and report it."""
    log.mark(delivery, outcome.state, outcome.reply)
    if outcome.state == "sent":
        report.count_sent(delivery)
    elif outcome.state == "failed":
        report.failed.append(log_entry(log, delivery))
    else:
        report.uncertain.append(log_entry(log, delivery))


def _marker(log: DeliveryLog, delivery: Delivery) -> Callable[[], None]:
    """Return what records, on disk, that a delivery's data is about to end: the moment it may arrive."""
    return lambda: log.mark(delivery, "sending", None)


def log_entry(log: DeliveryLog, delivery: Delivery) -> Delivery:
    """Return a delivery as the log holds it now (with its last reply)."""
    return log.get(delivery.id)
