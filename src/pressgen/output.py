"""Output folders: which folders pressgen may replace, and how it replaces them whole.

A build writes into a staging folder and swaps it in for the output in one step, so a reader
never sees half a site and a failed build leaves the previous one as it was. Because the swap
replaces a whole folder, pressgen only ever replaces a folder it made itself: every folder it
writes holds a marker file, and an output that is the project, contains it, lies inside its
sources, is a symbolic link or is an existing folder without the marker is refused before
anything is written. Files pressgen deletes are only names it created, inside folders it checked.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pressgen.errors import PressgenError, UsageError
from pressgen.files import absolute, exchange

# The file that marks a folder as pressgen's own output, which a build may replace whole.
MARKER = ".pressgen-output"
MARKER_TEXT = (
    "This folder was written by pressgen. Each build replaces it whole:\n"
    "keep nothing here that pressgen did not write.\n"
)
# Folders of a project that no output may be, or lie inside.
PROTECTED = ("releases", "locales", "templates", "published", ".pressgen-cache", ".git")


def check_output_dir(root: Path, out_dir: Path, shown: str, others: Mapping[str, Path] | None = None) -> Path:
    """Return the absolute output folder, or refuse one that pressgen must not replace.

    `shown` names where the folder came from (`--out DIR`, `site.output_dir DIR`) for messages;
    `others` are output folders this one must neither be nor nest with (the public output for
    the embargoed pack, the preview and the review pages).
    """
    out = absolute(out_dir)
    if out.is_symlink():
        raise UsageError(f"{shown}: the output folder is a symbolic link; give its real path")
    real, project = out.resolve(), root.resolve()
    if real == project:
        raise UsageError(f"{shown}: that is the project itself; the output needs a folder of its own, such as public")
    if project.is_relative_to(real):
        raise UsageError(f"{shown}: that folder contains the project ({project}); choose a folder of its own")
    for name in PROTECTED:
        source = (root / name).resolve()
        if real == source or real.is_relative_to(source):
            raise UsageError(f"{shown}: the output folder lies inside {name}/, which pressgen never replaces")
    for what, other in (others or {}).items():
        other_real = absolute(other).resolve()
        if real == other_real or real.is_relative_to(other_real) or other_real.is_relative_to(real):
            raise UsageError(f"{shown}: the output folder must be apart from {what} ({other})")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{shown}: the output exists and is not a folder")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise UsageError(
            f"{shown}: the folder exists and was not made by pressgen (it has no {MARKER} file); "
            "a build replaces its output folder whole, so empty it or choose another folder"
        )
    return out


# The locks this process holds, by path: a command that runs another (review runs builds) holds
# the project's lock once.
_held: dict[Path, int] = {}


@contextmanager
def project_lock(lock_dir: Path) -> Iterator[None]:
    """Hold the project's lock (a file in `lock_dir`) so that two commands never write at once.

    Builds share the cache and its manifest, so one lock covers the project. The file is opened
    without following symbolic links and never truncated, so a link planted in its place cannot
    make pressgen write anywhere else.
    """
    lock_path = lock_dir / "lock"
    if lock_path in _held:
        _held[lock_path] += 1
        try:
            yield
        finally:
            _held[lock_path] -= 1
        return
    try:
        # O_NONBLOCK: a FIFO in its place must not wait for a reader (it is refused just below).
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PressgenError("the lock file is a symbolic link; remove it", lock_path) from None
        if exc.errno in (errno.ENXIO, errno.EISDIR):
            raise PressgenError("the lock file is not a regular file; remove it", lock_path) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PressgenError("the lock file is not a regular file; remove it", lock_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PressgenError(
                "another pressgen command is writing in this project; wait for it to finish", lock_path
            ) from None
        _held[lock_path] = 1
        try:
            yield
        finally:
            del _held[lock_path]
    finally:
        os.close(fd)


def _new_folder(parent: Path, prefix: str, suffix: str = "") -> Path:
    """Make a new, empty folder of pressgen's, marked as such."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return folder


