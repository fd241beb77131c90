"""The build cache: what the last builds saw and made, so that a rebuild does only what changed.

- `Sources`: the SHA-256 of every input file (configuration, releases, catalogs, templates,
  the publication record). A file whose `lstat` is what it was when it was last hashed is not
  read again, unless it changed so shortly before it was hashed that a second change in the same
  clock tick could have kept its size and times ("racily clean", as git calls it): those are
  hashed again (and are a change only if their digest is new). Every other key of the build is
  made from these digests.
- `Memo`: small JSON values by the digest of their inputs (the parsed facts of a release, the
  gate's verdict on a version, a newsroom entry's texts, a PDF's size and warnings), one file per
  output folder, holding only what that folder's last build used.
- `PdfCache`: rendered PDFs by the digest of their final print HTML (which already holds every
  text, translation, configuration value and template output), their images, `pdf.css`, the
  fonts, the PDF variant and the versions of pressgen and WeasyPrint; each with a record of its
  warnings, size and keyed digest.
- The build manifest records the inputs' fingerprint and the output's (path, size, modification
  time of each file) with the span of time in which no embargo is crossed, so that a rebuild with
  nothing changed stops before reading anything.

Caches trust nothing they find: a checkout may come with a `.pressgen-cache/` of someone else's
(it is git-ignored, so nothing in it shows in a review), and reading it must neither run anyone's
code nor put anyone's file into the output. So every cache file is read without following links
and only if it is a regular file of a sane size (`files.read_cached`); anything else is a miss.
And what is found there is used only if this user's pressgen made it, as it made it: the files
kept by the digest of their inputs (PDFs, picture copies, fonts, compiled templates) have keyed
names (`keyed`: an HMAC with a secret of the user's, kept outside every project), which nobody
without the secret can give a file; and every file's content is sealed with the same secret
(`seal`, or for a PDF its keyed digest in its record), checked before it is parsed, copied or
linked into an output. A foreign, torn, truncated, replaced or tampered file is a miss, and
made again. Caches hold JSON and files, never pickles.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar, cast

from pressgen import __version__
from pressgen.config import Config
from pressgen.files import link_cached, read_cached, real_dir, stat_of, temporary_name, write_cached

# What a cached rendering records besides its PDF (its warnings); a new value makes every cached
# PDF render again, so that none lacks a warning that a newer pressgen gives (fallback fonts: 2),
# or keeps a stale rendering (3: PDFs that a process rendered with an older pdf.css, issue 13; 4:
# pictures embedded at 300 dpi for their printed size, not as their originals).
RENDERING = 4
# The names of the files the PDF cache holds (and of their temporary files): pressgen deletes
# nothing else there.
_ENTRY = re.compile(r"\.?[0-9a-f]{64}\.(?:pdf|json)(?:\.[0-9a-z_]{8,16}\.tmp)?")
# The project's folders whose files are the build's inputs (with pressgen.toml).
INPUT_FOLDERS = ("releases", "locales", "templates", "published")
# A file changed less than this before it was hashed may change again within the same tick of the
# file system's clock without its size or times showing it: its digest is not trusted later.
RACY_NS = 2_000_000_000
# The libraries whose versions change what a build writes.
_LIBRARIES = ("babel", "jinja2", "markdown-it-py", "mdit-py-plugins", "pillow", "fonttools", "pyyaml")


T = TypeVar("T")

# One encoder for every digest: `json.dumps` with options makes a new one on each call.
_KEY_JSON = json.JSONEncoder(separators=(",", ":"), default=str)


def digest_of(*parts: object) -> str:
    """Return the SHA-256 of `parts` (strings, numbers, None, and lists or tuples of them)."""
    return hashlib.sha256(_KEY_JSON.encode(parts).encode()).hexdigest()


@functools.cache
def code_version() -> str:
    """Return a digest of pressgen's own code and the libraries' versions: a new one changes every key.

    The code's files are taken by name, size and modification time, so that a changed checkout
    of pressgen never reuses what an older one made.
    """
    package = os.path.dirname(os.path.realpath(__file__))
    code = sorted(
        (relative, status.st_size, status.st_mtime_ns)
        for relative, status in _walk(package)
        if relative.endswith((".py", ".html"))
    )
    return digest_of(__version__, RENDERING, *code, *_library_versions(_LIBRARIES))


@functools.cache
def weasyprint_version() -> str:
    return _library_versions(("weasyprint",))[0][1]


def _library_versions(names: Iterable[str]) -> list[tuple[str, str]]:
    """Return (name, version) of each installed library, read from the name of its `.dist-info` folder.

    As `importlib.metadata` finds it (the first on `sys.path`), without importing it and reading
    each library's metadata, which costs a no-op build a large share of its time (docs/performance.md).
    """
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for place in sys.path:
        try:
            listed = os.listdir(place or ".")
        except OSError:
            continue
        for folder in listed:
            if folder.endswith(".dist-info"):
                distribution, _, version = folder.removesuffix(".dist-info").partition("-")
                name = wanted.get(_normal(distribution))
                if name is not None and version:
                    found.setdefault(name, version)
    return [(name, found[name] if name in found else _version(name)) for name in wanted.values()]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _version(name: str) -> str:
    """Return a library's version as `importlib.metadata` reads it ("?" if it is not installed)."""
    from importlib.metadata import version

    try:
        return version(name)
    except Exception:  # not installed as a distribution: the version is unknown, which is a version too
        return "?"


