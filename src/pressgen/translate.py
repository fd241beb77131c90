"""Machine translation: fill empty messages with drafts from a provider through deep-translator.

A draft is never a translation: every message it fills is marked fuzzy, with a translator
comment naming the provider and the date, so the publish gate keeps the language out until a
translator approves it by removing the flag. Messages a person wrote are never touched.
Before asking a provider, exact matches already approved in other catalogs of the same
language are reused (translation memory); each distinct text is sent once; transient failures
are retried with backoff; a provider that keeps failing stops the run with a clear error after
every catalog has been saved with what was translated so far.

What no translation may change (links, code, addresses, placeholders) and the glossary's terms
travel to the provider as numbered tokens; a term comes back as the glossary's preferred
translation ("The Hague" as "Den Haag"), whatever the provider would have made of it.

Translators keep working while `translate` waits on a provider, so the drafts are merged into
each catalog as it is on disk when they are saved: a draft fills only a message that is still
empty there, and a catalog saved meanwhile is reported. Every request has a deadline for its
whole answer (`[translation] timeout` in pressgen.toml, in seconds), and the run one for all of
them (`[translation] deadline`), whatever a server trickles: each request runs in a thread of
its own that the run stops waiting for at its deadline (`_answer_within`). The LibreTranslate
client is pressgen's own subclass of deep-translator's base class, with a socket timeout and a
size limit on every answer; the clients of the commercial providers are deep-translator's own,
which call `requests` without a timeout and read any answer whole (see `_answer_within` for
what that leaves). A message longer than a provider takes is skipped with a warning, and
SIGTERM or SIGINT saves the drafts received so far before stopping.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import requests
from babel.messages.catalog import Message
from deep_translator import DeeplTranslator, GoogleTranslator, MicrosoftTranslator, MyMemoryTranslator
from deep_translator import exceptions as dt_errors
from deep_translator.base import BaseTranslator
from deep_translator.constants import LIBRE_ENV_VAR
from deep_translator.validate import is_input_valid, request_failed

from pressgen.catalogs import (
    INTERFACE_SOURCE_LANG,
    MEMORY_COMMENT,
    MT_COMMENT,
    catalogs_of,
    interface_catalog_path,
    read_catalog,
    release_catalog_path,
)
from pressgen.config import Config, Language
from pressgen.errors import Diagnostic, Interrupted, PressgenError, UsageError, plural
from pressgen.files import FileChanged, write_atomic
from pressgen.glossary import load_glossary, protect_terms
from pressgen.markup import PROTECTED
from pressgen.po import Key, PoCatalog, key_of, serialise
from pressgen.releases import Release

PROVIDERS = ("google", "deepl", "microsoft", "libre", "mymemory")
# The HTTP statuses worth another attempt; deep-translator's ServerException says them in words.
TRANSIENT = frozenset(str(dt_errors.ServerException(status)) for status in (429, 500, 502, 503, 504))
TIMEOUT = 30.0  # seconds a request has for its whole answer; `[translation] timeout`
DEADLINE = 3600.0  # seconds a run has for all its requests; `[translation] deadline`
CONNECT_TIMEOUT = 10.0  # at most, to connect
MAX_CHARS = 5000  # the longest text deep-translator sends to any provider
MAX_ANSWER = 1_000_000  # bytes: an answer to one text of at most MAX_CHARS is far smaller
SAVE_ATTEMPTS = 3  # merges with a catalog that keeps being saved while drafts are written
# The parts of a message that no translation may change (markup.PROTECTED, which the checks
# verify) travel to the provider as numbered tokens.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TOKEN = re.compile(r"\{(\d+)\}")


class Provider(Protocol):
    def translate(self, text: str, **kwargs: Any) -> str: ...


class SelfHostedLibreTranslator(BaseTranslator):  # type: ignore[misc]
    """A deep-translator client for any LibreTranslate server, bounded in time and size.

    deep-translator 1.11.4's own LibreTranslator lists only 17 languages (no Dutch, no
    Romanian), insists on an API key that a self-hosted server rarely needs, and posts with
    `requests.post` without a timeout, reading any answer whole. This client is built through
    the public constructor of deep-translator's base class and overrides its public
    `translate`: it speaks the same protocol (`POST /translate`, answer `{"translatedText": …}`)
    through a `requests` session of its own, with a connect and read timeout on every request
    and at most MAX_ANSWER bytes read, and raises deep-translator's own exceptions.
    """

    def __init__(
        self, source: str, target: str, base_url: str, api_key: str | None = None, timeout: float = TIMEOUT
    ) -> None:
        root = base_url.rstrip("/") + "/"
        super().__init__(base_url=root, source=source, target=target, languages={source: source, target: target})
        self.endpoint = root + "translate"
        self.api_key = api_key or ""
        self.timeout = timeout
        self.session = requests.Session()

    def translate(self, text: str, **kwargs: Any) -> str:
        """Return the server's translation of `text`."""
        is_input_valid(text)  # deep-translator's limits on every provider's input
        if self.source == self.target or not text.strip():
            return text
        fields = {"q": text, "source": self.source, "target": self.target, "format": "text"}
        if self.api_key:
            fields["api_key"] = self.api_key
        limits = (min(CONNECT_TIMEOUT, self.timeout), self.timeout)
        with self.session.post(self.endpoint, data=fields, timeout=limits, stream=True) as response:
            if response.status_code == 403:
                raise dt_errors.AuthorizationException(self.api_key)
            if request_failed(status_code=response.status_code):
                raise dt_errors.ServerException(response.status_code)
            answer = json.loads(_read_limited(response))
        if not answer:
            raise dt_errors.TranslationNotFound(text)
        return cast(str, answer["translatedText"])


