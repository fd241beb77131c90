"""`pressgen new`: a release folder whose front matter is a form with every field, commented."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from pressgen.config import Config
from pressgen.errors import PressgenError, UsageError
from pressgen.files import write_atomic
from pressgen.markup import typed_text_problem
from pressgen.releases import Release, slug_problem

FORM = """\
---
title: {title}
date: {date}
# Every other field is optional: remove the '# ' in front of those you need.
# lang: {lang}                        # the language this release is written in
# subtitle: A second line under the title
# summary: >-
#   One or two sentences for the newsroom, the feeds and search engines.
# location: The Hague                 # the place of the dateline
# embargo: {embargo}     # nothing of this release is public before this moment
# author: Name of the author
# image:
#   src: photo.jpg                    # a file in this folder
#   alt: What the picture shows, for people who cannot see it
#   caption: What the picture is about
#   credit: Who took it
# contacts:
#   - name: Name of the press officer
#     role: Spokesperson
#     email: press@example.org
#     phone: "+31 70 000 00 00"
# notes: |
#   Notes to editors, in Markdown: background, where to find photos, accreditation.
# tags: [defence, cyber]
---

Write the first paragraph here: who, what, where and when.

## A section heading

More paragraphs, in Markdown: *emphasis*, **strong**, [links](https://example.org), lists and quotes.
"""


# The lines of the form's body that a release must not be published with.
PLACEHOLDERS = tuple(line for line in FORM.split("---", 2)[2].strip().split("\n") if line.strip())


def placeholder_problems(release: Release) -> list[tuple[int, str]]:
    """Return (line, text) of each line of the form's sample body still in a release."""
    lines = release.body.split("\n")
    return [(release.body_line + n, line) for n, line in enumerate(lines) if line.strip() in PLACEHOLDERS]


def embargo_example(date: dt.date, config: Config) -> str:
    """Return 09:00 of `date` in the site's time zone, with that day's UTC offset (summer or winter time)."""
    return dt.datetime.combine(date, dt.time(9), tzinfo=config.timezone).isoformat(timespec="minutes")


def new_release(config: Config, slug: str, title: str) -> Path:
    """Create `releases/<slug>/release.md` from the form; refuse to overwrite anything.

    The file is written whole or not at all: a failed `new` leaves no half-written release behind.
    """
    problem = slug_problem(slug)
    if problem:
        raise UsageError(problem)
    date = dt.date.fromisoformat(slug[:10])
    if not title.strip():
        raise UsageError("the title is empty")
    problem = typed_text_problem(title)
    if problem is not None:
        raise UsageError(f"--title: the text {problem}")
    folder = config.releases_dir / slug
    if folder.exists():
        raise PressgenError("this release exists already; pressgen new never overwrites", folder)
    # A JSON string is a valid YAML double-quoted scalar: any title is safe in the form.
    text = FORM.format(
        title=json.dumps(title.strip(), ensure_ascii=False),
        date=date.isoformat(),
        lang=config.source_language,
        embargo=embargo_example(date, config),
    )
    folder.mkdir(parents=True)
    path = folder / "release.md"
    try:
        write_atomic(path, text.encode("utf-8"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path
