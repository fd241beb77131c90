"""The whole built site as a journalist's browser, a feed reader and the validators see it.

The site is built once (the session's `built` fixture), served over HTTP on 127.0.0.1, and every
page is opened once in Debian's Chromium, driven by Playwright, with axe-core injected. The Nu HTML
Checker (vnu.jar) checks all pages in one run. vnu-jar and axe-core come from npm (package.json,
installed by `make test`); Chromium and Java from the system (`scripts/system-deps test`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import feedparser
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route, sync_playwright

from conftest import REPO
from helpers import serving

pytestmark = pytest.mark.browser  # Chromium, the Nu HTML Checker and Lighthouse on a built site

NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries to reach Google's services, and those
# connections are refused noisily here.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")
SYSTEM_HINT = "`make test` installs it, through `scripts/system-deps test`"
NPM_HINT = "run `npm ci --ignore-scripts` in the repository (`make test` does)"


@dataclass
class PageReport:
    """What opening one page in the browser showed."""

    path: str  # the HTML file, relative to public/
    url: str  # where the browser opened it
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    violations: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """Launch Debian's Chromium headless through Playwright (never a browser Playwright downloads)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package; {SYSTEM_HINT}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def html_pages(public: Path) -> list[Path]:
    """Every HTML page of the built site."""
    pages = sorted(public.rglob("*.html"))
    assert pages, f"the build wrote no HTML page into {public}"
    return pages


def site_config(public: Path) -> dict[str, Any]:
    """The pressgen.toml of the project that was built into `public`."""
    with (public.parent / "pressgen.toml").open("rb") as handle:
        return tomllib.load(handle)


def target_file(public: Path, path: str) -> Path | None:
    """The file that a URL path inside the site serves, or None if there is none."""
    target = public / unquote(path).lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def site_path(url: str, roots: tuple[str, ...]) -> str | None:
    """The path of `url` inside the site (served locally or at the base URL), None if outside."""
    url = urldefrag(url).url.split("?", 1)[0]
    for root in roots:
        if url == root.rstrip("/") or url.startswith(root):
            return "/" + url[len(root) :]
    return None


def relative(url: str, origin: str) -> str:
    """`url` relative to the served site, as a path in public/."""
    return url[len(origin) :] if url.startswith(origin) else url


@pytest.fixture(scope="module")
def site_url(built: Path) -> Iterator[str]:
    """The built site, served over HTTP on 127.0.0.1 on a free port in a background thread."""
    with serving(built) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched once (never a browser that Playwright downloads)."""
    with chromium_browser() as chromium:
        yield chromium


def open_page(page: Page, path: str, origin: str) -> PageReport:
    """Open one page, wait until it and its fonts have loaded, and run axe-core on it."""
    report = PageReport(path, origin + path.removesuffix("index.html"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            if where:
                where = f" ({relative(where, origin)}:{message.location.get('lineNumber', 0) + 1})"
            report.console_errors.append(message.text + where)

    def on_response(response: Response) -> None:
        if response.url.startswith(origin) and response.status >= 400:
            report.failed_requests.append(f"{response.status} {relative(response.url, origin)}")

    def on_request_failed(request: Request) -> None:
        if request.url.startswith(origin):
            report.failed_requests.append(f"{request.failure} {relative(request.url, origin)}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.goto(report.url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => document.fonts.size)")
    report.links = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)")
    report.ids = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("axe.run()")
    report.violations = results["violations"]
    return report


@pytest.fixture(scope="module")
def reports(built: Path, site_url: str, browser: Browser) -> list[PageReport]:
    """Every HTML page of the built site, opened once in the browser."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: {NPM_HINT}")
    context = browser.new_context()
    context.set_default_timeout(20_000)
    outside: list[str] = []

    # Nothing may leave this machine: requests for anything outside the site are refused and noted.
    def route(route: Route) -> None:
        if route.request.url.startswith(site_url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    result = []
    try:
        for path in html_pages(built):
            page = context.new_page()
            outside.clear()
            report = open_page(page, path.relative_to(built).as_posix(), site_url)
            report.outside_requests = list(outside)
            result.append(report)
            page.close()
    finally:
        context.close()
    return result


def problems(reports: list[PageReport], **labels: str) -> list[str]:
    """Per page, everything it has in the report fields named by `labels`, each line labelled."""
    lines = []
    for report in reports:
        found = [f"{label}: {item}" for name, label in labels.items() for item in getattr(report, name)]
        if found:
            lines.append(f"{report.path}:\n  " + "\n  ".join(found))
    return lines


def test_every_page_is_valid_html(built: Path) -> None:
    """The Nu HTML Checker finds no error in any page (one run over all of them)."""
    if shutil.which("java") is None:
        pytest.fail(f"no `java` on PATH for the Nu HTML Checker: install default-jre-headless; {SYSTEM_HINT}")
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} is missing: {NPM_HINT}")
    pages = html_pages(built)
    args = ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout", *map(str, pages)]
    run = subprocess.run(args, capture_output=True, text=True, timeout=120)
    try:
        messages = json.loads(run.stdout)["messages"]
    except ValueError:
        pytest.fail(f"the Nu HTML Checker did not report (exit {run.returncode}): {run.stderr}")

    def where(message: dict[str, Any]) -> str:
        path = Path(unquote(urlsplit(message.get("url", "")).path))
        name = path.relative_to(built).as_posix() if path.is_relative_to(built) else str(path)
        return f"{name}:{message.get('lastLine', '?')}"

    errors = [f"{where(m)}: {m['type']}: {m['message']}" for m in messages]
    assert not errors, "the Nu HTML Checker found errors:\n" + "\n".join(errors)
    assert run.returncode == 0, f"the Nu HTML Checker failed (exit {run.returncode}): {run.stderr}"


