"""Template filters for what journalists get: quotable print text, light pictures, local numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context

from pressgen.config import Language
from pressgen.images import SIZES, default_src, srcset
from pressgen.printable import for_print
from pressgen.urls import Place


def format_size(size: int, language: Language) -> str:
    """Return a file size as the language writes it (84 kB, 1,2 MB)."""
    if size >= 1_000_000:
        return f"{format_decimal(size / 1_000_000, '#,##0.0', locale=language.locale)}\u00a0MB"
    return f"{format_decimal(max(1, round(size / 1000)), locale=language.locale)}\u00a0kB"


def number(value: int, language: Language) -> str:
    """Return a whole number as the language writes it (4,000; 4.000)."""
    return str(format_decimal(value, locale=language.locale))


FILTERS: dict[str, Callable[..., Any]] = {
    "printable": for_print,
    "web_src": default_src,
    "srcset": srcset,
    "file_size": format_size,
    "number": number,
}


@pass_context
def url(context: Context, path: str, absolute: bool = False) -> str:
    """Return the URL of `path` (a place relative to the site's root, "static/style.css") from the
    page being rendered, or under the site's base URL if `absolute`: `site.root` is the page's way
    back to the root ("../../"), so a place's URL from the page is its URL under that base."""
    site = context["site"]
    return Place(path).url(site["base_url"] if absolute else site["root"])


GLOBALS: dict[str, Any] = {
    "picture_sizes": SIZES,  # what the `sizes` attribute of a picture says: how wide the page shows it
    "url": url,
}
