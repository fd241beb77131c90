"""Repair: restore the published texts of a version that no longer are what its record says.

A copy in `published/<slug>/<lang>/` edited or removed by hand no longer has the digest its
record holds, and the build refuses it. The texts as they were published can be found again in
two places: the current sources, when they have not changed since (the release's folder, and for a
translation its catalog), and the last commit of the project's git repository (`HEAD`), when the
copy was committed before it was edited. `pressgen publish SLUG --lang L --repair` makes a copy
from the first of them that gives the recorded digest, and swaps it in as one step
(`record.rewriting`); the build's error names that command only when one of them does, and
otherwise what to do instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from pressgen.catalogs import read_catalog, release_catalog_path, release_template
from pressgen.config import Config
from pressgen.errors import PressgenError, Problems, UsageError
from pressgen.files import real_dir
from pressgen.record import RECORD_DIR, ReleaseRecord, VersionRecord, read_record, rewriting
from pressgen.releases import Release, read_release, with_change_notes
from pressgen.snapshots import SNAPSHOT, approved_messages, recorded_texts, snapshot_dir, source_digest, write_snapshot

# The most a copy taken from git may hold: a release is at most 1 MB of text, with its pictures.
MAX_FROM_GIT = 200_000_000
GIT_TIMEOUT = 60.0  # seconds


def repair_versions(config: Config, slug: str, langs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Restore the published texts of the versions `langs` of a release (default: all) that differ from its
    record; refuse, changing nothing, if any of them cannot be found again.

    Return the languages that were intact, and (language, where its texts came from) of each repaired one.
    """
    record = read_record(config, slug)
    assert record is not None
    for lang in langs:
        if record.version(lang) is None:
            raise UsageError(f"--lang {lang}: the {lang} version of {slug} was never published; nothing to repair")
    wanted = [record.versions[lang] for lang in (list(dict.fromkeys(langs)) or list(record.versions))]
    broken = [entry for entry in wanted if not _intact(config, record, entry)]
    intact = [entry.lang for entry in wanted if entry not in broken]
    repaired: list[tuple[str, str]] = []
    if not broken:
        return intact, repaired
    problems = Problems()
    with rewriting(config, slug) as stage:
        for entry in broken:
            candidate = stage / f".{entry.lang}.candidate"
            where = _candidate(config, record, entry, candidate)
            if where is None:
                problems.error(_lost(record, entry), snapshot_dir(config, slug, entry.lang))
                continue
            shutil.rmtree(stage / entry.lang, ignore_errors=True)
            os.rename(candidate, stage / entry.lang)
            repaired.append((entry.lang, where))
        problems.raise_if_any()  # inside the act: nothing is swapped in
    return intact, repaired


def restoring_command(config: Config, record: ReleaseRecord, entry: VersionRecord) -> str:
    """Return what restores a version's published texts: the repair, if it can find them, else what can."""
    scratch = Path(tempfile.mkdtemp(prefix=".repair-", dir=real_dir(config.cache_dir, config.root)))
    try:
        where = _candidate(config, record, entry, scratch / entry.lang)
    except PressgenError:
        where = None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if where is None:
        return _lost(record, entry)
    return f"restore them with 'pressgen publish {record.slug} --lang {entry.lang} --repair' ({where} holds them)"


def _lost(record: ReleaseRecord, entry: VersionRecord) -> str:
    slug, lang = record.slug, entry.lang
    return (
        f"neither releases/{slug} nor git's last commit holds the texts as published any more: restore "
        f"{RECORD_DIR}/{slug}/{lang} from a backup, or publish the current texts as an update "
        f"('pressgen publish {slug} --lang {lang} --note TEXT')"
    )


def _intact(config: Config, record: ReleaseRecord, entry: VersionRecord) -> bool:
    try:
        texts = recorded_texts(config, record, entry, snapshot_dir(config, record.slug, entry.lang))[2]
    except PressgenError:
        return False
    return texts == entry.text


