"""`pressgen new`: a release folder whose front matter is a form with every field, commented."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from pressgen.config import Config
from pressgen.errors import PressgenError, UsageError
from pressgen.files import write_atomic
from pressgen.form import FORM
from pressgen.markup import typed_text_problem
from pressgen.releases import slug_problem


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
