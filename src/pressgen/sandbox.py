"""What a PDF may read, and where it is read from: the files of templates/ and its release's pictures.

WeasyPrint asks for them by URL (`pdf.SandboxFetcher`, under `urls.PROJECT`); this module decides
which files a document may read and reads them: from the project on this machine's disk
(`ProjectFiles`), or from the files a document was sent with, by digest (`SentFiles`, on a Dask
worker, where the project is not). Both answer alike, so a document renders the same bytes
wherever it renders. This module does not import WeasyPrint: the main process packs what a Dask
worker is sent without loading it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

TEMPLATES = "templates/"  # the folder of the files every document may read, relative to the project


class Refused(Exception):
    """A document asked for a file it may not read."""


def readable_within(path: str, pictures: Iterable[str]) -> str:
    """Return the folder that file `path` must lie in (symbolic links resolved) for a document with
    `pictures` to read it: templates/, or a picture's own folder. Raises `Refused` for any other file."""
    if path.startswith(TEMPLATES):
        return TEMPLATES
    if path in pictures:
        return posixpath.dirname(path) + "/"
    raise Refused(f"refused to read '{path}': a PDF reads only its release's pictures and templates/")


def _out_of(path: str, within: str) -> Refused:
    return Refused(f"refused to read '{path}': it leads out of {within}")


def _missing(path: str) -> FileNotFoundError:
    return FileNotFoundError(f"no file '{path}' in the project")


class Files(Protocol):
    """The project's files as a document's renderer reads them, by path relative to the project."""

    def read(self, path: str, within: str) -> bytes:
        """Return the bytes of file `path`, which must lie in folder `within` (symbolic links resolved).

        Raises `Refused` for a file out of `within`, `FileNotFoundError` for one that is not there.
        """
        ...

    def templates(self) -> list[str]:
        """Return the path of every file of templates/, sorted."""
        ...


class ProjectFiles:
    """The files of the project on this machine's disk."""

    def __init__(self, root: Path):
        self.root = root

    def read(self, path: str, within: str) -> bytes:
        if not (self.root / path).resolve().is_relative_to((self.root / within).resolve()):
            raise _out_of(path, within)
        try:
            return (self.root / path).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise _missing(path) from None

    def templates(self) -> list[str]:
        folder = self.root / TEMPLATES
        found = [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []
        return sorted(path.relative_to(self.root).as_posix() for path in found)


class SentFiles:
    """The files a document was sent with: `digests` maps each path to the digest of its bytes in
    `blobs` (None for a file the sender refused, out of its folder), and `within` to its folder."""

    def __init__(self, digests: Mapping[str, str | None], blobs: Mapping[str, bytes]):
        self.digests = digests
        self.blobs = blobs

    def read(self, path: str, within: str) -> bytes:
        if path not in self.digests:
            raise _missing(path)
        digest = self.digests[path]
        if digest is None:
            raise _out_of(path, within)
        return self.blobs[digest]

    def templates(self) -> list[str]:
        return sorted(path for path in self.digests if path.startswith(TEMPLATES))
