"""Where each page, PDF, feed and file of the site lives: one model of output paths and URLs.

A place is a path relative to the output folder, as a URL path: a page ends with "/" (its file
is `index.html`), anything else names its file. From a place come its file in an output folder,
its absolute URL under `site.base_url`, and the relative URL from another page to it (as
MkDocs's `url_relative_to`), so that no caller writes "../" or joins a base URL by hand.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit


@dataclass(frozen=True, order=True)
class Place:
    """A page ("nl/slug/") or file ("nl/slug/slug-nl.pdf") of the site, relative to its root."""

    path: str

    @property
    def is_page(self) -> bool:
        return self.path == "" or self.path.endswith("/")

    def file(self, out_dir: Path) -> Path:
        """Return the file this place is written to in `out_dir`."""
        return out_dir / self.path / "index.html" if self.is_page else out_dir / self.path

    def url(self, base_url: str) -> str:
        """Return the absolute URL of this place under the site's base URL (which ends with "/")."""
        return f"{base_url}{self.path}"

    def folder(self) -> str:
        """Return the folder of this place, as a path relative to the root ("" or ending in "/")."""
        if self.is_page:
            return self.path
        head = posixpath.dirname(self.path)
        return f"{head}/" if head else ""

    def relative_to(self, page: Place) -> str:
        """Return the URL of this place relative to `page` ("./" for the page itself)."""
        start = page.folder()
        target = posixpath.relpath(self.path or ".", start or ".")
        if target == ".":
            return "./"
        return f"{target}/" if self.is_page else target

    def root_from(self) -> str:
        """Return the relative URL from this place to the site's root, "" at the root ("../../" two levels down)."""
        depth = self.folder().count("/")
        return "../" * depth

    def in_language(self, lang: str) -> Place:
        """Return the same place in another language's part of the site ("nl/page/2/" → "ro/page/2/")."""
        return Place(posixpath.join(lang, self.path.split("/", 1)[1]))

    def within(self, folder: str) -> Place:
        """Return this place inside `folder` of the site ("drafts/" holds a build of its own)."""
        return Place(posixpath.join(folder, self.path))

    def join(self, name: str) -> Place:
        """Return a file inside this page's folder (an image beside a release page)."""
        return Place(f"{self.folder()}{name}")


ROOT = Place("")
SITEMAP = Place("sitemap.xml")


def static(name: str) -> Place:
    return Place(f"static/{name}")


def newsroom(lang: str, page: int = 1) -> Place:
    """Return a page of a language's newsroom: the newest releases on the first, older ones after."""
    return Place(f"{lang}/") if page == 1 else Place(f"{lang}/page/{page}/")


def newsroom_year(lang: str, year: int, page: int = 1) -> Place:
    """Return a page of a language's archive of one year ("nl/2024/"); no slug is a year alone."""
    return Place(f"{lang}/{year}/") if page == 1 else Place(f"{lang}/{year}/page/{page}/")


SITEMAP_LIMIT = 50_000  # URLs a sitemap may hold (sitemaps.org); past that, a sitemap index


def sitemap_part(number: int) -> Place:
    """Return one of the sitemaps that the sitemap index lists, when one sitemap is not enough."""
    return Place(f"sitemap-{number}.xml")


def feed(lang: str) -> Place:
    return Place(f"{lang}/feed.xml")


def release_page(lang: str, slug: str) -> Place:
    return Place(f"{lang}/{slug}/")


def release_pdf(lang: str, slug: str) -> Place:
    return Place(f"{lang}/{slug}/{pdf_name(lang, slug)}")


def review_page(lang: str, slug: str) -> Place:
    """Return the side-by-side review page of one language version (`pressgen review`)."""
    return Place(f"{lang}/{slug}.html")


def pdf_name(lang: str, slug: str) -> str:
    return f"{slug}-{lang}.pdf"


# Where WeasyPrint finds the project's files when it renders a PDF: at this address, which never
# resolves (.invalid, RFC 2606; pdf.SandboxFetcher serves it from the project), not at the
# project's folder on the disk, whose path would make the PDF differ from one folder or machine
# to another (WeasyPrint names a picture in the PDF by a digest of its URL).
PROJECT = "https://pressgen.invalid/"


def project_url(path: str) -> str:
    """Return the URL of a file of the project (a folder's ends with "/"), by its path relative to the project."""
    return PROJECT + quote(path)


def project_path(url: str) -> str | None:
    """Return the path relative to the project of a URL under `PROJECT` (query and fragment dropped),
    None for any other URL or a path that leads out of the project."""
    if not url.startswith(PROJECT):
        return None
    path = posixpath.normpath(unquote(urlsplit(url).path).lstrip("/"))
    if path in (".", "..") or path.startswith(("../", "/")):
        return None
    return path