def _remove(folder: Path) -> None:
    """Remove a folder pressgen made (it holds the marker); leave anything else alone."""
    if folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file():
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """Yield an empty folder to write the output in; on success, swap it in; on failure, discard it.

    `out_dir` must have passed `check_output_dir`. The stage lies beside the output, and the
    swap is one atomic rename exchange where the system offers it. Where the output is a mount
    point (which cannot be renamed), the stage lies inside it and its contents are swapped.
    """
    out_dir = absolute(out_dir)
    inside = out_dir.is_dir() and os.path.ismount(out_dir)
    parent, prefix = (out_dir, ".pressgen-") if inside else (out_dir.parent, f".{out_dir.name}.")
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f"{prefix}*.tmp"):
        _remove(stale)  # left by a build that was killed
    stage = _new_folder(parent, prefix, ".tmp")
    try:
        yield stage
        stage.chmod(0o755)
        if inside:
            _swap_contents(stage, out_dir, move=os.rename)
            return
        try:
            _swap(stage, out_dir)
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            # A bind mount that os.path.ismount did not see: move the new contents in.
            _swap_contents(stage, out_dir, move=shutil.move)
    finally:
        _remove(stage)  # gone once swapped; else what a failed build wrote


def _swap(stage: Path, out_dir: Path) -> None:
    """Put `stage` in the place of `out_dir`, and remove the previous output (which
    `check_output_dir` found empty or marked as pressgen's)."""
    if out_dir.exists() and exchange(stage, out_dir):
        shutil.rmtree(stage, ignore_errors=True)  # now holds the previous output
        return
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old.tmp"
        _remove(old)
        os.rename(out_dir, old)
        os.rename(stage, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(stage, out_dir)


def _swap_contents(stage: Path, out_dir: Path, move: Callable[[Path, Path], object]) -> None:
    """Replace the entries of `out_dir` by those of `stage` (not atomic: for mount points only)."""
    old = _new_folder(out_dir, ".pressgen-old.", ".tmp")
    try:
        for entry in list(out_dir.iterdir()):
            if entry not in (stage, old):
                move(entry, old / entry.name)
        for entry in list(stage.iterdir()):
            move(entry, out_dir / entry.name)
    finally:
        shutil.rmtree(old, ignore_errors=True)
    stage.rmdir()


# --- generations: an output made by changing only what changed ----------------------------------
#
# Beside the output, pressgen keeps the output's previous generation (`.NAME.previous`, marked as
# its own). A build brings that folder up to date, file by file, and swaps it in with one atomic
# exchange; the output it replaces becomes the previous generation of the next build. A build
# therefore writes only the files whose inputs changed (and those the previous build changed),
# never the whole site, and the live output is never written to, so readers still never see half
# a site. Files are never written in place: a file that is replaced is removed first, because the
# two generations share the files that did not change (hard links).

PREVIOUS = ".previous"


@dataclass
class Generation:
    """What a folder of pressgen's holds: its units (a page with its pictures, a PDF, a feed…) by the
    key of their inputs, and the size, modification time and inode of each file when it was written."""

    units: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # unit → (key, files)
    files: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    inode: int = 0  # of the folder itself: a folder put in its place is not this generation

    def as_data(self) -> dict[str, Any]:
        return {"units": self.units, "files": self.files, "inode": self.inode}

    @classmethod
    def from_data(cls, data: Any) -> Generation:
        try:
            units = {str(u): (str(k), [str(f) for f in files]) for u, (k, files) in data["units"].items()}
            files = {str(f): (int(a), int(b), int(c)) for f, (a, b, c) in data["files"].items()}
            return cls(units, files, int(data["inode"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls()


def _scan(folder: Path, prune: bool = False) -> dict[str, tuple[int, int, int]]:
    """Return (size, mtime, inode) of each regular file in `folder`; remove anything that is neither a
    file nor a folder (a symbolic link, a pipe): nothing is ever written through one. With `prune`,
    also remove the folders inside that are left empty, in the same walk."""
    found: dict[str, tuple[int, int, int]] = {}

    def walk(relative: str) -> bool:
        """Scan one folder; return whether it holds anything (after pruning)."""
        held = False
        with os.scandir(f"{folder}/{relative}") as scanner:
            entries = list(scanner)
        for entry in entries:
            path = f"{relative}{entry.name}"
            # The entry's type comes with the folder's listing: only files need a stat.
            if entry.is_dir(follow_symlinks=False):
                if walk(path + "/") or not prune:
                    held = True
                else:
                    try:
                        os.rmdir(entry.path)
                    except OSError:  # something appeared meanwhile
                        held = True
            elif entry.is_file(follow_symlinks=False):
                status = entry.stat(follow_symlinks=False)
                found[path] = (status.st_size, status.st_mtime_ns, status.st_ino)
                held = True
            else:
                os.unlink(entry.path)
        return held

    walk("")
    return found


class Stage:
    """The folder in which a build makes the next generation of its output."""

    def __init__(self, folder: Path, held: Generation, live_dir: Path, live: Generation):
        self.folder = folder
        self.live_dir = live_dir
        self.live = live
        present = _scan(folder)
        # A file the stage holds is trusted only if it is as the last build of it left it; the
        # others are removed at once, so that nothing is ever written into a file that may be
        # shared with the live output.
        trusted = held.inode == os.lstat(folder).st_ino
        self.held = {
            unit: (key, files)
            for unit, (key, files) in held.units.items()
            if trusted and all(present.get(f) == held.files.get(f) for f in files)
        }
        claimed = {name for _, files in self.held.values() for name in files}
        for name in present:
            if name not in claimed and name != MARKER:
                os.unlink(folder / name)
        self.present = {name: present[name] for name in claimed}
        self.units: dict[str, tuple[str, list[str]]] = {}
        self.kept = 0  # units the stage held already
        self.linked = 0  # units linked from the live output
        self.result: Generation | None = None
        self.previous: Generation | None = None

    def keep(self, unit: str, key: str) -> bool:
        """Keep a unit that the stage or the live output holds, made from the same inputs; False if neither does."""
        held = self.held.get(unit)
        if held is not None and held[0] == key:
            self.units[unit] = held
            self.kept += 1
            return True
        sources = _live_files(self.live_dir, self.live, unit, key)
        if sources is None:
            return False
        self.begin(unit)
        for source, name in sources:
            os.link(source, self.path(name))
        self.units[unit] = (key, [name for _, name in sources])
        self.linked += 1
        return True

    def begin(self, unit: str) -> None:
        """Start making a unit anew: remove the files of the version the stage holds (if any)."""
        held = self.held.pop(unit, None)
        if held is not None:
            for name in held[1]:
                (self.folder / name).unlink(missing_ok=True)
                self.present.pop(name, None)

    def path(self, relative: str) -> Path:
        """Return where to write the file `relative`: nothing is there (a file of the other generation is
        removed first, never written over), and its folder exists."""
        target = self.folder / relative
        try:
            os.unlink(target)
        except FileNotFoundError:
            _make_folders(self.folder, relative)
        except IsADirectoryError:
            shutil.rmtree(target)
        self.present.pop(relative, None)
        return target

    def add(self, unit: str, key: str, files: list[str]) -> None:
        """Record a unit written into the stage (with `path`)."""
        self.units[unit] = (key, files)

    def finish(self) -> Generation:
        """Remove what no unit of this generation holds, and return what the stage holds."""
        claimed = {name for _, files in self.units.values() for name in files}
        for name in self.present:
            if name not in claimed and name != MARKER:
                (self.folder / name).unlink(missing_ok=True)
        files = _scan(self.folder, prune=True)
        return Generation(dict(self.units), files, os.lstat(self.folder).st_ino)


def _live_files(live_dir: Path, live: Generation, unit: str, key: str) -> list[tuple[Path, str]] | None:
    """Return (path, relative path) of each file of a unit the live output holds made from the same
    inputs, if every one is as it was written; None otherwise."""
    found = live.units.get(unit)
    if found is None or found[0] != key:
        return None
    sources = [(live_dir / name, name) for name in found[1]]
    for source, name in sources:
        try:
            status = os.lstat(source)
        except FileNotFoundError:
            return None
        if (status.st_size, status.st_mtime_ns, status.st_ino) != live.files.get(name):
            return None
    return sources


def _make_folders(root: Path, relative: str) -> None:
    """Make the folders of `relative` inside `root`, removing a file that stands where a folder must."""
    folder = root
    for part in relative.split("/")[:-1]:
        folder = folder / part
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir() or folder.is_symlink():
                folder.unlink()
                folder.mkdir()


def previous_dir(out_dir: Path) -> Path:
    """Return the folder that holds the previous generation of `out_dir`."""
    out_dir = absolute(out_dir)
    return out_dir.parent / f".{out_dir.name}{PREVIOUS}"


@contextmanager
def generation(out_dir: Path, live: Generation, previous: Generation | None) -> Iterator[Stage]:
    """Yield the stage of the next generation of `out_dir`; on success, swap it in atomically.

    `live` is what the output holds by the last build's record; `previous`, what its previous
    generation holds (None: keep no previous generation and make the stage afresh, as for a folder
    made inside another stage). After a success, `Stage.result` is what the output holds, and
    `Stage.previous` what its previous generation holds (the output that was replaced), if any.
    On failure the output is as it was; a fresh stage is discarded, and the previous generation is
    left as it is: the next build trusts none of its files that changed.
    """
    out_dir = absolute(out_dir)
    inside = out_dir.is_dir() and os.path.ismount(out_dir)
    shadow = previous_dir(out_dir)
    keep_previous = previous is not None and not inside
    if keep_previous and (shadow.is_symlink() or (shadow.exists() and not (shadow / MARKER).is_file())):
        raise PressgenError(
            f"is not a folder of pressgen's (it would hold the previous generation of {out_dir.name}/): "
            "remove it or rename it",
            shadow,
        )
    if not keep_previous or not (out_dir / MARKER).is_file():  # nothing of pressgen's to start from
        with staging(out_dir) as fresh:
            stage = Stage(fresh, Generation(), out_dir, live if out_dir.is_dir() else Generation())
            yield stage
            stage.result = stage.finish()
        if keep_previous and _clone(out_dir, shadow):
            stage.previous = replace(stage.result, inode=os.lstat(shadow).st_ino)
        return
    assert previous is not None
    if not shadow.is_dir():
        if not _clone(out_dir, shadow):
            raise PressgenError("could not make the previous generation of the output", shadow)
        previous = replace(live, inode=os.lstat(shadow).st_ino)
    stage = Stage(shadow, previous, out_dir, live)
    yield stage
    stage.result = stage.finish()
    stage.folder.chmod(0o755)
    if not exchange(shadow, out_dir):
        # No atomic exchange on this system: two renames, as `staging` does.
        old = out_dir.parent / f".{out_dir.name}.old.tmp"
        _remove(old)
        os.rename(out_dir, old)
        os.rename(shadow, out_dir)
        os.rename(old, shadow)
    stage.previous = live


def _clone(source: Path, dest: Path) -> bool:
    """Make `dest` a copy of the output `source` made of hard links (the previous generation to start
    from); False if something that is not pressgen's is in the way."""
    _remove(dest)
    if dest.exists() or dest.is_symlink():
        return False
    temporary = _new_folder(dest.parent, f"{dest.name}.", ".tmp")
    for folder, subfolders, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        for name in subfolders:
            (temporary / relative / name).mkdir()
        for name in files:
            if name != MARKER:
                os.link(Path(folder) / name, temporary / relative / name)
    os.rename(temporary, dest)
    return True