# --- trust: what this user's pressgen made -------------------------------------------------------

# The largest JSON file of the cache read back: the state of an output folder of 1,000 releases
# is a few megabytes; anything larger is not one pressgen wrote.
JSON_LIMIT = 256_000_000
_SEAL = b"pressgen sealed "


@functools.cache
def cache_secret() -> bytes:
    """Return this user's secret for the cache: made once, kept outside every project.

    It lives in `$XDG_CACHE_HOME/pressgen/secret` (`~/.cache/pressgen/secret`), readable by the
    user alone. Where that cannot be read or made, the secret is this process's own: every
    cache file of an earlier command is then a miss, which is slower, and as safe.
    """
    try:
        base = os.environ.get("XDG_CACHE_HOME", "")
        folder = (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "pressgen"
        path = folder / "secret"
        for _ in range(2):
            known = read_cached(path, 32)
            if known is not None and len(known) == 32:
                return known
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=folder)
            try:
                os.write(fd, secrets.token_bytes(32))
                os.close(fd)
                if stat_of(path) is None:
                    os.link(temporary, path)  # never replaces one that another process made meanwhile
                else:
                    os.replace(temporary, path)  # one that is not 32 bytes, or not a file
            except FileExistsError:
                continue
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
    except (OSError, RuntimeError):  # no home, a read-only one: a secret for this process only
        pass
    return secrets.token_bytes(32)


def keyed(*parts: object) -> str:
    """Return the keyed digest of `parts` (as `digest_of` takes them): a cache file's name that only
    this user's pressgen can give, so that nobody can plant a file where pressgen will look."""
    return hmac.new(cache_secret(), _KEY_JSON.encode(parts).encode(), hashlib.sha256).hexdigest()


def seal(kind: str, data: bytes) -> bytes:
    """Return `data` with a first line that proves this user's pressgen wrote it as a file of `kind`."""
    mac = hmac.new(cache_secret(), kind.encode() + b"\0" + data, hashlib.sha256).hexdigest()
    return _SEAL + mac.encode() + b"\n" + data


def unseal(kind: str, sealed: bytes) -> bytes | None:
    """Return the data of a sealed file of `kind`; None if the seal is not this user's or is broken."""
    head, newline, data = sealed.partition(b"\n")
    if not newline or not head.startswith(_SEAL):
        return None
    mac = hmac.new(cache_secret(), kind.encode() + b"\0" + data, hashlib.sha256).hexdigest()
    return data if hmac.compare_digest(head[len(_SEAL) :], mac.encode()) else None


def _mac_of(handle: BinaryIO) -> str:
    """Return the keyed digest of an open file's content (from its start)."""
    handle.seek(0)
    digest = hmac.new(cache_secret(), digestmod=hashlib.sha256)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def write_json(path: Path, value: object, **options: Any) -> None:
    """Write a sealed JSON file of the cache (through a temporary file, without waiting for the disk).

    A cache file lost in a crash is made again; a torn one has no valid seal and counts as absent.
    """
    write_cached(path, seal(path.name, json.dumps(value, **options).encode()))


