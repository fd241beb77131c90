"""Plural expressions: C's syntax and precedence, computed in unsigned long as gettext does."""

from __future__ import annotations

import pytest

from pressgen.plurals import parse_plural


def test_plural_expressions_compute_as_c_does() -> None:
    assert [parse_plural("(n != 1);")(n) for n in (0, 1, 2)] == [1, 0, 1]
    assert [
        parse_plural("n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2")(n)
        for n in (1, 2, 5, 11, 21, 22, 25)
    ] == [0, 1, 2, 2, 0, 1, 2]
    assert parse_plural("n-2")(1) == 2**64 - 1  # unsigned long wraps around
    assert parse_plural("!n + 1")(0) == 2  # ! binds tighter than +
    assert parse_plural("1 ? 2 : 0 ? 3 : 4")(0) == 2
    with pytest.raises(ZeroDivisionError):
        parse_plural("n / (n - 1)")(1)
    for broken in ("(n != 1", "n = 1", "n & 1", "n != ", "x", ""):
        with pytest.raises(ValueError):
            parse_plural(broken)