def test_pages_show_no_console_or_script_errors(reports: list[PageReport]) -> None:
    """No page logs an error to the browser's console or throws one."""
    found = problems(reports, console_errors="console error", page_errors="uncaught error")
    assert not found, "errors in the browser's console:\n" + "\n".join(found)


def test_everything_a_page_loads_is_served(reports: list[PageReport]) -> None:
    """Every stylesheet, font and image that a page asks for is there, and none comes from elsewhere."""
    found = problems(reports, failed_requests="failed", outside_requests="loads from outside the site")
    assert not found, "requests that a reader's browser cannot complete:\n" + "\n".join(found)


def test_links_inside_the_site_resolve(built: Path, site_url: str, reports: list[PageReport]) -> None:
    """Every <a href> and <link href> into the site (relative, or at the base URL) finds its file and anchor."""
    base_url = site_config(built)["site"]["base_url"]
    ids = {report.path: report.ids for report in reports}
    broken = []
    for report in reports:
        assert report.links, f"{report.path}: a page without any link"
        for link in report.links:
            path = site_path(link, (site_url, base_url))
            if path is None:
                continue
            target = target_file(built, path)
            fragment = urldefrag(link).fragment
            if target is None:
                broken.append(f"{report.path}: {link} (no file for {path})")
            elif fragment and fragment not in ids.get(target.relative_to(built).as_posix(), {fragment}):
                broken.append(f"{report.path}: {link} (no element with id {fragment!r} in {path})")
    assert not broken, "links to nothing:\n" + "\n".join(broken)


def test_pages_have_no_serious_accessibility_violations(reports: list[PageReport]) -> None:
    """axe-core finds nothing serious or critical on any page (contrast, alt texts, names, …)."""
    found = []
    for report in reports:
        for violation in report.violations:
            if violation.get("impact") in BLOCKING_IMPACTS:
                targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
                found.append(
                    f"{report.path}: {violation['id']} ({violation['impact']}): {violation['help']}\n    at {targets}"
                )
    assert not found, "axe-core found accessibility violations:\n" + "\n".join(found)


def test_every_language_has_a_valid_feed(built: Path) -> None:
    """Each language's Atom feed parses cleanly, in its language, with entries that link to pages."""
    config = site_config(built)
    base_url = config["site"]["base_url"]
    languages = [language["code"] for language in config["languages"]]
    found = []
    for lang in languages:
        path = built / lang / "feed.xml"
        if not path.is_file():
            found.append(f"{lang}/feed.xml: missing")
            continue
        feed = feedparser.parse(path.read_bytes())
        if feed.bozo:
            found.append(f"{lang}/feed.xml: does not parse: {feed.get('bozo_exception')}")
        if not feed.entries:
            found.append(f"{lang}/feed.xml: no entry")
        if feed.feed.get("language") != lang:
            found.append(f"{lang}/feed.xml: language {feed.feed.get('language')!r}, not {lang!r}")
        for entry in feed.entries:
            path_in_site = site_path(entry.get("link", ""), (base_url,))
            if path_in_site is None or not path_in_site.startswith(f"/{lang}/"):
                found.append(
                    f"{lang}/feed.xml: entry {entry.get('title')!r} links outside {lang}/: {entry.get('link')}"
                )
            elif target_file(built, path_in_site) is None:
                found.append(f"{lang}/feed.xml: entry {entry.get('title')!r} links to nothing: {entry.get('link')}")
    assert not found, "\n".join(found)


LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
# Lighthouse 12 launches Debian's Chromium (CHROME_PATH) with the same quiet flags as Playwright.
LIGHTHOUSE_FLAGS = " ".join(["--headless=new", *CHROMIUM_ARGS[1:]])
# Scores that do not depend on timing; the performance score is measured by bench/lighthouse.py.
STEADY_CATEGORIES = ("accessibility", "best-practices", "seo")


def lighthouse(url: str, categories: tuple[str, ...], out: Path) -> dict[str, Any]:
    """Run Lighthouse (mobile, simulated throttling: its defaults) on `url`; return its JSON report."""
    args = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(categories)}",
        f"--chrome-flags={LIGHTHOUSE_FLAGS}",
    ]
    run = subprocess.run(
        args, capture_output=True, text=True, timeout=180, env={**os.environ, "CHROME_PATH": str(CHROMIUM)}
    )
    assert run.returncode == 0, f"Lighthouse failed on {url}: {run.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


@pytest.fixture(scope="module")
def journalist_url(journalist_site: Path) -> Iterator[str]:
    """The site with the journalist fixture release (a 4000×1000 picture in its body), served locally."""
    with serving(journalist_site) as url:
        yield url


@pytest.mark.parametrize("page", ["en/2024-05-16-shared-incident-register/", "nl/", ""])
def test_lighthouse_scores_accessibility_best_practices_and_seo_full(
    journalist_url: str, page: str, tmp_path: Path
) -> None:
    """The release page, a newsroom and the language chooser score 100 in every category but speed."""
    if not LIGHTHOUSE.is_file():
        pytest.fail(f"{LIGHTHOUSE} is missing: {NPM_HINT}")
    report = lighthouse(journalist_url + page, STEADY_CATEGORIES, tmp_path / "report.json")
    scores = {name: report["categories"][name]["score"] for name in STEADY_CATEGORIES}
    failing = [
        f"{audit['id']}: {audit['title']} ({audit.get('displayValue', '')})"
        for audit in report["audits"].values()
        if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0
    ]
    assert scores == dict.fromkeys(STEADY_CATEGORIES, 1), f"{page or 'chooser'}: {scores}\n" + "\n".join(failing)
