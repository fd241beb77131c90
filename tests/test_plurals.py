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


def test_an_expression_nested_too_deeply_or_too_long_is_refused_before_the_stack_runs_out() -> None:
    arabic = "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5"
    assert [parse_plural(f"({arabic})")(n) for n in (0, 1, 2, 5, 11, 100)] == [0, 1, 2, 3, 4, 5]
    for deep, problem in (
        ("(" * 33 + "n" + ")" * 33, "the expression nests more than 32 levels deep"),
        ("!" * 40 + "n", "the expression nests more than 32 levels deep"),
        ("n ? " * 40 + "1" + " : 0" * 40, "the expression nests more than 32 levels deep"),
        ("(" * 5000 + "n" + ")" * 5000, "the expression is 10001 tokens long; at most 400"),
        ("n" + " + n" * 300, "the expression is 601 tokens long; at most 400"),
    ):
        with pytest.raises(ValueError) as caught:
            parse_plural(deep)
        assert str(caught.value) == problem
