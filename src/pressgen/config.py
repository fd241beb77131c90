"""Load and validate `pressgen.toml`, reporting every problem with its key path."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from pressgen.errors import PressgenError, Problems, did_you_mean

CONFIG_NAME = "pressgen.toml"
# The PDF standards WeasyPrint produces; pdf/ua-1 (tagged, for screen readers) is the default.
PDF_VARIANTS = (
    "pdf/ua-1",
    "pdf/ua-2",
    "pdf/a-1b",
    "pdf/a-2b",
    "pdf/a-3b",
    "pdf/a-2u",
    "pdf/a-3u",
    "pdf/a-4u",
    "pdf/a-2a",
    "pdf/a-3a",
)
DEFAULT_PDF_VARIANT = "pdf/ua-1"

# The keys each table may hold; anything else is an error with a "did you mean" hint.
TOP_KEYS = ("site", "organisation", "languages", "translation", "mail", "build")
SITE_KEYS = ("base_url", "source_language", "timezone", "output_dir", "preview_dir", "picture_metadata")
ORGANISATION_KEYS = ("name", "tagline", "contact", "url", "logo")
LANGUAGE_KEYS = ("code", "locale", "name", "quotes")
TRANSLATION_KEYS = ("provider", "url", "timeout", "deadline")
MAIL_KEYS = (
    "from",
    "smtp",
    "subscribers",
    "log",
    "rate",
    "lists",
    "unsubscribe",
    "ca_file",
    "timeout",
    "retries",
    "retry_delay",
    "dkim",
)
MAIL_LIST_KEYS = ("name", "embargo")
DKIM_KEYS = ("selector", "domain")
# Keys someone may try for credentials: they come from the environment only (docs/distribution.md).
CREDENTIAL_KEYS = ("user", "username", "password", "pass", "login", "key", "secret")
# A list's name is a label of its List-Id header: "journalists.newsroom.example.org".
LIST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
BUILD_KEYS = ("executor", "scheduler")
# Where a build renders its PDFs: the local pool of worker processes, or a Dask cluster.
EXECUTORS = ("local", "dask")
# The protocols of a Dask scheduler's address that reach another machine.
SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")
# What becomes of a picture's metadata (GPS position, camera serial, comments) when it is published.
PICTURE_METADATA = ("strip", "keep")


@dataclass(frozen=True)
class Language:
    """A language the site publishes in: its short code, Babel locale and its own name.

    `quotes` are the quote marks a project chose for it (`quotes = "„”‚’"`: double opening and
    closing, then single opening and closing); None means the default of `markup.QUOTES`.
    """

    code: str
    locale: Locale
    name: str
    quotes: str | None = None

    @property
    def locale_id(self) -> str:
        return str(self.locale)

    def name_in(self, locale: Locale | str) -> str:
        """Return this language's name in the words of another locale (CLDR's): "Engels" in Dutch."""
        names = Locale.parse(str(locale)).languages
        return str(names.get(self.locale.language, self.name))


@dataclass(frozen=True)
class Organisation:
    """The press office whose letterhead the pages and PDFs carry."""

    names: dict[str, str]
    taglines: dict[str, str] = field(default_factory=dict)
    contact: str | None = None
    url: str | None = None
    logo: Path | None = None

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("*") or next(iter(self.names.values()))

    def tagline(self, lang: str) -> str | None:
        return self.taglines.get(lang) or self.taglines.get("*")


@dataclass(frozen=True)
class MailList:
    """A distribution list: who may receive a release, and whether before its embargo."""

    name: str
    embargo: bool = False  # may receive releases before their embargo lifts


@dataclass(frozen=True)
class Dkim:
    """DKIM signing: the selector and domain of the key (the key itself comes from PRESSGEN_DKIM_KEY)."""

    selector: str
    domain: str


@dataclass(frozen=True)
class MailConfig:
    """How `pressgen send` distributes releases: the sender, the relay, the subscribers and the lists."""

    sender_name: str
    sender_address: str
    smtp: str  # smtp://host[:port] (STARTTLS when offered; required on 587) or smtps://host[:port]
    subscribers: Path
    log: Path
    lists: tuple[MailList, ...]
    unsubscribe: str  # the address of List-Unsubscribe (mailto)
    rate: float = 20.0  # messages a second at most
    ca_file: Path | None = None  # the certificate authorities to trust for TLS, instead of the system's
    timeout: float = 30.0  # seconds to wait for the SMTP server
    retries: int = 5  # attempts after a temporary refusal (4xx) or a lost connection
    retry_delay: float = 10.0  # seconds before the first retry; doubled for each next one
    dkim: Dkim | None = None

    def list(self, name: str) -> MailList | None:
        return next((entry for entry in self.lists if entry.name == name), None)


class _InProject:
    """A path inside the project, read as an attribute of its `Config`: `config.root / name`."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, config: Config, owner: type[Config]) -> Path:
        return config.root / self.name