def _read_limited(response: requests.Response) -> bytes:
    """Return the body of a streamed response, or raise `_AnswerTooLarge` past MAX_ANSWER bytes."""
    body = bytearray()
    for chunk in response.iter_content(65536):
        body += chunk
        if len(body) > MAX_ANSWER:
            raise _AnswerTooLarge(f"the answer is larger than {MAX_ANSWER // 1_000_000} MB")
    return bytes(body)


def make_provider(name: str, source: Language, target: Language, url: str | None, timeout: float = TIMEOUT) -> Provider:
    """Return a deep-translator client for `name` from `source` to `target`; keys come from the environment."""

    def need(variable: str) -> str:
        value = os.environ.get(variable)
        if not value:
            raise UsageError(f"provider '{name}' needs an API key in the environment variable {variable}")
        return value

    src, dst = source.locale.language, target.locale.language
    try:
        if name == "libre":
            if not url:
                raise UsageError("provider 'libre' needs the server's address: --url http://host:5000")
            return SelfHostedLibreTranslator(src, dst, url, os.environ.get(LIBRE_ENV_VAR), timeout)
        if name == "google":
            return cast(Provider, GoogleTranslator(source=src, target=dst))
        if name == "deepl":
            key = need("DEEPL_API_KEY")
            # DeepL's free-plan keys end in ":fx" and have their own endpoint.
            free = key.endswith(":fx")
            return cast(Provider, DeeplTranslator(source=src, target=dst, api_key=key, use_free_api=free))
        if name == "microsoft":
            key, region = need("MICROSOFT_API_KEY"), os.environ.get("MICROSOFT_REGION")
            return cast(Provider, MicrosoftTranslator(source=src, target=dst, api_key=key, region=region))
        if name == "mymemory":
            email = os.environ.get("MYMEMORY_EMAIL")
            return cast(Provider, MyMemoryTranslator(source=_dashed(source), target=_dashed(target), email=email))
    except (dt_errors.LanguageNotSupportedException, dt_errors.InvalidSourceOrTargetLanguage) as exc:
        raise UsageError(f"provider '{name}' does not translate {source.code} to {target.code}: {exc}") from None
    raise UsageError(f"unknown provider '{name}' (choose one of {', '.join(PROVIDERS)})")


def _dashed(language: Language) -> str:
    return str(language.locale).replace("_", "-")


