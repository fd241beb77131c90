"""Plural expressions of gettext catalogs (`Plural-Forms: nplurals=2; plural=(n != 1);`).

The C subset that GNU gettext reads (its plural.y): `n`, unsigned numbers, `!`, `* / %`, `+ -`,
`< > <= >=`, `== !=`, `&&`, `||` and `?:`, with C's precedence, up to a `;` or the end of the
line. A compiled expression computes as gettext does, in C's unsigned long: it wraps around,
and raises ZeroDivisionError where C would trap. `msgfmt` checks expressions with it.

Why not the standard library's `gettext.c2py` (measured by `bench/gettext_oracles.py`): on every
plural rule of CLDR the two agree, and c2py refuses the same hostile expressions, and is faster
(which does not matter: a header is compiled once a catalog). But c2py computes in Python's
integers, not C's unsigned long: `n-1` is -1 at n = 0, not 2**64-1, and `n-n-1 > 0` is 0, not 1.
GNU `msgfmt --check` judges a header by C's values, and `pressgen check` must say what it says.
"""

from __future__ import annotations

from collections.abc import Callable

ULONG = 2**64  # plural expressions are evaluated in C's unsigned long
_DIGITS = "0123456789"
# The parser and the compiled expression recurse once per level of nesting and per operator: real
# expressions (Arabic's, the longest) nest 6 deep with 24 operators. Past these limits an expression
# is refused, before it could exhaust Python's stack.
MAX_DEPTH = 32
MAX_TOKENS = 400

PluralExpression = Callable[[int], int]


def parse_plural(text: str) -> PluralExpression:
    """Compile a gettext plural expression (C syntax, up to `;` or a line end); ValueError if invalid.

    The result computes in C's unsigned long, as gettext does: it wraps around, and raises
    ZeroDivisionError where C would trap.
    """
    tokens = _plural_tokens(text)
    if len(tokens) > MAX_TOKENS:
        raise ValueError(f"the expression is {len(tokens)} tokens long; at most {MAX_TOKENS}")
    parser = _PluralParser(tokens)
    expression = parser.conditional()
    if parser.at < len(parser.tokens):
        raise ValueError(f"unexpected '{parser.tokens[parser.at]}'")
    return expression


def _plural_tokens(text: str) -> list[str | int]:
    tokens: list[str | int] = []
    at = 0
    while True:
        while at < len(text) and text[at] in " \t":
            at += 1
        if at >= len(text) or text[at] in ";\n\0":
            return tokens
        char = text[at]
        if char in _DIGITS:
            end = at
            while end < len(text) and text[end] in _DIGITS:
                end += 1
            tokens.append(int(text[at:end]) % ULONG)
            at = end
            continue
        pair = text[at : at + 2]
        if pair in ("==", "!=", "&&", "||", "<=", ">="):
            tokens.append(pair)
            at += 2
        elif char in "!<>*/%+-n?:()":
            tokens.append(char)
            at += 1
        else:
            raise ValueError(f"'{char}' has no place in a plural expression")


# C's binary operators from the loosest to the tightest, after || and &&; division by zero raises
# ZeroDivisionError where C traps.
_BINARY_LEVELS: tuple[dict[str, Callable[[int, int], int]], ...] = (
    {"==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b)},
    {
        "<": lambda a, b: int(a < b),
        ">": lambda a, b: int(a > b),
        "<=": lambda a, b: int(a <= b),
        ">=": lambda a, b: int(a >= b),
    },
    {"+": lambda a, b: (a + b) % ULONG, "-": lambda a, b: (a - b) % ULONG},
    {"*": lambda a, b: a * b % ULONG, "/": lambda a, b: a // b, "%": lambda a, b: a % b},
)


class _PluralParser:
    """Recursive descent over C's precedence: ?: then || && == != < > <= >= + - * / % then !."""

    def __init__(self, tokens: list[str | int]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0  # how deeply the parser is inside parentheses, `?:` and `!`

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ValueError(f"the expression nests more than {MAX_DEPTH} levels deep")

    def peek(self) -> str | int | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, wanted: str) -> bool:
        if self.peek() == wanted:
            self.at += 1
            return True
        return False

    def conditional(self) -> PluralExpression:
        test = self.either()
        if not self.take("?"):
            return test
        self.deeper()
        yes = self.conditional()
        if not self.take(":"):
            raise ValueError("'?' without ':'")
        no = self.conditional()
        self.depth -= 1

        def choose(n: int) -> int:
            return yes(n) if test(n) else no(n)

        return choose

    def either(self) -> PluralExpression:
        left = self.both()
        while self.take("||"):
            left = _or(left, self.both())
        return left

    def both(self) -> PluralExpression:
        left = self.binary(0)
        while self.take("&&"):
            left = _and(left, self.binary(0))
        return left

    def binary(self, level: int) -> PluralExpression:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (operator := self.peek()) in _BINARY_LEVELS[level]:
            self.at += 1
            left = _apply(_BINARY_LEVELS[level][str(operator)], left, self.binary(level + 1))
        return left

    def unary(self) -> PluralExpression:
        if self.take("!"):
            self.deeper()
            negated = _not(self.unary())
            self.depth -= 1
            return negated
        token = self.peek()
        self.at += 1
        if token == "n":
            return _n
        if isinstance(token, int):
            return _constant(token)
        if token == "(":
            self.deeper()
            inner = self.conditional()
            if not self.take(")"):
                raise ValueError("'(' without ')'")
            self.depth -= 1
            return inner
        raise ValueError("an operand is missing" if token is None else f"unexpected '{token}'")


def _n(n: int) -> int:
    return n


def _constant(value: int) -> PluralExpression:
    def constant(n: int) -> int:
        return value

    return constant


def _not(operand: PluralExpression) -> PluralExpression:
    def negation(n: int) -> int:
        return int(operand(n) == 0)

    return negation


def _or(left: PluralExpression, right: PluralExpression) -> PluralExpression:
    def either(n: int) -> int:
        return int(bool(left(n)) or bool(right(n)))

    return either


def _and(left: PluralExpression, right: PluralExpression) -> PluralExpression:
    def both(n: int) -> int:
        return int(bool(left(n)) and bool(right(n)))

    return both


def _apply(operator: Callable[[int, int], int], left: PluralExpression, right: PluralExpression) -> PluralExpression:
    def applied(n: int) -> int:
        return operator(left(n), right(n))

    return applied
