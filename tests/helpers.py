"""Helpers for reading what pressgen wrote: PDF text and fonts through poppler, HTML links."""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po


def pdf_text(path: Path, layout: bool = False) -> str:
    """Return the text of a PDF as poppler's pdftotext reads it."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """Return the fonts of a PDF as pdffonts lists them (name, emb, sub)."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object ID: read emb/sub/uni from the end.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def unhyphenate(text: str) -> str:
    """Join words that the PDF hyphenated at line ends and fold all whitespace."""
    text = re.sub(r"\u2010(?:\s*\n\s*)", "", text)
    return " ".join(text.split())


class Links(HTMLParser):
    """Collect the links, link elements and language attributes of an HTML page.

    Attributes without a value (`download`) are kept with the empty string.
    """

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str]] = []
        self.link_tags: list[dict[str, str]] = []
        self.html_lang: str | None = None
        self.images: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html_lang = data.get("lang")
        elif tag == "a":
            self.anchors.append(data)
        elif tag == "link":
            self.link_tags.append(data)
        elif tag == "img":
            self.images.append(data)


def parse_links(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def set_translation(path: Path, source_start: str, new: str) -> int:
    """Replace the msgstr of the message whose msgid starts with `source_start`; return its msgstr's line.

    Check findings point there: where an editor puts the cursor to change the translation.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(
        i for i, line in enumerate(lines) if line.startswith("msgid") and source_start in "".join(lines[i : i + 3])
    )
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("msgstr"))
    stop = next(i for i in range(end + 1, len(lines) + 1) if i == len(lines) or not lines[i].startswith('"'))
    escaped = new.replace("\\", "\\\\").replace('"', '\\"')
    lines[end:stop] = [f'msgstr "{escaped}"']
    path.write_text("\n".join(lines), encoding="utf-8")
    return end + 1


def add_flag(path: Path, source_start: str, flag: str) -> int:
    """Add a flag to the `#,` line of the message whose msgid starts with `source_start`; return that line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(
        i for i, line in enumerate(lines) if line.startswith("msgid") and source_start in "".join(lines[i : i + 3])
    )
    first = start
    while first > 0 and lines[first - 1].startswith("#"):
        first -= 1
    flags = next((i for i in range(first, start) if lines[i].startswith("#,")), None)
    if flags is None:
        comments = [i for i in range(first, start) if not lines[i].startswith("#|")]
        flags = comments[-1] + 1 if comments else first
        lines.insert(flags, f"#, {flag}")
    else:
        lines[flags] += f", {flag}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return flags + 1


@dataclass(frozen=True)
class PoMessage:
    """A singular message of a catalog as Babel reads it (an independent reader of what pressgen wrote)."""

    id: str
    string: str
    auto_comments: tuple[str, ...]


def po_messages(path: Path) -> list[PoMessage]:
    """Return the singular messages of a PO file (header and plural forms left out)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return [
        PoMessage(m.id, m.string, tuple(m.auto_comments))
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str)
    ]


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 (a free port) in a background thread; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def cache_json(path: Path) -> Any:
    """Return the value of a sealed JSON file of `.pressgen-cache/` (builds.json, sources.json, a state)."""
    import json

    from pressgen.cache import unseal

    data = unseal(path.name, path.read_bytes())
    assert data is not None, f"{path} has no valid seal"
    return json.loads(data)


def write_cache_json(path: Path, value: Any) -> None:
    """Write `value` as a sealed JSON file of `.pressgen-cache/`, as pressgen would (a memo in another shape)."""
    import json

    from pressgen.cache import seal

    path.write_bytes(seal(path.name, json.dumps(value).encode()))


def add_release(project: Path, slug: str, title: str, extra: str = "") -> None:
    """Write a small release in English: its title, its date from the slug, a summary, a body."""
    folder = project / "releases" / slug
    folder.mkdir()
    (folder / "release.md").write_text(
        f"---\ntitle: {title}\ndate: {slug[:10]}\nsummary: Summary of {title}.\n{extra}---\n\nBody of {title}.\n",
        encoding="utf-8",
    )
