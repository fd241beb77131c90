"""URLs come from one model (`urls.Place`): templates ask the `url()` global, never join `site.root`
or `site.base_url` with a path themselves, nor cut a URL apart to make another."""

from __future__ import annotations

import re

import pytest
from jinja2 import Environment, StrictUndefined

from conftest import REPO
from pressgen import urls
from pressgen.filters import GLOBALS

BASE = "https://newsroom.example.org/pledge/"
TEMPLATE_FOLDERS = (REPO / "templates", REPO / "src" / "pressgen" / "ui")
# `{{ site.root }}static/…`, `{{ site.base_url }}{{ … }}`, `{{ alt.href }}feed.xml`: a URL joined by
# hand after the expression; `site.root ~ "…"` inside one; `x[site.root|length:]` cutting one apart.
HAND_MADE = re.compile(
    r"\{\{\s*(site\.root|site\.base_url|canonical|[\w.]+\.href)\s*\}\}[\w{]"
    r"|site\.(root|base_url)\s*~"
    r"|\|length\s*:\s*\]"
)


def render(source: str, page: urls.Place, **context: str) -> str:
    """Render `source` as a page at `page` would be, with the site context `url()` reads."""
    env = Environment(undefined=StrictUndefined, autoescape=True)
    env.globals.update(GLOBALS)
    return env.from_string(source).render(site={"root": page.root_from(), "base_url": BASE}, **context)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (urls.ROOT, "static/style.css en/feed.xml"),
        (urls.newsroom("nl"), "../static/style.css ../en/feed.xml"),
        (urls.release_page("ro", "2024-05-17-pledge"), "../../static/style.css ../../en/feed.xml"),
        (urls.newsroom_year("en", 2024, 2), "../../../../static/style.css ../../../../en/feed.xml"),
    ],
)
def test_url_leads_from_the_page_to_a_place_of_the_site(page: urls.Place, expected: str) -> None:
    assert render('{{ url("static/style.css") }} {{ url(code ~ "/feed.xml") }}', page, code="en") == expected


def test_an_absolute_url_is_under_the_base_url_from_any_page() -> None:
    for page in (urls.ROOT, urls.release_page("nl", "2024-05-17-pledge")):
        assert render('{{ url("static/logo.png", absolute=True) }}', page) == f"{BASE}static/logo.png"


def test_a_place_moves_to_another_language_or_folder() -> None:
    assert urls.newsroom("nl", 2).in_language("ro") == urls.newsroom("ro", 2)
    assert urls.newsroom("nl").in_language("en") == urls.newsroom("en")
    drafts = urls.release_pdf("en", "2024-05-17-pledge").within("drafts/")
    assert drafts.relative_to(urls.review_page("en", "2024-05-17-pledge")) == (
        "../drafts/en/2024-05-17-pledge/2024-05-17-pledge-en.pdf"
    )


@pytest.mark.parametrize(
    "line",
    [
        '<link rel="stylesheet" href="{{ site.root }}static/style.css">',
        '<a href="{{ site.root }}{{ site.language.code }}/">',
        '<meta property="og:image" content="{{ site.base_url }}{{ site.logo[site.root|length:] }}">',
        '<link href="{{ alt.href }}feed.xml">',
        '<meta content="{{ canonical }}{{ release.images[0].src }}">',
        '<a href="{{ site.root ~ "static/x.css" }}">',
    ],
)
def test_the_scan_finds_a_url_joined_by_hand(line: str) -> None:
    assert HAND_MADE.search(line)


def test_no_template_joins_or_cuts_a_url_by_hand() -> None:
    templates = [path for folder in TEMPLATE_FOLDERS for path in sorted(folder.glob("*.html"))]
    assert len(templates) > 20
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HAND_MADE.search(line)
    ]
    assert found == []


def test_templates_still_read_the_root_only_through_url() -> None:
    """`site.root` stays in the context for `url()` alone: a template that names it joins it by hand."""
    named = [path.name for path in (REPO / "templates").glob("*.html") if "site.root" in path.read_text("utf-8")]
    assert named == []
