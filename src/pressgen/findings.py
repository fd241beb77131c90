"""The check findings of each catalog, kept by the digest of everything the checks read.

`pressgen status`, `check` and `publish` decide every translation of the archive, and the
language checks (spelling, glossary, names) were nearly all of their time: on a 100-release
archive a `status` with nothing changed checked 200 catalogs again (issue 25). A catalog's
findings depend on files alone: the catalog, the release's other catalogs (what they keep of a
message tells a name from a word), the names of the release's front matter, every language's
word list and glossary, the configuration, the hunspell dictionaries and pressgen's own code.
Keyed by their digests, findings are computed again only when one of them changed, and the
verdict is the same as a fresh one (a test compares them).

The memo is one sealed file of the project's cache, `findings.json`, as every other cache file:
a foreign, torn or stale one counts as empty. A failure to write it is no failure of the command.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pressgen.cache import code_version, digest_of, read_json, write_json
from pressgen.config import Config
from pressgen.errors import Diagnostic, PressgenError
from pressgen.files import read_regular, real_dir
from pressgen.langchecks import WORD_LIST_NAME
from pressgen.spelling import find_dictionary

NAME = "findings.json"
# Entries kept beyond those this command used (a `publish --lang nl` must not forget Romanian):
# the most recent ones, up to this many.
KEPT = 50_000
# A file read for its digest is at most this large (catalogs and releases have limits of their own).
DIGEST_LIMIT = 64_000_000


class FindingsMemo:
    """The findings of the catalogs a command checked, kept across commands."""

    def __init__(self, config: Config):
        self.config = config
        self.path = config.cache_dir / NAME
        self._entries: dict[str, Any] | None = None
        self.used: dict[str, Any] = {}
        self.changed = False
        self._digests: dict[Path, str] = {}
        self._shared: str | None = None

    @property
    def entries(self) -> dict[str, Any]:
        """The kept findings, read at their first use (a command that decides nothing again reads none)."""
        if self._entries is None:
            path = self.path
            data = read_json(path) if path.is_file() and not path.is_symlink() else None
            entries = data.get("entries") if isinstance(data, dict) and data.get("code") == code_version() else None
            self._entries = entries if isinstance(entries, dict) else {}
        return self._entries

    def digest(self, path: Path) -> str:
        """Return the digest of a file's bytes (once a command), or what stands in its place."""
        if path not in self._digests:
            try:
                data = read_regular(path, "file", DIGEST_LIMIT).data
            except FileNotFoundError:
                self._digests[path] = "absent"
            except (PressgenError, OSError) as exc:  # a link, a FIFO, too large: the check says so
                self._digests[path] = f"unreadable: {exc}"
            else:
                self._digests[path] = hashlib.sha256(data).hexdigest()
        return self._digests[path]

    def shared(self) -> str:
        """Return the digest of what every catalog's checks read: code, configuration, word lists,
        glossaries and dictionaries."""
        if self._shared is None:
            config = self.config
            files = [config.path]
            for language in config.languages:
                folder = config.locales_dir / language.code
                files += [folder / WORD_LIST_NAME, folder / "glossary.tbx"]
            dictionaries = []
            for language in config.languages:
                found = find_dictionary(language.locale_id)
                for suffix in (".dic", ".aff"):
                    path = found.with_suffix(suffix) if found is not None else None
                    status = os.stat(path) if path is not None else None
                    dictionaries.append(
                        (str(path), status.st_size if status else 0, status.st_mtime_ns if status else 0)
                    )
            self._shared = digest_of(
                code_version(), [(str(p), self.digest(p)) for p in files], dictionaries, os.environ.get("DICPATH", "")
            )
        return self._shared

    def key(self, catalog: Path, *inputs: Path, names: list[str] | None = None) -> str:
        """Return the key of a catalog's findings: its digest, its other inputs', the release's `names`, and
        the shared ones."""
        others = [(str(p), self.digest(p)) for p in inputs]
        return digest_of(self.shared(), str(catalog), self.digest(catalog), others, names)

    def findings(self, key: str, compute: Callable[[], list[Diagnostic]]) -> list[Diagnostic]:
        """Return the findings kept under `key`, or compute and keep them (an error raised is not kept)."""
        kept = self.entries.get(key)
        if isinstance(kept, list):
            try:
                found = [from_data(item) for item in kept]
            except (KeyError, TypeError, ValueError):  # another shape: computed again
                pass
            else:
                self.used[key] = kept
                return found
        found = compute()
        self.used[key] = [f.as_data() for f in found]
        self.changed = True
        return found

    def save(self) -> None:
        """Keep the findings used by this command, and the most recent others."""
        if not self.changed:
            return
        others = [(k, v) for k, v in self.entries.items() if k not in self.used]
        entries = dict(others[max(0, len(others) - KEPT) :])
        entries.update(self.used)
        try:
            real_dir(self.config.cache_dir, self.config.root)
            write_json(self.path, {"code": code_version(), "entries": entries}, separators=(",", ":"))
        except (PressgenError, OSError):  # a read-only checkout: the next command checks again
            return
        self._entries, self.changed = entries, False


def from_data(item: Any) -> Diagnostic:
    """Return the diagnostic kept as `item` (`Diagnostic.as_data`), its path a `Path` again."""
    found = Diagnostic.from_data(item)
    return replace(found, path=Path(found.path)) if found.path is not None else found