def read_json(path: Path) -> Any:
    """Return the value of a sealed JSON file of the cache; None for anything else (foreign, torn, huge, not a file)."""
    data = read_cached(path, JSON_LIMIT)
    payload = unseal(path.name, data) if data is not None else None
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        return None


# --- the inputs ----------------------------------------------------------------------------------


def _stat_key(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_mode]


class Sources:
    """The SHA-256 of every input file of a project, by path relative to the project's root."""

    def __init__(
        self,
        config: Config,
        digests: dict[str, str],
        kept: dict[str, list[Any]] | None = None,
        racy: dict[str, list[int]] | None = None,
    ):
        self.config = config
        self.digests = digests
        self._paths = sorted(digests)  # for `under`: a folder's files are one run of the sorted paths
        self._kept = kept if kept is not None else {}  # what sources.json holds
        self._racy = racy if racy is not None else {}  # the status of each racily clean file read

    @classmethod
    def scan(cls, config: Config, changed: Callable[[], None] | None = None) -> Sources:
        """Find every input file and return its digest, reading only files that changed since last time.

        `changed` is called once, as soon as a file is found whose content is new (or gone) since
        the last scan: a build starts its PDF workers then, before it knows what else changed.
        """
        known = read_json(_sources_path(config))
        files = known.get("files") if isinstance(known, dict) and known.get("code") == __version__ else None
        before: dict[str, list[Any]] = {
            path: entry
            for path, entry in (files.items() if isinstance(files, dict) else ())
            if isinstance(entry, list) and entry and isinstance(entry[-1], str)
        }
        digests, kept, racy = _hash_inputs(config, before, changed)
        if kept != before:
            _save_sources(config, kept)
        return cls(config, digests, kept, racy)

    def settle(self) -> None:
        """Trust the digests of the files that were racily clean when scanned, if they still hold.

        A build that outlasts the clock's tick reads those files again at its end: one whose status
        is unchanged and whose content is what the build used is trusted from then on, so that the
        next build need not read it (the first no-op after a cold build of a fresh checkout).
        """
        started = time.time_ns()
        settled = 0
        for relative, key in self._racy.items():
            path = self.config.root / relative
            try:
                status = os.lstat(path)
                if _stat_key(status) != key or status.st_ctime_ns >= started - RACY_NS:
                    continue
                if _hash_file(path, status) == self.digests[relative] and _stat_key(os.lstat(path)) == key:
                    self._kept[relative] = [*key, self.digests[relative]]
                    settled += 1
            except OSError:
                continue
        if settled:
            self._racy = {relative: key for relative, key in self._racy.items() if len(self._kept[relative]) == 1}
            _save_sources(self.config, self._kept)

    def digest(self, relative: str) -> str | None:
        """Return the digest of a file (a path relative to the root, with "/"), None if there is none."""
        return self.digests.get(relative)

    def under(self, folder: str) -> list[tuple[str, str]]:
        """Return (path, digest) of every file inside `folder` (relative to the root), in order."""
        prefix = folder.rstrip("/") + "/"
        paths = self._paths
        start = end = bisect.bisect_left(paths, prefix)
        while end < len(paths) and paths[end].startswith(prefix):
            end += 1
        return [(path, self.digests[path]) for path in paths[start:end]]

    def fingerprint(self, *more: object) -> str:
        """Return one digest of every input file, its path and its digest, and `more`."""
        return digest_of(code_version(), sorted(self.digests.items()), *more)


def _hash_inputs(
    config: Config, before: dict[str, list[Any]], changed: Callable[[], None] | None
) -> tuple[dict[str, str], dict[str, list[Any]], dict[str, list[int]]]:
    """Return the digest of every input file, what sources.json is to keep of each, and the status of
    each racily clean file read (`Sources.scan`); call `changed` at the first file that changed."""
    started = time.time_ns()
    digests: dict[str, str] = {}
    kept: dict[str, list[Any]] = {}
    racy: dict[str, list[int]] = {}
    for relative, status in _input_files(config.root):
        entry = before.get(relative)
        key = _stat_key(status)
        if isinstance(entry, list) and entry[:-1] == key:  # a trusted file, as it was (the common case)
            digests[relative] = entry[-1]
            kept[relative] = entry
            continue
        digests[relative] = _hash_file(config.root / relative, status)
        if changed is not None and not (isinstance(entry, list) and entry[-1] == digests[relative]):
            changed()
            changed = None
        if stat.S_ISREG(status.st_mode) and status.st_ctime_ns < started - RACY_NS:
            kept[relative] = [*key, digests[relative]]
        else:  # racily clean, or not a file: read again next time, but a change only if its digest is new
            kept[relative] = [digests[relative]]
            if stat.S_ISREG(status.st_mode):
                racy[relative] = key
    if changed is not None and any(path not in digests for path in before):
        changed()
    return digests, kept, racy


