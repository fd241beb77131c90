"""The delivery log: every message to every subscriber, recorded before and after its SMTP transaction.

An SQLite database in WAL mode with `synchronous = FULL`: each change of a delivery's state is a
transaction of its own, on disk before the next step, so that a run killed at any moment (kill -9,
a full disk, a lost connection) leaves a log that says exactly what happened:

- `pending`: planned (or refused for a while, 4xx, with the server's reply): to be sent;
- `sending`: committed just before the end of the message's data was sent: while a run holds the
  log's lock, the server is being asked; found by a later run, the outcome is unknown;
- `sent`: the server accepted the message (its reply is kept);
- `failed`: the server refused it for good (5xx, its reply is kept);
- `uncertain`: the connection died after the data was sent, before the reply: it may or may
  not have arrived. Sent again only with `--retry-uncertain`, with the same Message-ID.

One row per release, subscriber (by address), language version and version (`UNIQUE`): a
subscriber gets each version once. The log is personal data (addresses, names): it lives beside
the subscriber list (`distribution/`, kept out of git by `.gitignore`), never in `public/`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from pressgen.errors import PressgenError

STATES = ("pending", "sending", "sent", "failed", "uncertain")
DONE = ("sent", "sending", "uncertain")  # the subscriber has (or may have) this version
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    key TEXT NOT NULL,            -- the subscriber: the address, case-folded
    address TEXT NOT NULL,
    name TEXT NOT NULL,
    reader_lang TEXT NOT NULL,    -- the subscriber's language
    lang TEXT NOT NULL,           -- the language version sent (the source language where theirs is not published)
    version TEXT NOT NULL,        -- the digest of that version's texts, as the record gives it
    version_at TEXT NOT NULL,     -- when that version last changed
    since TEXT,                   -- an update: when the version the subscriber had last changed
    list TEXT NOT NULL,
    line INTEGER,                 -- the subscriber's line in the list, when it was planned
    message_id TEXT NOT NULL,
    refers_to TEXT,               -- an update: the Message-ID of the message it updates
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    retry_at REAL NOT NULL DEFAULT 0,  -- not before this time (seconds since the epoch)
    run INTEGER NOT NULL DEFAULT 0,    -- the run that planned it last: a run sends only what it planned
    reply TEXT,                   -- the server's last reply, or what went wrong
    changed TEXT NOT NULL,        -- when the state last changed
    UNIQUE (slug, key, lang, version)
);
CREATE INDEX IF NOT EXISTS queue ON deliveries (run, state, retry_at, id);
CREATE INDEX IF NOT EXISTS subscriber ON deliveries (slug, key);
"""


@dataclass(frozen=True)
class Delivery:
    """One message to one subscriber, as the log holds it."""

    id: int
    slug: str
    key: str
    address: str
    name: str
    reader_lang: str
    lang: str
    version: str
    version_at: str
    since: str | None
    list: str
    line: int | None
    message_id: str
    refers_to: str | None
    state: str
    attempts: int
    retry_at: float
    reply: str | None


_COLUMNS = ", ".join(Delivery.__dataclass_fields__)


class _LogFile:
    """The log's SQLite file: opening it, its transactions and the lock a run of `send` holds."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Personal data: readable by its owner only, from the first byte on.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        try:
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA busy_timeout = 10000")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise PressgenError(f"the delivery log was written by a newer pressgen (schema {version})", path)
            self.db.executescript(SCHEMA)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise PressgenError(f"the delivery log cannot be read: {exc}", path) from None
        self._lock: int | None = None

    @classmethod
    def copy(cls, path: Path) -> Self:
        """Return a copy of the log at `path` in memory (empty if there is none): a dry run changes only that."""
        log = cls.__new__(cls)
        log.path = path
        log._lock = None
        log.db = sqlite3.connect(":memory:", isolation_level=None)
        if path.is_file():
            with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as disk:
                disk.backup(log.db)
        log.db.executescript(SCHEMA)
        return log

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lock(self) -> None:
        """Hold the log for this run: a second `send` at the same time stops with a message."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PressgenError(
                "another 'pressgen send' is running with this delivery log; wait for it", self.path
            ) from None
        self._lock = fd

    @contextlib.contextmanager
    def transaction(self, synced: bool = True) -> Iterator[None]:
        """Run the statements inside as one transaction (rolled back on any error).

        `synced`: on disk (fsync) when it ends. Otherwise it is written to the log file, which a
        killed process does not lose, and on disk with the next synced one; after a power cut it
        may be gone: only what cannot cause a second message may be written so (see `mark`).
        """
        self.db.execute(f"PRAGMA synchronous = {'FULL' if synced else 'NORMAL'}")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