def protect(text: str) -> tuple[str, list[str]]:
    """Replace the parts no translation may change by numbered tokens `{0}`, `{1}`, …"""
    kept: list[str] = []

    def token(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"{{{len(kept) - 1}}}"

    return PROTECTED.sub(token, text), kept


def restore(text: str, kept: list[str]) -> tuple[str, bool]:
    """Put protected parts back; return the text and whether every token came back exactly once."""
    found = [int(n) for n in TOKEN.findall(text)]
    complete = sorted(found) == list(range(len(kept)))
    restored = TOKEN.sub(lambda m: kept[int(m.group(1))] if int(m.group(1)) < len(kept) else m.group(0), text)
    return restored, complete


@dataclass
class Job:
    """One catalog to fill: where it is, its languages, its messages and the drafts for them."""

    path: Path
    catalog: PoCatalog
    source: Language
    target: Language
    drafts: dict[Key, tuple[str, str]] = field(default_factory=dict)  # text and translator comment


@dataclass
class TranslateReport:
    """What `translate` filled, from where, and where it stopped."""

    from_memory: int = 0
    from_provider: int = 0
    requests: int = 0
    markup_lost: list[str] = field(default_factory=list)
    catalogs_written: list[Path] = field(default_factory=list)
    kept: int = 0  # drafts not used: a person translated the message while translate ran
    warnings: list[Diagnostic] = field(default_factory=list)  # merged catalogs, skipped messages


def _remark(message: Message, note: str) -> None:
    message.user_comments = [c for c in message.user_comments if not c.startswith((MT_COMMENT, MEMORY_COMMENT))]
    message.user_comments.append(note)
    message.flags.add("fuzzy")


def _memory(config: Config, language: Language) -> dict[str, str]:
    """Return every approved translation of `language` in the project, by source text."""
    memory: dict[str, str] = {}
    for _, catalog in catalogs_of(config, language):
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                memory.setdefault(message.id, str(message.string))
    return memory


def _jobs(config: Config, releases: Iterable[Release], langs: list[str], only: str | None) -> list[Job]:
    jobs: list[Job] = []
    for code in langs:
        target = config.language(code)
        if only is None and code != INTERFACE_SOURCE_LANG:
            path = interface_catalog_path(config, code)
            if path.exists() or path.is_symlink():
                jobs.append(Job(path, read_catalog(path, target), config.language(INTERFACE_SOURCE_LANG), target))
        for release in releases:
            if code == release.lang or (only is not None and release.slug != only):
                continue
            path = release_catalog_path(config, code, release.slug)
            if not path.exists():
                raise PressgenError("catalog not found (run 'pressgen update' first)", path)
            jobs.append(Job(path, read_catalog(path, target), config.language(release.lang), target))
    return jobs


def translate_catalogs(
    config: Config,
    releases: list[Release],
    provider_name: str,
    langs: list[str] | None = None,
    only: str | None = None,
    url: str | None = None,
    today: dt.date | None = None,
    backoff: float = 1.0,
    attempts: int = 5,
    progress: Callable[[str], None] = lambda _: None,
    factory: Callable[[str, Language, Language, str | None, float], Provider] = make_provider,
    timeout: float = TIMEOUT,
    max_chars: int = MAX_CHARS,
    deadline: float = DEADLINE,
) -> TranslateReport:
    """Fill the empty messages of the catalogs with machine drafts, marked fuzzy."""
    if provider_name not in PROVIDERS:
        raise UsageError(f"unknown provider '{provider_name}' (choose one of {', '.join(PROVIDERS)})")
    day = (today or dt.date.today()).isoformat()
    report = TranslateReport()
    jobs = _jobs(config, releases, langs or list(config.codes), only)

    # Translation memory first: approved translations of the same text in the same language.
    wanted = _draft_from_memory(config, jobs, provider_name, max_chars, day, report)

    # Then the provider, each distinct text once; catalogs are saved whatever happens.
    stopped: Interrupted | None = None
    limits = _Limits(provider_name, timeout, deadline, time.monotonic() + deadline)
    try:
        for (src, dst), texts in wanted.items():
            client = factory(provider_name, config.language(src), config.language(dst), url, timeout)
            glossary = load_glossary(config.locales_dir, src, dst)
            for number, (text, places) in enumerate(texts.items(), start=1):
                progress(f"[{number}/{len(texts)}] {src}→{dst}")
                masked, kept = protect(text)
                masked, kept = protect_terms(masked, glossary, kept)
                translated = _with_retries(client, masked, limits, attempts, backoff)
                report.requests += 1
                draft, complete = restore(_CONTROL.sub("", translated).strip(), kept)
                note = f"{MT_COMMENT} ({provider_name}), {day}: review, then remove the fuzzy flag"
                if not complete:
                    note += "; links, placeholders or glossary terms were lost, check them"
                    report.markup_lost.append(text)
                for job, key in places:
                    job.drafts[key] = (draft, note)
                    report.from_provider += 1
    except Interrupted as exc:  # Ctrl+C or SIGTERM (cli.run): save what came, then stop
        stopped = exc
    finally:
        with _signals_held():
            for job in jobs:
                _save(job, report)
    if stopped is not None:
        raise _interrupted(stopped, report)
    return report


# The texts for the provider, by language pair, with the messages each one drafts.
_Wanted = dict[tuple[str, str], dict[str, list[tuple[Job, Key]]]]


def _draft_from_memory(
    config: Config, jobs: list[Job], provider_name: str, max_chars: int, day: str, report: TranslateReport
) -> _Wanted:
    """Draft the empty messages translation memory knows: approved translations of the same text in the
    same language. Return the others, to send to the provider, by language pair and text."""
    memories: dict[str, dict[str, str]] = {}
    wanted: _Wanted = {}
    for job in jobs:
        memory = memories.setdefault(job.target.code, _memory(config, job.target))
        for message in job.catalog:
            if not message.id or message.string or not isinstance(message.id, str):
                continue
            if message.id in memory:
                note = f"{MEMORY_COMMENT}, {day}: review, then remove the fuzzy flag"
                job.drafts[key_of(message)] = (memory[message.id], note)
                report.from_memory += 1
            elif len(message.id) > max_chars:
                report.warnings.append(
                    Diagnostic(
                        f"not sent to '{provider_name}': the message is {len(message.id)} characters long; "
                        f"machine translation takes at most {max_chars}",
                        job.path,
                        message.lineno,
                        severity="warning",
                    )
                )
            else:
                pair = (job.source.code, job.target.code)
                wanted.setdefault(pair, {}).setdefault(message.id, []).append((job, key_of(message)))
    return wanted


def _interrupted(stopped: Interrupted, report: TranslateReport) -> PressgenError:
    """Return the error that stops an interrupted run, with the exit code of its signal."""
    saved = report.from_memory + report.from_provider - report.kept
    signum = int(stopped.args[0])
    name = signal.Signals(signum).name
    error = PressgenError(f"interrupted by {name}: the {saved} drafts received so far are saved")
    error.exit_code = 128 + signum
    return error


def _save(job: Job, report: TranslateReport) -> None:
    """Write the drafts into the catalog as it is on disk now: only into messages still empty there."""
    for _ in range(SAVE_ATTEMPTS):
        if not job.drafts:
            return
        current = read_catalog(job.path, job.target)
        applied = kept = 0
        for key, (draft, note) in job.drafts.items():
            message = current.get(key[0], key[1]) if isinstance(key, tuple) else current.get(key)
            if message is None or message.string:
                kept += 1  # a person translated it meanwhile, or update removed it
                continue
            message.string = draft
            _remark(message, note)
            applied += 1
        if applied:
            try:
                write_atomic(job.path, serialise(current), unchanged_since=current.read_status)
            except FileChanged:
                continue  # saved by someone else between our read and our write: merge again
            report.catalogs_written.append(job.path)
        report.kept += kept
        if not _same_file(job.catalog, current):
            kept_note = f" ({plural(kept, 'message')} translated meanwhile kept)" if kept else ""
            report.warnings.append(
                Diagnostic(
                    f"merged with changes saved meanwhile in {job.path.name}{kept_note}", job.path, severity="warning"
                )
            )
        return
    raise PressgenError("the catalog kept changing while translate saved its drafts; run translate again", job.path)


def _same_file(first: PoCatalog, second: PoCatalog) -> bool:
    a, b = first.read_status, second.read_status
    return (
        a is not None and b is not None and (a.st_ino, a.st_size, a.st_mtime_ns) == (b.st_ino, b.st_size, b.st_mtime_ns)
    )


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGINT while the catalogs are saved; they take effect afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


class _AnswerTooLarge(Exception):
    """A provider's answer exceeded MAX_ANSWER."""


@dataclass(frozen=True)
class _Limits:
    """How long a provider may take: for one request's whole answer, and for the whole run."""

    provider: str
    timeout: float  # seconds, for each request
    deadline: float  # seconds, for the run
    ends: float  # when the run's deadline passes (time.monotonic())

    def remaining(self) -> float:
        """Return the seconds the next request may take; stop the run if its deadline has passed."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise PressgenError(
                f"provider '{self.provider}' did not finish within the run's deadline of {self.deadline:g} s "
                "([translation] deadline); every draft received so far is saved"
            )
        return min(self.timeout, left)


def _with_retries(client: Provider, text: str, limits: _Limits, attempts: int, backoff: float) -> str:
    """Ask the provider for one text, retrying transient failures with exponential backoff."""
    provider = limits.provider
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            result = _answer_within(client, text, limits.remaining())
            if not isinstance(result, str):
                raise _Unreadable(f"the translation is {type(result).__name__}, not text")
            if not result.strip():
                raise dt_errors.TranslationNotFound(result)
            return result
        except (dt_errors.AuthorizationException, dt_errors.ApiKeyException) as exc:
            raise PressgenError(f"provider '{provider}' refused the API key: {exc}") from None
        except (_Unreadable, _AnswerTooLarge, TypeError, KeyError, IndexError, AttributeError) as exc:
            # A JSON list instead of an object, a missing field, a huge answer: not worth a retry.
            raise PressgenError(
                f"provider '{provider}' sent an answer pressgen cannot use ({_describe(exc, limits)}); "
                "every draft received so far is saved"
            ) from None
        except (
            dt_errors.ServerException,
            dt_errors.RequestError,
            dt_errors.TooManyRequests,
            dt_errors.TranslationNotFound,
            requests.RequestException,
            _Late,
            ConnectionError,
            ValueError,
        ) as exc:
            if isinstance(exc, _Late):
                limits.remaining()  # cut short by the run's deadline: that is what to say
            transient = not isinstance(exc, dt_errors.ServerException) or str(exc) in TRANSIENT
            if not transient or attempt == attempts:
                raise PressgenError(
                    f"provider '{provider}' failed after {plural(attempt, 'attempt')}: "
                    f"{_describe(exc, limits)}; every draft received so far is saved"
                ) from None
            time.sleep(min(delay, limits.remaining()))
            delay *= 2
    raise AssertionError("unreachable")


def _answer_within(client: Provider, text: str, seconds: float) -> str:
    """Return `client.translate(text)`, or raise `_Late` if it has not returned within `seconds`.

    The request runs in a thread of its own: deep-translator offers no way to bound a request
    as a whole, and a thread blocked on a socket cannot be stopped, so the run stops waiting for
    it instead. The thread is a daemon: its answer, if one ever comes, is dropped. A LibreTranslate
    request ends with its read timeout or its size limit (`SelfHostedLibreTranslator`). The
    commercial providers' clients (Google, DeepL, Microsoft, MyMemory) call `requests.get`/`post`
    with no timeout and no session, and requests then sets no timeout on the socket, so the
    standard library's default does not reach them either (measured with requests 2.34 and
    `socket.setdefaulttimeout(1)`: a request to a server that accepts and never answers was still
    waiting after 5 s). For them, this deadline is the only bound: a server that never answers
    keeps one idle thread and socket until it closes the connection or the process ends, and an
    answer is read whole into memory, whatever its size.
    """
    outcome: list[tuple[bool, Any]] = []
    done = threading.Event()

    def ask() -> None:
        try:
            outcome.append((True, client.translate(text)))
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=ask, name="machine translation request", daemon=True).start()
    if not done.wait(seconds):
        raise _Late()
    answered, value = outcome[0]
    if not answered:
        raise value
    return cast(str, value)


class _Late(Exception):
    """A provider's answer did not arrive whole within the request's deadline."""


class _Unreadable(Exception):
    """A provider answered something that is not a translation."""


def _describe(exc: BaseException, limits: _Limits) -> str:
    if isinstance(exc, (_Unreadable, _AnswerTooLarge)):
        return str(exc)
    if isinstance(exc, (requests.Timeout, _Late)):
        return f"no whole answer within {limits.timeout:g} s ([translation] timeout)"
    if isinstance(exc, json.JSONDecodeError):
        return f"the answer is not JSON ({exc})"
    return f"{type(exc).__name__}: {exc}"
