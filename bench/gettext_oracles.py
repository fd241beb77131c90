"""pressgen's own gettext parts against the standard ones: where they agree, where not, and their cost.

Issue 23 asked that each hand-written part of gettext be measured against the standard tool or
library, and kept only for a measured reason. Two parts are measured here, each in one run:

- plural expressions (`plurals.parse_plural`) against the standard library's `gettext.c2py`, on
  every plural rule CLDR gives (through Babel) and on expressions a hostile catalog may hold;
- the `msgfmt --check` rules (`msgfmt.catalog_problems`, after `po.read_po_file`) against GNU
  `msgfmt --check` itself, on every catalog of the project and of the tests' data.

Run: `.venv/bin/python bench/gettext_oracles.py` (prints a table; docs/performance.md keeps the
figures).
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from babel import Locale
from babel.localedata import locale_identifiers
from babel.plural import to_gettext

from pressgen.errors import PressgenError
from pressgen.msgfmt import catalog_problems
from pressgen.plurals import parse_plural
from pressgen.po import read_po_file

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = range(1001)  # the numbers msgfmt --check tries an expression with

# Expressions a catalog may hold that no CLDR rule is: C's unsigned arithmetic, division by zero,
# deep nesting, and a header that is a Python expression but not C.
HOSTILE = {
    "wraps below zero": "n-1",
    "divides by zero": "n/0",
    "nests 200 deep": "(" * 200 + "n" + ")" * 200,
    "chains 2,000 operators": "+".join(["n"] * 2000),
    "is Python, not C": "n if n else 1",
    "calls a function": "__import__('os').getpid()",
}


def cldr_expressions() -> dict[str, str]:
    """Return the plural expression of every CLDR locale (as Babel writes gettext's), by expression."""
    found: dict[str, str] = {}
    for identifier in locale_identifiers():
        header = to_gettext(Locale.parse(identifier).plural_form)
        expression = header.split("plural=", 1)[1].rstrip(";")
        found.setdefault(expression, identifier)
    return found


def outcomes(compile_: Callable[[str], Callable[[int], int]], expression: str) -> tuple[str, list[object] | None]:
    """Return how an expression compiles ("ok" or the error's type) and its values for 0 … 1000."""
    try:
        function = compile_(expression)
    except (ValueError, SyntaxError, RecursionError, MemoryError) as exc:
        return type(exc).__name__, None
    values: list[object] = []
    for n in NUMBERS:
        try:
            values.append(function(n))
        except (ZeroDivisionError, RecursionError, OverflowError) as exc:
            values.append(type(exc).__name__)
    return "ok", values


def timed(compile_: Callable[[str], Callable[[int], int]], expressions: list[str], rounds: int = 5) -> float:
    """Return the best time, in ms, to compile every expression and evaluate it for 0 … 1000."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for expression in expressions:
            function = compile_(expression)
            for n in NUMBERS:
                function(n)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def plural_report() -> list[str]:
    cldr = cldr_expressions()
    # Babel writes CLDR's operands that gettext has no name for (e, v …) as they are: no C expression.
    valid = [e for e in cldr if outcomes(gettext.c2py, e)[0] == "ok" and outcomes(parse_plural, e)[0] == "ok"]
    lines = [f"plural expressions: {len(cldr)} distinct CLDR rules, {len(valid)} of them gettext's C"]
    refused = {e: (outcomes(parse_plural, e)[0], outcomes(gettext.c2py, e)[0]) for e in cldr if e not in valid}
    same = sum(1 for ours, theirs in refused.values() if ours != "ok" and theirs != "ok")
    lines.append(f"  the other {len(refused)}: refused by both {same}, by one only {len(refused) - same}")
    differ = [e for e in valid if outcomes(parse_plural, e) != outcomes(gettext.c2py, e)]
    lines.append(f"  valid rules where pressgen and gettext.c2py give other values for 0 … 1000: {len(differ)}")
    ours, theirs = timed(parse_plural, valid), timed(gettext.c2py, valid)
    lines.append(f"  compile + 1,001 values of every rule: pressgen {ours:.1f} ms, c2py {theirs:.1f} ms")
    for name, expression in HOSTILE.items():
        ours_kind, ours_values = outcomes(parse_plural, expression)
        their_kind, their_values = outcomes(gettext.c2py, expression)

        def describe(kind: str, values: list[object] | None) -> str:
            if values is None:
                return f"refused ({kind})"
            return f"n=0 gives {values[0]!r}"

        lines.append(
            f"  {name} ({expression[:24]}…): pressgen {describe(ours_kind, ours_values)}; "
            f"c2py {describe(their_kind, their_values)}"
        )
    return lines


def catalogs() -> list[Path]:
    return sorted(p for folder in ("locales", "tests/data") for p in (ROOT / folder).rglob("*.po"))


def msgfmt_report() -> list[str]:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return ["msgfmt --check: GNU gettext is not installed (Debian: gettext); nothing compared"]
    paths = catalogs()
    agree, differ = 0, []
    ours_time = gnu_time = 0.0
    for path in paths:
        started = time.perf_counter()
        try:
            rejected = bool(catalog_problems(read_po_file(path)))
        except PressgenError:
            rejected = True
        ours_time += time.perf_counter() - started
        started = time.perf_counter()
        gnu = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(path)], capture_output=True, check=False)
        gnu_time += time.perf_counter() - started
        if rejected == (gnu.returncode != 0):
            agree += 1
        else:
            differ.append(f"    {path.relative_to(ROOT)}: pressgen {'rejects' if rejected else 'accepts'}")
    return [
        f"msgfmt --check: {len(paths)} catalogs, same verdict on {agree}, different on {len(differ)}",
        *differ,
        f"  time for all: pressgen {ours_time * 1000:.0f} ms (reading included), GNU msgfmt {gnu_time * 1000:.0f} ms "
        f"(a process each: ratio {gnu_time / ours_time:.1f})",
    ]


def main() -> int:
    sys.setrecursionlimit(10_000)  # c2py's parser recurses on nesting; give it room to show its own limits
    for line in plural_report() + msgfmt_report():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