class _LogQueries(_LogFile):
    """What the log says: the deliveries as they are now, and how many are in each state."""

    def get(self, number: int) -> Delivery:
        """Return the delivery with this id, as it is now."""
        return Delivery(*self.db.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE id = ?", (number,)).fetchone())

    def history(self, slug: str, key: str) -> list[Delivery]:
        """Return every delivery of a release to one subscriber, oldest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE slug = ? AND key = ? ORDER BY id", (slug, key)
        ).fetchall()
        return [Delivery(*row) for row in rows]

    def new_run(self) -> int:
        """Return the number of a new run: the deliveries it plans carry it."""
        return int(self.db.execute("SELECT coalesce(max(run), 0) + 1 FROM deliveries").fetchone()[0])

    def next_due(self, run: int) -> Delivery | None:
        """Return the pending delivery of `run` to try next: the earliest due, in the order they were planned."""
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE run = ? AND state = 'pending' ORDER BY retry_at, id LIMIT 1",
            (run,),
        ).fetchone()
        return Delivery(*row) if row else None

    def deferred(self, slug: str, run: int) -> list[Delivery]:
        """Return the deliveries of `slug` this run planned and put off (temporary refusals, lost connections)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE slug = ? AND state = 'pending' AND run != ? ORDER BY id",
            (slug, run),
        ).fetchall()
        return [Delivery(*row) for row in rows]

    def counts(self, slug: str) -> dict[tuple[str, str], dict[str, int]]:
        """Return, per list and language sent, how many deliveries of `slug` are in each state."""
        found: dict[tuple[str, str], dict[str, int]] = {}
        for name, lang, state, count in self.db.execute(
            "SELECT list, lang, state, count(*) FROM deliveries WHERE slug = ? GROUP BY list, lang, state "
            "ORDER BY list, lang",
            (slug,),
        ):
            found.setdefault((name, lang), dict.fromkeys(STATES, 0))[state] = count
        return found


class DeliveryLog(_LogQueries):
    """The delivery log of a project, opened for one command (a run of `send` holds its lock).

    Its methods below are the deliveries' state changes, each a transaction of its own.
    """

    def lock(self) -> None:
        """Hold the log for this run: a second `send` at the same time stops with a message.

        The lock goes with the process, whatever ends it; so a delivery still `sending` when a
        run starts was being sent by a run that died: its outcome is unknown.
        """
        super().lock()
        with self.transaction():
            self.db.execute(
                "UPDATE deliveries SET state = 'uncertain', changed = ?, "
                "reply = coalesce(reply, 'the run sending it stopped before the server answered') "
                "WHERE state = 'sending'",
                (_now(),),
            )

    def plan(self, delivery: Delivery, run: int) -> None:
        """Record a delivery to make in `run` (inside the planning transaction); a pending one is brought up to date."""
        self.db.execute(
            "INSERT INTO deliveries (slug, key, address, name, reader_lang, lang, version, version_at, since, "
            "list, line, message_id, refers_to, state, run, changed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) "
            "ON CONFLICT (slug, key, lang, version) DO UPDATE SET address = excluded.address, name = excluded.name, "
            "reader_lang = excluded.reader_lang, list = excluded.list, line = excluded.line, run = excluded.run, "
            "retry_at = 0, attempts = 0 WHERE state = 'pending'",
            (
                delivery.slug,
                delivery.key,
                delivery.address,
                delivery.name,
                delivery.reader_lang,
                delivery.lang,
                delivery.version,
                delivery.version_at,
                delivery.since,
                delivery.list,
                delivery.line,
                delivery.message_id,
                delivery.refers_to,
                run,
                _now(),
            ),
        )

    def retry(self, delivery: Delivery, run: int) -> None:
        """Make an uncertain delivery pending again (`--retry-uncertain`): same message, same Message-ID."""
        self.db.execute(
            "UPDATE deliveries SET state = 'pending', attempts = 0, retry_at = 0, run = ?, changed = ? "
            "WHERE id = ? AND state = 'uncertain'",
            (run, _now(), delivery.id),
        )

    def drop_unplanned(self, slug: str, list_name: str, langs: list[str] | None, run: int) -> int:
        """Forget the pending deliveries of a list that `run` did not plan again: their subscriber left it."""
        langs = langs or [row[0] for row in self.db.execute("SELECT DISTINCT reader_lang FROM deliveries")]
        marks = ", ".join("?" * len(langs))
        cursor = self.db.execute(
            f"DELETE FROM deliveries WHERE slug = ? AND list = ? AND state = 'pending' AND run != ? "
            f"AND reader_lang IN ({marks})",
            (slug, list_name, run, *langs),
        )
        return cursor.rowcount

    def mark(self, delivery: Delivery, state: str, reply: str | None, retry_at: float = 0.0) -> None:
        """Record a delivery's new state before anything else happens.

        `sending` is synced to disk (fsync) before the end of the message may go: lost, the delivery
        would be pending, and sent a second time. The outcomes after it need not wait for the disk
        (one fsync a message, not two): lost in a power cut, the delivery stays `sending`, which the
        next run reports as uncertain and never sends again unasked.
        """
        assert state in STATES
        attempts = delivery.attempts + (1 if state != "sending" else 0)
        with self.transaction(synced=state == "sending"):
            self.db.execute(
                "UPDATE deliveries SET state = ?, reply = coalesce(?, reply), attempts = ?, retry_at = ?, "
                "changed = ? WHERE id = ?",
                (state, reply, attempts, retry_at, _now(), delivery.id),
            )

    def put_off(self, delivery: Delivery, reply: str) -> None:
        """Leave a delivery pending for a later run (its retries are spent): this run does not try it again."""
        with self.transaction():
            self.db.execute(
                "UPDATE deliveries SET state = 'pending', reply = ?, attempts = attempts + 1, run = 0, changed = ? "
                "WHERE id = ?",
                (reply, _now(), delivery.id),
            )


def read_counts(path: Path, slug: str) -> dict[tuple[str, str], dict[str, int]]:
    """Return the delivery counts of `slug` from the log at `path` (none if there is no log yet)."""
    if not path.is_file():
        return {}
    with DeliveryLog(path) as log:
        return log.counts(slug)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
