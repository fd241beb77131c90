"""The release form: what `pressgen new` writes, and the sample lines a release must not be published with."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pressgen.releases import Release

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
