"""The texts of a published version as the record keeps them: `published/<slug>/<lang>/`.

A version's snapshot is its `release.md` and pictures as published, and, for a translation, the
approved messages (`messages.po`); its digest is the record's `text`. `publishing` writes them,
`repair` restores them, and every reader of the record checks them against that digest.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog

from pressgen.catalogs import lookup, read_catalog
from pressgen.config import Config
from pressgen.errors import PressgenError
from pressgen.po import serialise
from pressgen.record import ReleaseRecord, VersionRecord, record_dir, write_new
from pressgen.releases import Release, read_release
from pressgen.segment import release_assets

SNAPSHOT = "release.md"
MESSAGES = "messages.po"


def snapshot_dir(config: Config, slug: str, lang: str) -> Path:
    """Return the folder that holds a language version's texts as published."""
    return record_dir(config, slug) / lang


def source_digest(release: Release) -> str:
    """Return the digest of a release's own texts: release.md and the pictures it shows."""
    digest = hashlib.sha256(release.path.read_bytes())
    for asset in release_assets(release):
        digest.update(b"\0" + asset.relative_to(release.folder).as_posix().encode() + b"\0")
        digest.update(asset.read_bytes())
    return f"sha256:{digest.hexdigest()}"


def translation_digest(source: str, messages: Iterable[tuple[str, str]]) -> str:
    """Return the digest of a translation: the source version it translates and its messages."""
    digest = hashlib.sha256(source.encode())
    for msgid, msgstr in sorted(messages):
        digest.update(b"\0" + msgid.encode() + b"\0" + msgstr.encode())
    return f"sha256:{digest.hexdigest()}"


def approved_messages(template: Catalog, catalog: Catalog | None) -> list[tuple[str, str]]:
    """Return (source, translation) for every message of `template`, approved in `catalog`."""
    found = []
    for message in template:
        if message.id and isinstance(message.id, str):
            translation = lookup(catalog, message.id)
            if translation is not None:
                found.append((message.id, translation))
    return found


def write_snapshot(
    config: Config, release: Release, lang: str, folder: Path, messages: list[tuple[str, str]] | None
) -> None:
    """Write the texts of version `lang`, as they are now, into `folder` of an act's stage (replacing what it held)."""
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)  # hard links to the live record: removed, never written into
    elif folder.exists() or folder.is_symlink():
        folder.unlink()
    folder.mkdir()
    write_new(folder / SNAPSHOT, release.path.read_bytes())
    for asset in release_assets(release):
        write_new(folder / asset.relative_to(release.folder), asset.read_bytes())
    if messages is not None:
        language = config.language(lang)
        catalog = Catalog(locale=language.locale, project=release.slug, fuzzy=False)
        for msgid, msgstr in messages:
            catalog.add(msgid, msgstr).flags.clear()
        write_new(folder / MESSAGES, serialise(catalog))


def recorded_texts(
    config: Config, record: ReleaseRecord, entry: VersionRecord, folder: Path
) -> tuple[Release, Catalog | None, str]:
    """Read the copy of a recorded version's texts in `folder`: its release, its messages (a translation's)
    and their digest, which is the record's `text` if the copy is what was published."""
    lang = entry.lang
    path = folder / SNAPSHOT
    if folder.is_symlink() or path.is_symlink():
        raise PressgenError("is a symbolic link; the published texts are files of the record", folder)
    if not path.is_file():
        raise PressgenError(
            f"the texts of the {lang} version are missing from the record ({path.relative_to(config.root)})",
            record.path,
            entry.line,
        )
    release = read_release(path, config, slug=record.slug)
    if entry.source is None and release.lang != lang:
        message = f"[{lang}] has no 'source', but the release is written in {release.lang}"
        raise PressgenError(message, record.path, entry.line)
    if entry.source is not None and release.lang == lang:
        message = f"[{lang}] is the release's source language, but the record gives it a 'source'"
        raise PressgenError(message, record.path, entry.line)
    catalog = None
    texts = source_digest(release)
    if entry.source is not None:
        catalog = read_catalog(folder / MESSAGES, config.language(lang))
        pairs = [(str(m.id), str(m.string)) for m in catalog if m.id and m.string and not m.fuzzy]
        texts = translation_digest(texts, pairs) if texts == entry.source else texts
    return release, catalog, texts
