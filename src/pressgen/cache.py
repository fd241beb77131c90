"""The build cache: rendered PDFs by what they depend on, and what the last build saw.

A PDF's key is the SHA-256 of everything its rendering reads: the final print HTML (which
already holds the release's translated texts, the interface strings, the configuration and the
templates' output), the bytes of the images it shows, the PDF stylesheet and fonts, the PDF
variant and the versions of pressgen and WeasyPrint. A PDF whose key is in the cache is copied,
not rendered. The build manifest records a fingerprint of every input file (path, size,
modification time) with the span of time in which no embargo is crossed, so that a rebuild with
nothing changed can stop before reading anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pressgen import __version__
from pressgen.config import Config
from pressgen.files import write_atomic
from pressgen.output import real_dir

# What a cached rendering records besides its PDF (its warnings); a new value makes every cached
# PDF render again, so that none lacks a warning that a newer pressgen gives (fallback fonts: 2).
RENDERING = 2
# The names of the files the PDF cache holds: pressgen deletes nothing else there.
_ENTRY = re.compile(r"\.?[0-9a-f]{64}\.(?:pdf|json|json\.tmp)")


def _digest_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class PdfCache:
    """Rendered PDFs, by the digest of their inputs, with the warnings their rendering gave."""

    def __init__(self, config: Config, variant: str | None):
        self.folder = real_dir(config.cache_dir / "pdf", config.root)
        styles = [config.templates_dir / "pdf.css"] if (config.templates_dir / "pdf.css").is_file() else []
        fonts = sorted((config.templates_dir / "fonts").rglob("*")) if (config.templates_dir / "fonts").is_dir() else []
        self.salt = "\0".join(
            (
                __version__,
                str(RENDERING),
                version("weasyprint"),
                str(variant),
                _digest_files([*styles, *(f for f in fonts if f.is_file())], config.root),
            )
        )
        self.used: set[str] = set()

    def key(self, html: str, assets: Iterable[Path]) -> str:
        digest = hashlib.sha256(self.salt.encode())
        digest.update(html.encode("utf-8"))
        for asset in sorted(assets):
            digest.update(asset.name.encode())
            digest.update(asset.read_bytes())
        self.used.add(digest.hexdigest())
        return digest.hexdigest()

    def get(self, key: str, dest: Path) -> list[str] | None:
        """Copy the cached PDF to `dest` and return its warnings; None if it is not cached (or damaged)."""
        pdf, meta = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            record = json.loads(meta.read_text(encoding="utf-8"))
            if pdf.stat().st_size != record["size"]:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, dest)
        warnings: list[str] = record["warnings"]
        return warnings

    def put(self, key: str, source: Path, warnings: list[str]) -> None:
        """Keep a rendered PDF: a hard link to it (a copy across file systems), then its record.

        No fsync: a cache entry lost in a crash is rendered again; its record, written last,
        holds the size, so a damaged entry is never used.
        """
        pdf = self.folder / f"{key}.pdf"
        pdf.unlink(missing_ok=True)
        try:
            os.link(source, pdf)
        except OSError:
            shutil.copyfile(source, pdf)
        record = json.dumps({"warnings": warnings, "size": source.stat().st_size})
        temporary = self.folder / f".{key}.json.tmp"
        temporary.write_text(record, encoding="utf-8")
        os.replace(temporary, self.folder / f"{key}.json")

    def prune(self, keep: set[str]) -> None:
        """Forget the PDFs whose keys are not in `keep` (and nothing pressgen did not write there)."""
        for path in self.folder.iterdir():
            if _ENTRY.fullmatch(path.name) and path.name.lstrip(".")[:64] not in keep:
                path.unlink(missing_ok=True)


def inputs_fingerprint(config: Config, options: dict[str, Any]) -> str:
    """Return a digest of every input file's path, size and modification time, and the options."""
    digest = hashlib.sha256(json.dumps([__version__, options], sort_keys=True, default=str).encode())
    files = [config.path]
    for folder in (config.releases_dir, config.locales_dir, config.templates_dir, config.root / "published"):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def output_fingerprint(out_dir: Path) -> str | None:
    """Return a digest of the output folder's files (path, size, modification time), None if absent."""
    if not out_dir.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(out_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(out_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    """What one build of one output folder saw, and the messages it printed."""

    inputs: str
    output: str
    valid_from: str | None  # the last embargo lifted at that build's time
    valid_until: str | None  # the next embargo to lift
    summary: dict[str, Any]
    pdf_keys: list[str]  # the cached PDFs this build used

    def still_valid(self, inputs: str, output: str | None, now: dt.datetime) -> bool:
        if inputs != self.inputs or output != self.output:
            return False
        if self.valid_from is not None and now < dt.datetime.fromisoformat(self.valid_from):
            return False
        return self.valid_until is None or now < dt.datetime.fromisoformat(self.valid_until)


def _manifest_path(config: Config) -> Path:
    return real_dir(config.cache_dir, config.root) / "builds.json"


def read_manifest(config: Config, out_dir: Path) -> Manifest | None:
    try:
        data = json.loads(_manifest_path(config).read_text(encoding="utf-8"))
        return Manifest(**data[str(out_dir)])
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or written by another version
        return None


def write_manifest(config: Config, out_dir: Path, manifest: Manifest) -> set[str]:
    """Record this build of `out_dir`; return the PDF keys that the last build of any folder used.

    Builds of other folders or with other options (a PDF/A archive, a preview with drafts) share
    the cache: a PDF is forgotten only when no folder's last build used it.
    """
    path = _manifest_path(config)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    # Forget the builds of folders that are gone (a deleted preview, a temporary folder).
    data = {folder: entry for folder, entry in data.items() if Path(folder).is_dir()}
    data[str(out_dir)] = manifest.__dict__
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
    return {key for entry in data.values() if isinstance(entry, dict) for key in entry.get("pdf_keys", [])}
