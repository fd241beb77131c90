"""Output folders: a staging folder beside the output, swapped in whole, under a lock."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pressgen.errors import PressgenError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


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
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold a lock beside the output so that two builds never write it at once."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PressgenError(
                f"another pressgen build is writing {out_dir.name}/; wait for it to finish", lock_path
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """Yield an empty folder beside `out_dir`; on success, swap it in; on failure, discard it.

    The previous output stays whole until the moment of the swap, which is one atomic
    rename exchange where the system offers it.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.parent.glob(f".{out_dir.name}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    stage.chmod(0o755)
    if out_dir.exists() and _exchange(stage, out_dir):
        shutil.rmtree(stage, ignore_errors=True)  # now holds the previous output
        return
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old.tmp"
        shutil.rmtree(old, ignore_errors=True)
        os.rename(out_dir, old)
        os.rename(stage, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(stage, out_dir)
