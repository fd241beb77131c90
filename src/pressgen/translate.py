"""Machine translation: fill empty messages with drafts from a provider through deep-translator.

A draft is never a translation: every message it fills is marked fuzzy, with a translator
comment naming the provider and the date, so the publish gate keeps the language out until a
translator approves it by removing the flag. Messages a person wrote are never touched.
Before asking a provider, exact matches already approved in other catalogs of the same
language are reused (translation memory); each distinct text is sent once; transient failures
are retried with backoff; a provider that keeps failing stops the run with a clear error after
every catalog has been saved with what was translated so far.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import requests
from babel.messages.catalog import Catalog, Message
from deep_translator import DeeplTranslator, GoogleTranslator, LibreTranslator, MicrosoftTranslator, MyMemoryTranslator
from deep_translator import exceptions as dt_errors
from deep_translator.constants import LIBRE_ENV_VAR

from pressgen.catalogs import (
    INTERFACE_SOURCE_LANG,
    catalogs_of,
    interface_catalog_path,
    read_catalog,
    release_catalog_path,
    serialise,
    write_atomic,
)
from pressgen.config import Config, Language
from pressgen.errors import PressgenError, UsageError
from pressgen.releases import Release

PROVIDERS = ("google", "deepl", "microsoft", "libre", "mymemory")
MT_COMMENT = "machine translation"  # translator comments starting with this mark machine drafts
MEMORY_COMMENT = "translation memory"
TRANSIENT = {"ERR_TOO_MANY_REQUESTS", "ERR_INTERNAL_SERVER_ERROR", "ERR_SERVICE_NOT_AVAIBLE", "API server error"}
# Parts of a message that no translation may change: link targets, code, URLs, e-mail
# addresses and template placeholders. They travel to the provider as numbered tokens.
PROTECTED = re.compile(
    r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # the target of a Markdown link or image
    r"|`[^`]+`"  # inline code
    r"|<(?:https?://|mailto:)[^>]+>"  # autolinks
    r"|https?://[^\s)>\]]+"  # bare URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|%\([a-z_]+\)s"  # interface placeholders
)
TOKEN = re.compile(r"\{(\d+)\}")


class Provider(Protocol):
    def translate(self, text: str, **kwargs: Any) -> str: ...


class SelfHostedLibreTranslator(LibreTranslator):  # type: ignore[misc]
    """deep-translator's LibreTranslator for any LibreTranslate server.

    deep-translator 1.11.4 lists only 17 languages for LibreTranslate (no Dutch, no Romanian)
    and insists on an API key; a self-hosted server serves many more languages and often
    needs no key. This subclass accepts any ISO 639-1 code and an optional key.
    """

    def __init__(self, source: str, target: str, base_url: str, api_key: str | None = None):
        languages = {source: source, target: target}
        # Skip LibreTranslator.__init__ (key check, fixed language list); keep its translate().
        self.api_key = api_key or ""
        super(LibreTranslator, self).__init__(
            base_url=base_url.rstrip("/") + "/", source=source, target=target, languages=languages
        )


def make_provider(name: str, source: Language, target: Language, url: str | None) -> Provider:
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
            return SelfHostedLibreTranslator(src, dst, url, os.environ.get(LIBRE_ENV_VAR))
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
    """One catalog to fill: where it is, its language and source language, and its messages."""

    path: Path
    catalog: Catalog
    source: Language
    target: Language
    dirty: bool = False


@dataclass
class TranslateReport:
    """What `translate` filled, from where, and where it stopped."""

    from_memory: int = 0
    from_provider: int = 0
    requests: int = 0
    markup_lost: list[str] = field(default_factory=list)
    catalogs_written: list[Path] = field(default_factory=list)


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
            if path.exists():
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
    factory: Callable[[str, Language, Language, str | None], Provider] = make_provider,
) -> TranslateReport:
    """Fill the empty messages of the catalogs with machine drafts, marked fuzzy."""
    if provider_name not in PROVIDERS:
        raise UsageError(f"unknown provider '{provider_name}' (choose one of {', '.join(PROVIDERS)})")
    day = (today or dt.date.today()).isoformat()
    report = TranslateReport()
    jobs = _jobs(config, releases, langs or list(config.codes), only)

    # Translation memory first: approved translations of the same text in the same language.
    memories: dict[str, dict[str, str]] = {}
    wanted: dict[tuple[str, str], dict[str, list[tuple[Job, Message]]]] = {}
    for job in jobs:
        memory = memories.setdefault(job.target.code, _memory(config, job.target))
        for message in job.catalog:
            if not message.id or message.string or not isinstance(message.id, str):
                continue
            if message.id in memory:
                message.string = memory[message.id]
                _remark(message, f"{MEMORY_COMMENT}, {day}: review, then remove the fuzzy flag")
                job.dirty = True
                report.from_memory += 1
            else:
                pair = (job.source.code, job.target.code)
                wanted.setdefault(pair, {}).setdefault(message.id, []).append((job, message))

    # Then the provider, each distinct text once; catalogs are saved whatever happens.
    try:
        for (src, dst), texts in wanted.items():
            client = factory(provider_name, config.language(src), config.language(dst), url)
            for number, (text, places) in enumerate(texts.items(), start=1):
                progress(f"[{number}/{len(texts)}] {src}→{dst}")
                masked, kept = protect(text)
                translated = _with_retries(client, masked, provider_name, attempts, backoff)
                report.requests += 1
                draft, complete = restore(translated.strip(), kept)
                note = f"{MT_COMMENT} ({provider_name}), {day}: review, then remove the fuzzy flag"
                if not complete:
                    note += "; links or placeholders were lost, check them"
                    report.markup_lost.append(text)
                for job, message in places:
                    message.string = draft
                    _remark(message, note)
                    job.dirty = True
                    report.from_provider += 1
    finally:
        for job in jobs:
            if job.dirty:
                write_atomic(job.path, serialise(job.catalog))
                report.catalogs_written.append(job.path)
    return report


def _with_retries(client: Provider, text: str, provider: str, attempts: int, backoff: float) -> str:
    """Ask the provider for one text, retrying transient failures with exponential backoff."""
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            result = client.translate(text)
            if not isinstance(result, str) or not result.strip():
                raise dt_errors.TranslationNotFound(result)
            return result
        except (dt_errors.AuthorizationException, dt_errors.ApiKeyException) as exc:
            raise PressgenError(f"provider '{provider}' refused the API key: {exc}") from None
        except (
            dt_errors.ServerException,
            dt_errors.RequestError,
            dt_errors.TooManyRequests,
            dt_errors.TranslationNotFound,
            requests.RequestException,
            ConnectionError,
            ValueError,
        ) as exc:
            transient = not isinstance(exc, dt_errors.ServerException) or str(exc) in TRANSIENT
            if not transient or attempt == attempts:
                raise PressgenError(
                    f"provider '{provider}' failed after {attempt} attempt{'s' if attempt > 1 else ''}: "
                    f"{type(exc).__name__}: {exc}; every draft received so far is saved"
                ) from None
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")
