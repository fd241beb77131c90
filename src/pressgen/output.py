"""Output folders: which folders pressgen may replace, and how it replaces them whole.

A build writes into a staging folder and swaps it in for the output in one step, so a reader
never sees half a site and a failed build leaves the previous one as it was. Because the swap
replaces a whole folder, pressgen only ever replaces a folder it made itself: every folder it
writes holds a marker file, and an output that is the project, contains it, lies inside its
sources, is a symbolic link or is an existing folder without the marker is refused before
anything is written. Files pressgen deletes are only names it created, inside folders it checked.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pressgen.errors import PressgenError, UsageError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# The file that marks a folder as pressgen's own output, which a build may replace whole.
MARKER = ".pressgen-output"
MARKER_TEXT = (
    "This folder was written by pressgen. Each build replaces it whole:\n"
    "keep nothing here that pressgen did not write.\n"
)
# Folders of a project that no output may be, or lie inside.
PROTECTED = ("releases", "locales", "templates", "published", ".pressgen-cache", ".git")


def absolute(path: Path) -> Path:
    """Return `path` made absolute with `..` folded, without following symbolic links."""
    return Path(os.path.abspath(path))


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


def real_dir(path: Path, root: Path) -> Path:
    """Create `path` (a folder inside `root`) if needed, refusing symbolic links on the way."""
    relative = absolute(path).relative_to(absolute(root))
    folder = absolute(root)
    for part in relative.parts:
        folder = folder / part
        if folder.is_symlink():
            raise PressgenError("is a symbolic link; pressgen writes only into real folders it made", folder)
        if not folder.exists():
            folder.mkdir()
        elif not folder.is_dir():
            raise PressgenError("is not a folder", folder)
    return folder


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
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PressgenError("the lock file is a symbolic link; remove it", lock_path) from None
        raise
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


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); return False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


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
    if out_dir.exists() and _exchange(stage, out_dir):
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
