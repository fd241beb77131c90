"""The publication record as written: its exact shape, and texts that TOML must escape, read back whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pressgen.config import load_config
from pressgen.record import ReleaseRecord, Update, VersionRecord, Withdrawal, read_record, write_record

SLUG = "2024-05-17-a-record"
TEXT, SOURCE = "sha256:" + "a" * 64, "sha256:" + "b" * 64
CEST, UTC = dt.timezone(dt.timedelta(hours=2)), dt.UTC
AWKWARD = 'The "minister" said \\ no\x7f, # not a comment\nsecond line; één'

EXPECTED = f"""\
# Publication record of releases/{SLUG}/release.md
# Written by `pressgen publish` and `pressgen withdraw`: which language versions are public,
# since when, and every update. Commit it with the sources. Each version's texts, as published,
# are in the folder of its language code beside this file: `pressgen build` publishes those.

[en]
published = 2024-05-17T00:00:00+02:00
text = "{TEXT}"

[[en.updates]]
at = 2024-05-18T09:30:00+00:00
note = "The \\"minister\\" said \\\\ no\\u007f, # not a comment\\nsecond line; één"

[[en.updates]]
at = 2024-05-19T10:00:00+02:00

[nl]
published = 2024-05-17T00:00:00+02:00
text = "{TEXT}"
source = "{SOURCE}"

[withdrawn]
at = 2024-06-01T09:00:00+02:00
reason = "Published in error."

[withdrawn.translations]
nl = "Ten onrechte gepubliceerd."
"""


def test_record_is_written_as_plain_toml_and_read_back_whole(project: Path) -> None:
    config = load_config(project)
    published = dt.datetime(2024, 5, 17, tzinfo=CEST)
    updates = (
        Update(dt.datetime(2024, 5, 18, 9, 30, 0, 123456, tzinfo=UTC), AWKWARD),
        Update(dt.datetime(2024, 5, 19, 10, tzinfo=CEST)),
    )
    record = ReleaseRecord(
        SLUG,
        project / "published" / SLUG / "record.toml",
        {
            "nl": VersionRecord("nl", published, TEXT, SOURCE),
            "en": VersionRecord("en", published, TEXT, None, updates),
        },
        Withdrawal(
            dt.datetime(2024, 6, 1, 9, tzinfo=CEST), "Published in error.", {"nl": "Ten onrechte gepubliceerd."}
        ),
    )
    write_record(config, record, "en")
    assert record.path.read_text(encoding="utf-8") == EXPECTED
    again = read_record(config, SLUG)
    assert again is not None
    assert again.versions["en"].updates[0].note == AWKWARD
    assert again.versions["en"].updates[0].at == dt.datetime(2024, 5, 18, 9, 30, tzinfo=UTC)
    assert again.versions["nl"].source == SOURCE
    assert again.withdrawn is not None and again.withdrawn.reason_in("nl") == ("Ten onrechte gepubliceerd.", True)