def _sources_path(config: Config) -> Path:
    return real_dir(config.cache_dir, config.root) / "sources.json"


def _save_sources(config: Config, files: dict[str, list[Any]]) -> None:
    """Write what `Sources.scan` reads back: each file's status and digest (the digest alone if racy)."""
    write_json(_sources_path(config), {"code": __version__, "files": files})


def _input_files(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Yield (relative path, lstat) of pressgen.toml and every entry under the input folders.

    Symbolic links are yielded, not followed: reading releases refuses those that lead out.
    """
    if (root / "pressgen.toml").exists():
        yield "pressgen.toml", os.lstat(root / "pressgen.toml")
    for name in INPUT_FOLDERS:
        yield from _walk(str(root), f"{name}/")


def _walk(root: str, prefix: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """Yield (path relative to `root`, lstat) of every entry but folders under `root`/`prefix`.

    `prefix` is "" or a folder's relative path with a final "/". Paths are strings, not `Path`s:
    a no-op build at N = 1000 walks 8,000 folders of inputs and 3,000 of output.
    """
    stack = [prefix]
    while stack:
        relative = stack.pop()
        try:
            entries = list(os.scandir(f"{root}/{relative}"))
        except (FileNotFoundError, NotADirectoryError):
            continue
        except PermissionError:  # a folder nobody may list: an entry of its own, which what reads it names
            if relative != prefix:
                yield relative[:-1], os.lstat(f"{root}/{relative}")
            continue
        for entry in entries:
            path = f"{relative}{entry.name}"
            if entry.is_dir(follow_symlinks=False):  # the listing says so: no stat needed
                stack.append(f"{path}/")
            else:
                yield path, entry.stat(follow_symlinks=False)


def _hash_file(path: Path, status: os.stat_result) -> str:
    if stat.S_ISLNK(status.st_mode):
        return digest_of("link", os.readlink(path))
    if not stat.S_ISREG(status.st_mode):
        return digest_of("special", stat.S_IFMT(status.st_mode), status.st_ino)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:  # gone meanwhile, or unreadable: reading it later says what is wrong
        return digest_of("unreadable", str(exc))
    return digest.hexdigest()


# --- memos ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section(Generic[T]):
    """A section of the memo: its name, and the type of the records it holds (as JSON holds them).

    `valid` tells a record this pressgen keeps from anything else the state may hold (which is
    then a miss): the state is sealed and made by this very code (`read_state`), so by default
    any record is one.
    """

    name: str
    valid: Callable[[object], bool] = field(default=lambda value: value is not None)


class Records(Generic[T]):
    """The records of one section of a memo, typed: what `Memo.section` returns."""

    def __init__(self, section: Section[T], before: dict[str, Any], now: dict[str, Any]):
        self._valid = section.valid
        self._before = before
        self._now = now

    def get(self, key: str) -> T | None:
        """Return the record kept for `key` (and keep it), None if there is none."""
        if key in self._now:
            return cast(T, self._now[key])
        value = self._before.get(key)
        if value is None or not self._valid(value):
            return None
        self._now[key] = value
        return cast(T, value)

    def put(self, key: str, value: T) -> T:
        self._now[key] = value
        return value

    def keep(self, key: str, make: Callable[[], T]) -> T:
        """Return the record kept for `key`; if there is none, the one `make` returns, kept from now on."""
        known = self.get(key)
        return known if known is not None else self.put(key, make())

    def values(self) -> list[T]:
        """Return the records this build used or made."""
        return [cast(T, value) for value in self._now.values()]


class Memo:
    """JSON records by key, in typed sections; what a build does not use is forgotten when it saves."""

    def __init__(self, data: dict[str, dict[str, Any]] | None = None):
        self.before: dict[str, dict[str, Any]] = data or {}
        self.now: dict[str, dict[str, Any]] = {}

    def section(self, section: Section[T]) -> Records[T]:
        """Return the records of a section."""
        before = self.before.get(section.name)
        return Records(section, before if isinstance(before, dict) else {}, self.now.setdefault(section.name, {}))

    def data(self) -> dict[str, dict[str, Any]]:
        return self.now


# --- PDFs ----------------------------------------------------------------------------------------


def _digest_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class PdfCache:
    """Rendered PDFs, by the keyed digest of their inputs, with the warnings their rendering gave."""

    def __init__(self, config: Config, variant: str | None):
        self.folder = real_dir(config.cache_dir / "pdf", config.root)
        styles = [config.templates_dir / "pdf.css"] if (config.templates_dir / "pdf.css").is_file() else []
        fonts = sorted((config.templates_dir / "fonts").rglob("*")) if (config.templates_dir / "fonts").is_dir() else []
        self.salt = "\0".join(
            (
                __version__,
                str(RENDERING),
                weasyprint_version(),
                str(variant),
                _digest_files([*styles, *(f for f in fonts if f.is_file())], config.root),
            )
        )
        self.used: set[str] = set()

    def key(self, html: str, assets: Iterable[Path], folder: str) -> str:
        """Return the key of the PDF of `html`, rendered in `folder` (relative to the project) with `assets`."""
        digest = hmac.new(cache_secret(), self.salt.encode(), hashlib.sha256)  # a name only this user gives
        digest.update(html.encode("utf-8"))
        digest.update(b"\0" + folder.encode() + b"\0")
        for asset in sorted(assets):
            digest.update(asset.name.encode())
            digest.update(asset.read_bytes())
        self.used.add(digest.hexdigest())
        return digest.hexdigest()

    def get(self, key: str, dest: Path) -> list[str] | None:
        """Put the cached PDF at `dest` (a hard link) and return its warnings; None if it is not cached (or damaged)."""
        record = read_json(self.folder / f"{key}.json")
        if not isinstance(record, dict):
            return None
        size, mac, warnings = record.get("size"), record.get("mac"), record.get("warnings")
        if not isinstance(size, int) or not isinstance(mac, str) or not isinstance(warnings, list):
            return None

        def accept(handle: BinaryIO) -> bool:  # the very PDF this user's pressgen rendered
            return os.fstat(handle.fileno()).st_size == size and hmac.compare_digest(_mac_of(handle), mac)

        dest.parent.mkdir(parents=True, exist_ok=True)
        if not link_cached(self.folder / f"{key}.pdf", dest, accept):
            return None
        self.used.add(key)
        return [str(w) for w in warnings]

    def put(self, key: str, source: Path, warnings: list[str]) -> None:
        """Keep a rendered PDF: a hard link to it (a copy across file systems), then its record.

        No fsync: a cache entry lost in a crash is rendered again; its record, written last,
        holds the size and the keyed digest of the PDF, so a damaged or replaced one is never used.
        """
        temporary = temporary_name(self.folder, f"{key}.pdf")
        with open(source, "rb") as handle:
            record = {"warnings": warnings, "size": os.fstat(handle.fileno()).st_size, "mac": _mac_of(handle)}
        if not link_cached(source, temporary):
            return
        try:
            os.replace(temporary, self.folder / f"{key}.pdf")
        except IsADirectoryError:  # a folder in its place: not cached
            temporary.unlink()
            return
        write_json(self.folder / f"{key}.json", record)
        self.used.add(key)

    def prune(self, keep: set[str]) -> None:
        """Forget the PDFs whose keys are not in `keep` (and nothing pressgen did not write there)."""
        for path in self.folder.iterdir():
            if _ENTRY.fullmatch(path.name) and path.name.lstrip(".")[:64] not in keep:
                with contextlib.suppress(IsADirectoryError, PermissionError):
                    path.unlink(missing_ok=True)


# --- the output ----------------------------------------------------------------------------------


def output_files(out_dir: Path) -> dict[str, tuple[int, int, int]]:
    """Return (size, modification time, inode) of every file in an output folder, by relative path."""
    return {path: (status.st_size, status.st_mtime_ns, status.st_ino) for path, status in _walk(str(out_dir))}


def output_fingerprint(out_dir: Path) -> str | None:
    """Return a digest of the output folder's files (path, size, modification time), None if absent."""
    if not out_dir.is_dir():
        return None
    return files_fingerprint(output_files(out_dir))


def files_fingerprint(files: dict[str, tuple[int, int, int]]) -> str:
    """Return the digest `output_fingerprint` gives a folder that holds `files` (as `output_files` finds them)."""
    return digest_of(sorted((path, size, mtime) for path, (size, mtime, _) in files.items()))


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
    data = read_json(_manifest_path(config))
    return _manifest(data.get(str(out_dir))) if isinstance(data, dict) else None


def _manifest(entry: Any) -> Manifest | None:
    """Return the manifest recorded in `entry`; None if it is not one this pressgen would write."""
    if not isinstance(entry, dict) or set(entry) != {f.name for f in fields(Manifest)}:
        return None
    texts = (entry["inputs"], entry["output"])
    moments = (entry["valid_from"], entry["valid_until"])
    if not all(isinstance(t, str) for t in texts) or not all(m is None or isinstance(m, str) for m in moments):
        return None
    if not isinstance(entry["summary"], dict) or not isinstance(entry["pdf_keys"], list):
        return None
    try:
        for moment in moments:
            if moment is not None:
                dt.datetime.fromisoformat(moment)
    except ValueError:
        return None
    return Manifest(**entry)


def write_manifest(config: Config, out_dir: Path, manifest: Manifest) -> set[str]:
    """Record this build of `out_dir`; return the PDF keys that the last build of any folder used.

    Builds of other folders or with other options (a PDF/A archive, a preview with drafts) share
    the cache: a PDF is forgotten only when no folder's last build used it.
    """
    path = _manifest_path(config)
    data = read_json(path)
    # Forget the builds of folders that are gone (a deleted preview, a temporary folder).
    recorded = {folder: _manifest(entry) for folder, entry in (data.items() if isinstance(data, dict) else ())}
    kept = {folder: entry.__dict__ for folder, entry in recorded.items() if entry is not None and Path(folder).is_dir()}
    kept[str(out_dir)] = manifest.__dict__
    write_json(path, kept, indent=1, sort_keys=True)
    return {key for entry in kept.values() for key in entry["pdf_keys"] if isinstance(key, str)}


# --- what is remembered of each output folder ----------------------------------------------------


def _state_path(config: Config, out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir).encode()).hexdigest()[:32]
    return real_dir(config.cache_dir / "outputs", config.root) / f"{name}.json"


