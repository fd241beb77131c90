"""Load and validate `pressgen.toml`, reporting every problem with its key path."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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
TOP_KEYS = ("site", "organisation", "languages", "translation")
SITE_KEYS = ("base_url", "source_language", "timezone", "output_dir", "preview_dir", "picture_metadata")
ORGANISATION_KEYS = ("name", "tagline", "contact", "url", "logo")
LANGUAGE_KEYS = ("code", "locale", "name", "quotes")
TRANSLATION_KEYS = ("provider", "url", "timeout", "deadline")
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
    path = root / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
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

    check = _Validator(path)
    check.known_keys(raw, TOP_KEYS, "")
    site = _table(raw, "site", check)
    check.known_keys(site, SITE_KEYS, "site.")
    org = _table(raw, "organisation", check)
    check.known_keys(org, ORGANISATION_KEYS, "organisation.")
    translation = _table(raw, "translation", check)
    check.known_keys(translation, TRANSLATION_KEYS, "translation.")

    base_url = check.string(site, "base_url", "site.", required=True) or "https://example.invalid/"
    if not base_url.startswith(("https://", "http://")):
        check.error("site.base_url", "must be an absolute http(s) URL")
    base_url = base_url.rstrip("/") + "/"

    languages = _languages(raw.get("languages"), check)
    codes = [lang.code for lang in languages]
    source = check.string(site, "source_language", "site.") or (codes[0] if codes else "en")
    if codes and source not in codes:
        check.error("site.source_language", f"'{source}' is not one of the languages {codes}")

    zone_name = check.string(site, "timezone", "site.") or "UTC"
    try:
        timezone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        check.error("site.timezone", f"unknown time zone '{zone_name}' (use an IANA name such as Europe/Amsterdam)")
        timezone = ZoneInfo("UTC")

    output = check.string(site, "output_dir", "site.") or "public"
    preview = check.string(site, "preview_dir", "site.") or "preview"
    picture_metadata = check.string(site, "picture_metadata", "site.") or "strip"
    if picture_metadata not in PICTURE_METADATA:
        check.error("site.picture_metadata", f'must be "strip" (the default) or "keep", not \'{picture_metadata}\'')
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
    organisation = Organisation(
        names=names,
        taglines=check.localised(org, "tagline", "organisation."),
        contact=check.string(org, "contact", "organisation."),
        url=check.string(org, "url", "organisation."),
        logo=logo,
    )
    provider = check.string(translation, "provider", "translation.")
    provider_url = check.string(translation, "url", "translation.")
    timeout = _seconds(translation, "timeout", 30.0, 600, check)
    deadline = _seconds(translation, "deadline", 3600.0, 86400, check)

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
    )


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
