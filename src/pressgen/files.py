"""Files: read a project file safely and write one atomically, keeping its mode; cache files likewise.

Reading refuses what is not a regular file (a symlink, a FIFO, a device: a catalog linked to
`/dev/zero` must not fill the memory), caps the size, and reads again when the file changed
while it was read, as happens when an editor saves it in place. Writing goes through a
temporary file and a rename, so that a reader never sees half a file.

Cache files (`read_cached`, `write_cached`, `link_cached`) trust nothing they find: a checkout
may bring a `.pressgen-cache/` of anyone's making. They are opened without following links and
used only if they are regular files of a sane size (anything else is a miss, never an error);
temporary files get unpredictable names and are created exclusively, so a link planted at a
name pressgen is about to write is replaced, never written through; a file linked into an
output is checked to be the one that was opened.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NamedTuple

from pressgen.errors import PressgenError

# The errors of a machine that cannot take what is written (a full disk, a read-only or forbidden
# folder): the user's to fix, reported as such, never as a fault of the document being written.
WRITE_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)
# How often a file that keeps changing while it is read is read again before giving up.
READ_ATTEMPTS = 3


class Read(NamedTuple):
    """A file's bytes and its status when they were read."""

    data: bytes
    status: os.stat_result


def read_regular(path: Path, what: str, limit: int) -> Read:
    """Return the bytes of a regular file of at most `limit` bytes, read while nobody wrote it."""
    for attempt in range(READ_ATTEMPTS):
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: a link is refused.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            raise
        except OSError as exc:
            if path.is_symlink():
                raise PressgenError(f"{what} is a symbolic link; it must be a regular file", path) from None
            raise PressgenError(f"cannot read the {what}: {exc.strerror}", path) from None
        with os.fdopen(fd, "rb") as handle:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise PressgenError(f"{what} is not a regular file (a {_kind(before.st_mode)})", path)
            if before.st_size > limit:
                raise PressgenError(f"{what} is {_size(before.st_size)}; a {what} is at most {_size(limit)}", path)
            data = handle.read(limit + 1)
            after = os.fstat(fd)
        if len(data) > limit:
            raise PressgenError(f"{what} is larger than {_size(limit)}; a {what} is at most {_size(limit)}", path)
        if _same(before, after) and len(data) == after.st_size:
            return Read(data, after)
        time.sleep(0.05 * (attempt + 1))  # let the writer finish its save
    raise PressgenError(f"{what} changed while it was read (is an editor saving it?); try again", path)


def decode_text(data: bytes, path: Path, nul: str, not_utf8: str) -> str:
    """Decode a project file as UTF-8; a NUL byte or a byte that is not UTF-8 is an error at its line.

    `not_utf8` may name the offending byte as `{byte:02x}`.
    """
    if b"\0" in data:
        raise PressgenError(nul, path, _line_of(data, data.index(b"\0")))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PressgenError(not_utf8.format(byte=data[exc.start]), path, _line_of(data, exc.start)) from None


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_size, a.st_mtime_ns, a.st_ctime_ns) == (b.st_size, b.st_mtime_ns, b.st_ctime_ns)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 1_000_000 else f"{count / 1000:.0f} kB"


def write_atomic(path: Path, data: bytes, unchanged_since: os.stat_result | None = None) -> None:
    """Write `data` to `path` through a temporary file and a rename, keeping the file's mode.

    With `unchanged_since`, refuse (raise `FileChanged`) when the file on disk is no longer the
    one that was read, so that a caller can merge with what was saved meanwhile instead.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file 0600; a catalog keeps the mode it had, a new one follows the umask.
        os.fchmod(fd, _mode_of(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if unchanged_since is not None and not _unchanged(path, unchanged_since):
            raise FileChanged(path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FileChanged(Exception):
    """The file was saved by someone else since it was read."""


def stat_of(path: Path) -> os.stat_result | None:
    """Return the `lstat` of a path, or None if there is nothing there."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _unchanged(path: Path, seen: os.stat_result) -> bool:
    now = stat_of(path)
    return now is not None and _same(now, seen) and now.st_ino == seen.st_ino


def _mode_of(path: Path) -> int:
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        status = None
    if status is not None and stat.S_ISREG(status.st_mode):
        return stat.S_IMODE(status.st_mode)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


# --- cache files ---------------------------------------------------------------------------------


def read_cached(path: Path, limit: int, head: bool = False) -> bytes | None:
    """Return the bytes of a cache file; None for anything but a regular file of at most `limit` bytes.

    With `head`, return its first `limit` bytes, whatever its size.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:  # absent, a link (ELOOP), unreadable: a miss
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode) or (status.st_size > limit and not head):
                return None
            data = handle.read(limit + 1)
    except OSError:
        return None
    return data[:limit] if head else data if len(data) <= limit else None


def write_cached(path: Path, data: bytes) -> bool:
    """Write a cache file through a temporary file of an unpredictable name and a rename, without fsync.

    Return False (and leave things as they are) when the name is taken by what a rename cannot
    replace, such as a folder: the entry is then simply not cached.
    """
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # O_EXCL|O_NOFOLLOW
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)  # replaces a link or a FIFO at `path` itself, never what it points to
    except IsADirectoryError:
        os.unlink(temporary)
        return False
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def link_cached(source: Path, dest: Path, accept: Callable[[BinaryIO], bool] | None = None) -> bool:
    """Put the regular file `source` at the new name `dest`: a hard link, or a copy across file systems.

    `source` is opened without following links and must be a regular file that `accept` (given
    the open file) accepts; `dest` must not exist. The link is checked to be the file that was
    opened (a name swapped meanwhile is undone), so nothing but that file ever lands at `dest`.
    Return False, with nothing at `dest`, when `source` is not such a file.
    """
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or (accept is not None and not accept(handle)):
            return False
        try:
            os.link(source, dest, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                raise
            handle.seek(0)
            with open(dest, "xb") as copy:  # another file system: copy what was opened
                shutil.copyfileobj(handle, copy)
            return True
        linked = os.lstat(dest)
        if (linked.st_dev, linked.st_ino) != (status.st_dev, status.st_ino):
            os.unlink(dest)
            return False
    return True


def temporary_name(folder: Path, name: str) -> Path:
    """Return an unpredictable name in `folder` for a temporary file made from `name`."""
    return folder / f".{name}.{secrets.token_hex(8)}.tmp"


def absolute(path: Path) -> Path:
    """Return `path` made absolute with `..` folded, without following symbolic links."""
    return Path(os.path.abspath(path))


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


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
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