def read_state(config: Config, out_dir: Path) -> dict[str, Any]:
    """Return what the last build of `out_dir` left to the next: its memos and the folders it made."""
    data = read_json(_state_path(config, out_dir))
    if not isinstance(data, dict) or data.get("folder") != str(out_dir) or data.get("code") != code_version():
        return {}
    return data


def write_state(config: Config, out_dir: Path, state: dict[str, Any]) -> None:
    """Keep what this build of `out_dir` leaves to the next; forget the states of folders that are gone."""
    folder = real_dir(config.cache_dir / "outputs", config.root)
    data = {"folder": str(out_dir), "code": code_version(), **state}
    write_json(_state_path(config, out_dir), data, separators=(",", ":"))
    for other in folder.glob("*.json"):
        if re.fullmatch(r"[0-9a-f]{32}\.json", other.name):
            kept = _read_folder_name(other)
            if kept is not None and not Path(kept).is_dir():
                with contextlib.suppress(IsADirectoryError, PermissionError):
                    other.unlink(missing_ok=True)


def _read_folder_name(path: Path) -> str | None:
    """Return the output folder a state file was written for, from its head (without reading it all)."""
    head = read_cached(path, 8192, head=True)
    if head is None or not head.startswith(_SEAL):
        return None
    found = re.match(r'\{"folder":("(?:[^"\\]|\\.)*")', head.partition(b"\n")[2].decode("utf-8", "replace"))
    if found is None:
        return None
    try:
        name = json.loads(found.group(1))
    except ValueError:
        return None
    return name if isinstance(name, str) else None