def _candidate(config: Config, record: ReleaseRecord, entry: VersionRecord, folder: Path) -> str | None:
    """Make a copy of a version's texts as published in `folder`, from the sources or from git; return
    where it came from, or None (and no folder) if neither gives the recorded digest."""
    for where, make in (("releases/", _from_sources), ("git's HEAD", _from_git)):
        shutil.rmtree(folder, ignore_errors=True)
        try:
            if make(config, record, entry, folder) and _verified(config, record, entry, folder):
                return f"releases/{record.slug}" if where == "releases/" else where
        except (PressgenError, OSError, subprocess.SubprocessError):
            pass
    shutil.rmtree(folder, ignore_errors=True)
    return None


def _verified(config: Config, record: ReleaseRecord, entry: VersionRecord, folder: Path) -> bool:
    return recorded_texts(config, record, entry, folder)[2] == entry.text


def _from_sources(config: Config, record: ReleaseRecord, entry: VersionRecord, folder: Path) -> bool:
    """Copy a version's texts from the sources, if they still are what it published."""
    current = config.releases_dir / record.slug / SNAPSHOT
    if entry.source is None:
        release = read_release(current, config)
        if source_digest(release) != entry.text:
            return False
        folder.mkdir()
        write_snapshot(config, release, entry.lang, folder, None)
        return True
    # A translation translates a source version: the current one, or an earlier one kept in the record.
    candidates = [current, *(snapshot_dir(config, record.slug, lang) / SNAPSHOT for lang in record.versions)]
    for path in candidates:
        try:
            source = read_release(path, config, slug=record.slug)
        except (PressgenError, OSError):
            continue
        if source_digest(source) != entry.source:
            continue
        release = _as_published(config, record, entry, source)
        catalog = read_catalog(release_catalog_path(config, entry.lang, record.slug), config.language(entry.lang))
        folder.mkdir()
        write_snapshot(config, release, entry.lang, folder, approved_messages(release_template(release), catalog))
        return True
    return False


def _as_published(config: Config, record: ReleaseRecord, entry: VersionRecord, source: Release) -> Release:
    """Return a source release with the change notes it had when the translation `entry` was last recorded."""
    noted = with_change_notes(source, config)
    notes = tuple(note for note in noted.change_notes if note.at <= entry.changed)
    return replace(source, change_notes=notes, withdrawal=None)


def _from_git(config: Config, record: ReleaseRecord, entry: VersionRecord, folder: Path) -> bool:
    """Copy a version's texts from the last commit of the project's git repository, if it has them."""
    if shutil.which("git") is None:
        return False
    prefix = f"{RECORD_DIR}/{record.slug}/{entry.lang}/"
    top = _git(config, "rev-parse", "--show-prefix")
    listing = _git(config, "ls-tree", "-r", "-z", "--full-name", "HEAD", "--", prefix)
    if top is None or listing is None:
        return False
    root = top.decode("utf-8", "surrogateescape").strip()
    total = 0
    for line in listing.split(b"\0"):
        if not line:
            continue
        meta, _, name = line.partition(b"\t")
        mode, kind, blob = meta.split()
        relative = name.decode("utf-8", "surrogateescape").removeprefix(root).removeprefix(prefix)
        if kind != b"blob" or mode not in (b"100644", b"100755") or ".." in relative.split("/"):
            continue
        data = _git(config, "cat-file", "blob", blob.decode())
        if data is None:
            return False
        total += len(data)
        if total > MAX_FROM_GIT:
            return False
        dest = folder / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return folder.is_dir()


def _git(config: Config, *args: str) -> bytes | None:
    """Run git in the project; None if it fails (no repository, no commit, no such path)."""
    result = subprocess.run(
        ["git", "-C", str(config.root), *args], capture_output=True, timeout=GIT_TIMEOUT, check=False
    )
    return result.stdout if result.returncode == 0 else None
