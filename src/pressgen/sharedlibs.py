"""Find WeasyPrint's C libraries with one look at the dynamic linker's cache, not fifty programs.

WeasyPrint loads GObject, Pango, HarfBuzz and fontconfig by trying each library's names for every
platform in turn (`libgobject-2.0-0`, `gobject-2.0-0`, `gobject-2.0`, `libgobject-2.0.so.0`, …).
cffi hands each name it cannot open to `ctypes.util.find_library`, which on Linux runs
`ldconfig -p` and then, for a name the cache does not know, `gcc` and `ld`: some fifty programs,
a fifth of a second of every process that imports WeasyPrint, before its first PDF.

`found_by_ldconfig` answers those lookups from one run of `ldconfig -p`, read the way `ctypes`
reads it, while WeasyPrint is imported. A name the cache does not know is not a library of this
machine's linker cache: it is the name of another platform (`gobject-2.0-0` is Windows'), and
WeasyPrint goes on to the next. The libraries loaded are the ones WeasyPrint loads on its own
(tests/test_pdf.py compares them). Where `ldconfig -p` cannot run (musl, macOS), nothing changes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator

# ctypes.util's ABI names of `ldconfig -p` (`libc6,x86-64`), by machine and word size.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def _linker_cache() -> bytes | None:
    """Return what `ldconfig -p` prints, or None where it cannot say (not glibc, no ldconfig)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        done = subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"LC_ALL": "C", "LANG": "C"},
            check=False,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None


def _lookup(cache: bytes) -> Callable[[str], str | None]:
    machine = f"{os.uname().machine}-{ctypes.sizeof(ctypes.c_void_p) * 8}"
    abi = _ABI.get(machine, "libc6")

    def find_library(name: str) -> str | None:
        # The expression of ctypes.util._findSoname_ldconfig.
        found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}".encode(), cache)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


@contextlib.contextmanager
def found_by_ldconfig() -> Iterator[None]:
    """While the block runs, `ctypes.util.find_library` answers from one run of `ldconfig -p`."""
    cache = _linker_cache()
    if cache is None:
        yield
        return
    original = ctypes.util.find_library
    # The same call as ctypes' (cffi passes the name positionally).
    ctypes.util.find_library = _lookup(cache)  # type: ignore[assignment]
    try:
        yield
    finally:
        ctypes.util.find_library = original