@dataclass(frozen=True)
class Config:
    """The validated configuration of one pressgen project."""

    root: Path
    organisation: Organisation
    base_url: str
    languages: tuple[Language, ...]
    source_language: str
    timezone: ZoneInfo
    output_dir: Path
    preview_dir: Path  # where `build --drafts` and `serve` render the current sources
    provider: str | None = None
    provider_url: str | None = None
    provider_timeout: float = 30.0  # seconds a provider has to answer one request, whole
    provider_deadline: float = 3600.0  # seconds one `translate` may wait on providers in all
    picture_metadata: str = "strip"  # or "keep": published originals keep their metadata (PICTURE_METADATA)
    mail: MailConfig | None = None  # `[mail]`: distribution by e-mail (`pressgen send`)
    executor: str = "local"  # where PDFs render: `EXECUTORS`
    scheduler: str | None = None  # the Dask scheduler's address, for executor "dask"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def keeps_picture_metadata(self, release_says: str | None) -> bool:
        """Say whether a release's pictures are published with their metadata: its front matter
        (`picture_metadata`) decides, else the site's setting."""
        return (release_says or self.picture_metadata) == "keep"

    def language(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Return a moment in the site's time zone: every date pressgen shows is the site's, as on its pages."""
        return moment.astimezone(self.timezone)

    def day(self, moment: dt.datetime) -> str:
        """Return the day of a moment in the site's time zone, as the terminal shows it (2024-05-17)."""
        return self.local(moment).date().isoformat()

    # Where a project keeps each kind of file, inside its root.
    path = _InProject(CONFIG_NAME)
    releases_dir = _InProject("releases")
    locales_dir = _InProject("locales")
    templates_dir = _InProject("templates")
    cache_dir = _InProject(".pressgen-cache")


def find_project(start: Path) -> Path:
    """Return the folder holding `pressgen.toml`, searching from `start` upwards."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise PressgenError(f"no {CONFIG_NAME} in {start} or any folder above it", None)


class _Validator:
    """Collect every configuration problem with its key path before failing."""

    def __init__(self, path: Path):
        self.path = path
        self.problems = Problems()

    def error(self, key: str, message: str) -> None:
        self.problems.error(f"{key}: {message}" if key else message, self.path)

    def known_keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key in allowed:
                continue
            self.error(f"{where}{key}", f"unknown key{did_you_mean(key, allowed)}")

    def string(self, table: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.error(f"{where}{key}", "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(f"{where}{key}", "must be a non-empty string")
            return None
        return value

    def localised(self, table: dict[str, Any], key: str, where: str) -> dict[str, str]:
        """Read a text that is either one string or a table of language code to string."""
        value = table.get(key)
        if value is None:
            return {}
        if isinstance(value, str):
            return {"*": value}
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return dict(value)
        self.error(f"{where}{key}", "must be a string or a table of language code = string")
        return {}


def load_config(root: Path) -> Config:
    """Read `pressgen.toml` in `root` and return the validated configuration."""
    raw = _read_toml(root)
    check = _Validator(root / CONFIG_NAME)
    check.known_keys(raw, TOP_KEYS, "")
    site = _table(raw, "site", check)
    check.known_keys(site, SITE_KEYS, "site.")
    org = _table(raw, "organisation", check)
    check.known_keys(org, ORGANISATION_KEYS, "organisation.")
    translation = _table(raw, "translation", check)
    check.known_keys(translation, TRANSLATION_KEYS, "translation.")
    build = _table(raw, "build", check)
    check.known_keys(build, BUILD_KEYS, "build.")

    base_url = _base_url(site, check)
    languages = _languages(raw.get("languages"), check)
    codes = [lang.code for lang in languages]
    source = check.string(site, "source_language", "site.") or (codes[0] if codes else "en")
    if codes and source not in codes:
        check.error("site.source_language", f"'{source}' is not one of the languages {codes}")
    timezone = _timezone(site, check)
    output = check.string(site, "output_dir", "site.") or "public"
    preview = check.string(site, "preview_dir", "site.") or "preview"
    picture_metadata = check.string(site, "picture_metadata", "site.") or "strip"
    if picture_metadata not in PICTURE_METADATA:
        check.error("site.picture_metadata", f'must be "strip" (the default) or "keep", not \'{picture_metadata}\'')
    organisation = _organisation(org, root, check)
    provider = check.string(translation, "provider", "translation.")
    provider_url = check.string(translation, "url", "translation.")
    timeout = _seconds(translation, "timeout", 30.0, 600, check)
    deadline = _seconds(translation, "deadline", 3600.0, 86400, check)
    mail = _mail(raw, root, output, preview, check) if "mail" in raw else None
    executor, scheduler = _executor(build, check)

    check.problems.raise_if_any()
    return Config(
        root=root,
        organisation=organisation,
        base_url=base_url,
        languages=tuple(languages),
        source_language=source,
        timezone=timezone,
        output_dir=(root / output),
        preview_dir=(root / preview),
        provider=provider,
        provider_url=provider_url,
        provider_timeout=timeout,
        provider_deadline=deadline,
        picture_metadata=picture_metadata,
        mail=mail,
        executor=executor,
        scheduler=scheduler,
    )


def _read_toml(root: Path) -> dict[str, Any]:
    """Return what `pressgen.toml` in `root` says; a file that is not TOML is an error at its line."""
    path = root / CONFIG_NAME
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PressgenError(f"no {CONFIG_NAME} here", root) from None
    except UnicodeDecodeError as exc:
        raise PressgenError(f"not UTF-8 text ({exc.reason})", path) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 keeps the position only in the message: "... (at line 2, column 24)".
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else getattr(exc, "lineno", None)
        message = str(exc).split(" (at ")[0]
        raise PressgenError(f"invalid TOML: {message}", path, line) from None


def _base_url(site: dict[str, Any], check: _Validator) -> str:
    """Return `site.base_url` (an absolute http(s) URL), ending in one slash."""
    base_url = check.string(site, "base_url", "site.", required=True) or "https://example.invalid/"
    if not base_url.startswith(("https://", "http://")):
        check.error("site.base_url", "must be an absolute http(s) URL")
    return base_url.rstrip("/") + "/"


def _timezone(site: dict[str, Any], check: _Validator) -> ZoneInfo:
    """Return the time zone `site.timezone` names (UTC if none)."""
    zone_name = check.string(site, "timezone", "site.") or "UTC"
    try:
        return ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        check.error("site.timezone", f"unknown time zone '{zone_name}' (use an IANA name such as Europe/Amsterdam)")
        return ZoneInfo("UTC")


def _organisation(org: dict[str, Any], root: Path, check: _Validator) -> Organisation:
    """Return the organisation of `[organisation]`: a name is required, a logo must be a file in templates/."""
    names = check.localised(org, "name", "organisation.")
    if not names:
        check.error("organisation.name", "is required")
        names = {"*": "pressgen"}
    logo_name = check.string(org, "logo", "organisation.")
    logo = None
    if logo_name is not None:
        logo = root / "templates" / logo_name
        if ".." in Path(logo_name).parts or Path(logo_name).is_absolute() or not logo.is_file():
            check.error("organisation.logo", f"'{logo_name}' must be a file inside templates/")
    return Organisation(
        names=names,
        taglines=check.localised(org, "tagline", "organisation."),
        contact=check.string(org, "contact", "organisation."),
        url=check.string(org, "url", "organisation."),
        logo=logo,
    )


def _executor(build: dict[str, Any], check: _Validator) -> tuple[str, str | None]:
    """Return the executor `build.executor` names and the address of the Dask scheduler, if any."""
    executor = check.string(build, "executor", "build.") or "local"
    if executor not in EXECUTORS:
        check.error(
            "build.executor", f"'{executor}' is not one of {', '.join(EXECUTORS)}{did_you_mean(executor, EXECUTORS)}"
        )
    scheduler = check.string(build, "scheduler", "build.")
    if scheduler is not None and (problem := scheduler_problem(scheduler)):
        check.error("build.scheduler", problem)
    return executor, scheduler


def scheduler_problem(address: str) -> str | None:
    """Return what is wrong with the address of a Dask scheduler, None if nothing.

    `tcp://HOST:PORT` or another protocol of `SCHEDULER_PROTOCOLS`; `HOST:PORT` is tcp, as Dask reads it.
    """
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        ok = parts.scheme in SCHEDULER_PROTOCOLS and bool(parts.hostname) and parts.port is not None
        ok = ok and parts.path in ("", "/") and not (parts.query or parts.fragment or parts.username)
    except ValueError:  # a port that is no number, or out of range
        ok = False
    return None if ok else f"'{address}' is not the address of a Dask scheduler, such as tcp://HOST:8786"


def _seconds(table: dict[str, Any], key: str, default: float, most: int, check: _Validator) -> float:
    """Read a number of seconds, more than 0 and at most `most`."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= most:
        check.error(f"translation.{key}", f"must be a number of seconds between 0 and {most}")
        return default
    return float(value)


def _table(raw: dict[str, Any], key: str, check: _Validator) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        check.error(key, "must be a table")
        return {}
    return value


def _languages(value: Any, check: _Validator) -> list[Language]:
    if not isinstance(value, list) or not value:
        check.error("languages", "must be a non-empty array of tables ([[languages]])")
        return []
    languages: list[Language] = []
    seen: set[str] = set()
    for index, entry in enumerate(value):
        where = f"languages[{index}]."
        if not isinstance(entry, dict):
            check.error(f"languages[{index}]", "must be a table with code and locale")
            continue
        check.known_keys(entry, LANGUAGE_KEYS, where)
        code = check.string(entry, "code", where, required=True)
        locale_id = check.string(entry, "locale", where, required=True)
        if code is None or locale_id is None:
            continue
        if code in seen:
            check.error(f"{where}code", f"'{code}' is listed twice")
        seen.add(code)
        try:
            locale = Locale.parse(locale_id)
        except (UnknownLocaleError, ValueError):
            check.error(f"{where}locale", f"unknown locale '{locale_id}' (use a CLDR identifier such as nl_NL)")
            continue
        if locale.language != code.split("-")[0].split("_")[0]:
            check.error(f"{where}locale", f"'{locale_id}' is not a locale of language '{code}'")
        own_name = check.string(entry, "name", where) or (locale.get_language_name(locale) or code)
        quotes = _quotes(entry.get("quotes"), f"{where}quotes", check)
        languages.append(Language(code=code, locale=locale, name=own_name[:1].upper() + own_name[1:], quotes=quotes))
    return languages


def _quotes(value: Any, key: str, check: _Validator) -> str | None:
    """Read a language's quote marks: four punctuation characters, such as "„”‚’"."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 4 or not all(unicodedata.category(c)[0] == "P" for c in value):
        check.error(
            key,
            f"{value!r} is not four quote marks: write the double opening and closing marks, then the single "
            'ones, such as "“”‘’" or "„”‚’"',
        )
        return None
    return value


def _number(
    table: dict[str, Any], key: str, where: str, limits: tuple[float, float, bool], default: float, check: _Validator
) -> float:
    """Read a number of `table` between two limits; the low one included only if the third item says so."""
    low, high, low_included = limits
    value = table.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value > high
        or not (value > low or (low_included and value == low))
    ):
        least = f"from {low:g} to" if low_included else f"greater than {low:g}, at most"
        check.error(f"{where}{key}", f"must be a number {least} {high:g}")
        return default
    return float(value)


def _mail(raw: dict[str, Any], root: Path, output: str, preview: str, check: _Validator) -> MailConfig | None:
    """Read `[mail]`: every problem with its key path; credentials are refused (they come from the environment)."""
    from email.headerregistry import Address
    from email.policy import default as policy

    table = _table(raw, "mail", check)
    for key in table:
        if key.lower() in CREDENTIAL_KEYS:
            check.error(
                f"mail.{key}",
                "credentials are never kept in the project: set PRESSGEN_SMTP_USER and PRESSGEN_SMTP_PASSWORD "
                "(and PRESSGEN_DKIM_KEY for a DKIM key) in the environment",
            )
    check.known_keys({k: v for k, v in table.items() if k.lower() not in CREDENTIAL_KEYS}, MAIL_KEYS, "mail.")
    sender = check.string(table, "from", "mail.", required=True)
    address = Address("", "press", "example.invalid")
    if sender is not None:
        header = policy.header_factory("From", sender)
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
        if any(unicodedata.category(c) == "Cc" for c in sender):
            check.error("mail.from", "holds a control character (a line break?)")
        elif header.defects or len(addresses) != 1 or not addresses[0].username or "." not in addresses[0].domain:
            check.error("mail.from", f"'{sender}' is not one address such as \"Press office <press@example.org>\"")
        else:
            address = addresses[0]
    smtp = check.string(table, "smtp", "mail.", required=True)
    if smtp is not None:
        problem = _smtp_problem(smtp)
        if problem:
            check.error("mail.smtp", problem)
    unsubscribe = check.string(table, "unsubscribe", "mail.") or address.addr_spec
    if "@" not in unsubscribe or any(c.isspace() or c in "<>," for c in unsubscribe):
        check.error("mail.unsubscribe", f"'{unsubscribe}' is not an e-mail address")
    subscribers = _private_path(table, "subscribers", "distribution/subscribers.csv", root, (output, preview), check)
    log = _private_path(table, "log", "distribution/deliveries.sqlite", root, (output, preview), check)
    ca_file = None
    ca_name = check.string(table, "ca_file", "mail.")
    if ca_name is not None:
        ca_file = root / ca_name
        if not ca_file.is_file():
            check.error("mail.ca_file", f"'{ca_name}' is not a file (PEM certificates of the authorities to trust)")
    retries = table.get("retries", 5)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 20:
        check.error("mail.retries", "must be a whole number from 0 to 20")
        retries = 5
    dkim = None
    if "dkim" in table:
        dkim_table = _table(table, "dkim", check)
        check.known_keys(dkim_table, DKIM_KEYS, "mail.dkim.")
        selector = check.string(dkim_table, "selector", "mail.dkim.", required=True) or "default"
        domain = check.string(dkim_table, "domain", "mail.dkim.") or address.domain
        dkim = Dkim(selector, domain)
    return MailConfig(
        sender_name=address.display_name,
        sender_address=address.addr_spec,
        smtp=smtp or "smtp://localhost",
        subscribers=subscribers,
        log=log,
        lists=_mail_lists(table.get("lists"), check),
        unsubscribe=unsubscribe,
        rate=_number(table, "rate", "mail.", (0, 10_000, False), 20.0, check),
        ca_file=ca_file,
        timeout=_number(table, "timeout", "mail.", (0, 600, False), 30.0, check),
        retries=retries,
        retry_delay=_number(table, "retry_delay", "mail.", (0, 3600, True), 10.0, check),
        dkim=dkim,
    )


def _smtp_problem(url: str) -> str | None:
    """Say what is wrong with the SMTP server's URL, if anything."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        return f"'{url}' must start with smtp:// (STARTTLS) or smtps:// (TLS from the start)"
    if parts.username is not None or parts.password is not None:
        return "credentials are never kept in the project: set PRESSGEN_SMTP_USER and PRESSGEN_SMTP_PASSWORD"
    try:
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        return f"'{url}' has an invalid port"
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"'{url}' must be smtp://host[:port] or smtps://host[:port]"
    return None


def _private_path(
    table: dict[str, Any], key: str, default: str, root: Path, outputs: tuple[str, ...], check: _Validator
) -> Path:
    """Read the path of a file of personal data: never inside the site's output or the committed sources."""
    name = check.string(table, key, "mail.") or default
    path = (root / name).resolve() if not Path(name).is_absolute() else Path(name).resolve()
    public = ("releases", "locales", "templates", "published", *outputs)
    for folder in public:
        if path.is_relative_to((root / folder).resolve()):
            check.error(
                f"mail.{key}",
                f"'{name}' lies inside {folder}/: subscribers and the delivery log are personal data, kept out "
                "of the site and the committed sources (use distribution/, which .gitignore keeps out of git)",
            )
            break
    return path


def _mail_lists(value: Any, check: _Validator) -> tuple[MailList, ...]:
    if not isinstance(value, list) or not value:
        check.error("mail.lists", "must be a non-empty array of tables ([[mail.lists]] with a name)")
        return ()
    lists: list[MailList] = []
    for index, entry in enumerate(value):
        where = f"mail.lists[{index}]."
        if not isinstance(entry, dict):
            check.error(f"mail.lists[{index}]", "must be a table with a name")
            continue
        check.known_keys(entry, MAIL_LIST_KEYS, where)
        name = check.string(entry, "name", where, required=True)
        embargo = entry.get("embargo", False)
        if not isinstance(embargo, bool):
            check.error(f"{where}embargo", "must be true or false")
            embargo = False
        if name is None:
            continue
        if not LIST_NAME.fullmatch(name):
            check.error(
                f"{where}name",
                f"'{name}' must be lower-case letters, digits and hyphens (it names the list in its List-Id header)",
            )
        elif any(other.name == name for other in lists):
            check.error(f"{where}name", f"'{name}' is listed twice")
        lists.append(MailList(name, embargo))
    return tuple(lists)
