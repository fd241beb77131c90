"""What GNU `msgfmt --check` rejects in a catalog, found without running it.

PO editors (Poedit, Lokalize) and Weblate refuse to save, and build systems to compile, a
catalog that `msgfmt --check` rejects, so `pressgen check` reports the same problems, each at the
catalog's line, and they keep the language version unpublished. The rules are those of GNU
gettext 0.21 (msgfmt.c, msgl-check.c, format-python.c, format-python-brace.c, plural.y), the
version Debian 12 ships:

- the catalog has a header entry (`msgid ""`) with a non-empty msgstr;
- a catalog with plural translations has `nplurals=` and `plural=` in its header; `nplurals` is a
  number; the plural expression is valid C and, for n from 0 to 1000, yields no value outside
  0 … nplurals-1, no negative value and no division by zero; every plural message has exactly
  nplurals translations;
- the msgid and the msgstr (every msgstr[i], and msgid_plural) all begin, or none begins, with a
  line break, and likewise at the end;
- a message flagged `python-format` (or `possible-python-format`) has translations with valid
  Python %-directives that ask for the same arguments of the same types, by name or in order;
  `python-brace-format` likewise for str.format's `{name}` fields.

Like msgfmt, only translated messages that are not fuzzy are checked, and obsolete ones never.
msgfmt checks format strings of some 28 more languages (C, Java, Qt …); no pressgen text is
one, so such a flag is an error of its own, which `pressgen update` repairs by removing it.
msgfmt's warnings (a header field left at its template value) are not reported.

Why not run GNU msgfmt (measured by `bench/gettext_oracles.py`): on every catalog of the project
and of the tests' data the verdicts are the same (and tests/test_msgfmt.py compares the two on
generated catalogs), and checking in the process is faster than a msgfmt process per catalog;
but the reasons to keep it are others: each problem is named at its line, in the words of a
translator's tool, and `pressgen check` works on a machine without GNU gettext (a system package
that pressgen does not otherwise need).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from babel.messages.catalog import Message
from babel.messages.plurals import get_plural

from pressgen.plurals import ULONG, PluralExpression, parse_plural
from pressgen.po import PoCatalog

Spec = TypeVar("Spec")  # what a format string's directives are, parsed

# The format-string languages GNU gettext 0.21 knows (message.c, format_language), by flag name.
FORMAT_LANGUAGES = {
    "c": "C",
    "objc": "Objective C",
    "python": "Python",
    "python-brace": "Python brace",
    "java": "Java MessageFormat",
    "java-printf": "Java printf",
    "csharp": "C#",
    "javascript": "JavaScript",
    "scheme": "Scheme",
    "lisp": "Lisp",
    "elisp": "Emacs Lisp",
    "librep": "librep",
    "ruby": "Ruby",
    "sh": "Shell",
    "awk": "awk",
    "lua": "Lua",
    "object-pascal": "Object Pascal",
    "smalltalk": "Smalltalk",
    "qt": "Qt",
    "qt-plural": "Qt plural",
    "kde": "KDE",
    "kde-kuit": "KUIT",
    "boost": "Boost",
    "tcl": "Tcl",
    "perl": "Perl",
    "perl-brace": "Perl brace",
    "php": "PHP",
    "gcc-internal": "GCC internal",
    "gfc-internal": "GFC internal",
    "ycp": "YCP",
}
CHECKED = ("python", "python-brace")  # the formats pressgen's texts use: Jinja2's i18n, str.format
PLURAL_SAMPLES = range(1001)  # msgfmt evaluates the plural expression for n = 0 … 1000
OFTEN = 5  # a plural form chosen this often among those is one for "infinitely many" n


@dataclass(frozen=True)
class Problem:
    """One thing msgfmt --check rejects, at a line of the catalog (None: the file as a whole)."""

    line: int | None
    message: str


def is_format_flag(flag: str) -> bool:
    """Tell whether a flag says what format a message is in (`python-format`, `no-c-format` …)."""
    return _format_flag(flag) is not None


def _format_flag(flag: str) -> tuple[str, str] | None:
    """Return (language, yes/no/possible/impossible) of a format flag, or None."""
    if not flag.endswith("-format"):
        return None
    name, value = flag[: -len("-format")], "yes"
    for prefix in ("no-", "possible-", "impossible-"):
        if name.startswith(prefix):
            name, value = name[len(prefix) :], prefix[:-1]
            break
    return (name, value) if name in FORMAT_LANGUAGES else None


# -- the catalog --------------------------------------------------------------------------------


def catalog_problems(catalog: PoCatalog) -> list[Problem]:
    """Return what GNU msgfmt --check would reject in a catalog, in the order of the file."""
    checked = [m for m in catalog if m.id and _translated(m) and not m.fuzzy]
    problems: list[Problem] = []
    header = catalog.header_msgstr
    if not header:
        problems.append(
            Problem(
                None,
                'the catalog has no header entry (msgid "" with a msgstr): GNU msgfmt --check refuses it; '
                "'pressgen update' writes one",
            )
        )
    plurals = _plural_problems(catalog, header or "", [m for m in checked if isinstance(m.id, tuple)])
    problems += plurals.problems
    for message in checked:
        strict = plurals.strict_forms(message)
        # Where the problem is: a flag at the "#," line, the rest in the translation (the msgstr's line).
        lines = {"flags": catalog.flag_line(message) or message.lineno, "msgstr": catalog.string_line(message)}
        problems += [Problem(lines[where], text) for where, text in message_problems(message, strict)]
    return problems


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings and strings[0])


@dataclass
class _Plurals:
    """What the header's plural forms say: the problems, and how often each form is chosen."""

    problems: list[Problem] = field(default_factory=list)
    often: tuple[bool, ...] | None = None  # per form: chosen for many n? None: not known
    expression: PluralExpression | None = None

    def strict_forms(self, message: Message) -> list[bool]:
        """Say, per translation of a message, whether its format is compared strictly (msgfmt's rule).

        A singular message, or a plural one with a single translation, is; otherwise a form is
        when the expression chooses it for many n (not for n = 1 alone: "one file" may leave out
        the number), unless the message's `range:` flag lets the form apply to one n at most.
        """
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not isinstance(message.id, tuple) or len(strings) < 2:
            return [True] * len(strings)
        span = _range(message.flags)
        forms = []
        for index in range(len(strings)):
            strict = self.often is not None and index < len(self.often) and self.often[index]
            if strict and span is not None and self.expression is not None:
                low, high = span[0], min(span[1], span[0] + 1000)
                strict = sum(1 for n in range(low, high + 1) if _safely(self.expression, n) == index) > 1
            forms.append(strict)
        return forms


def _safely(expression: PluralExpression, n: int) -> int | None:
    try:
        return expression(n)
    except ZeroDivisionError:
        return None


def _range(flags: set[str]) -> tuple[int, int] | None:
    """Return the n a `range: a..b` flag allows, or None."""
    for flag in flags:
        found = re.fullmatch(r"range:\s+([0-9]+)\.\.([0-9]+)", flag)
        if found and int(found.group(1)) <= int(found.group(2)):
            return int(found.group(1)), int(found.group(2))
    return None


def _plural_problems(catalog: PoCatalog, header: str, plural_messages: list[Message]) -> _Plurals:
    """Check the header's plural forms against themselves and against the plural messages (check_plural)."""
    result = _Plurals()
    line = catalog.header_lines.get("Plural-Forms") or catalog.header_first or None
    hint = _hint(catalog)
    first = plural_messages[0] if plural_messages else None
    if not header:
        if first is not None:
            result.problems.append(
                Problem(first.lineno, f"a plural message, but no header with Plural-Forms to choose its form{hint}")
            )
        return result
    # Like msgfmt, look for the two anywhere in the header, not only in its Plural-Forms field.
    plural_at, nplurals_at = header.find("plural="), header.find("nplurals=")
    if first is not None and plural_at < 0:
        result.problems.append(Problem(line, f"the header has no plural=EXPRESSION, which plural messages need{hint}"))
    if first is not None and nplurals_at < 0:
        result.problems.append(Problem(line, f"the header has no nplurals=INTEGER, which plural messages need{hint}"))
    if plural_at < 0 or nplurals_at < 0:
        if not result.problems:  # gettext falls back on the Germanic (n != 1)
            result.often, result.expression = (False, True), parse_plural("(n != 1)")
        return result
    digits = re.match(r"[ \t\n\v\f\r]*([0-9]+)", header[nplurals_at + len("nplurals=") :])
    nplurals = min(int(digits.group(1)), ULONG - 1) if digits else 0
    if digits is None:
        result.problems.append(Problem(line, f"the header's nplurals is not a number{hint}"))
    try:
        expression = parse_plural(header[plural_at + len("plural=") :])
    except ValueError as exc:
        result.problems.append(Problem(line, f"the header's plural expression is not valid: {exc}{hint}"))
        return result
    if result.problems:
        return result
    error, often = _evaluate(expression, nplurals)
    if error:
        result.problems.append(Problem(line, error))
        return result
    fewest = min(plural_messages, key=_forms, default=None)
    most = max(plural_messages, key=_forms, default=None)
    if fewest is not None and _forms(fewest) < nplurals:
        result.problems.append(
            Problem(fewest.lineno, f"the header says nplurals={nplurals}, but this message has {_forms(fewest)} forms")
        )
    elif most is not None and _forms(most) > nplurals:
        result.problems.append(
            Problem(most.lineno, f"the header says nplurals={nplurals}, but this message has {_forms(most)} forms")
        )
    else:
        result.often, result.expression = often, expression
    return result


def _forms(message: Message) -> int:
    return len(message.string) if isinstance(message.string, tuple) else 1


def _hint(catalog: PoCatalog) -> str:
    if catalog.locale is None:
        return ""
    return f" (for {catalog.locale.english_name}: Plural-Forms: {get_plural(catalog.locale).plural_forms})"


def _evaluate(expression: PluralExpression, nplurals: int) -> tuple[str | None, tuple[bool, ...] | None]:
    """Run the expression for n = 0 … 1000: return what is wrong, or which forms it chooses often."""
    seen = [0] * nplurals if nplurals <= 100 else None
    for n in PLURAL_SAMPLES:
        try:
            value = expression(n)
        except ZeroDivisionError:
            return "the header's plural expression can divide by zero", None
        if value >= ULONG // 2:
            return "the header's plural expression can give negative values", None
        if value >= nplurals:
            return f"the header says nplurals={nplurals}, but its plural expression gives {value} for n={n}", None
        if seen is not None:
            seen[value] += 1
    return None, tuple(count >= OFTEN for count in seen) if seen is not None else None


# -- one message --------------------------------------------------------------------------------


def message_problems(message: Message, strict: list[bool] | None = None) -> Iterator[tuple[str, str]]:
    """Yield what msgfmt --check rejects in one translated message: line breaks and format strings.

    Each problem comes with where it is: "flags" (a format flag pressgen does not check) or
    "msgstr". `strict` says, per translation, whether its format directives must be exactly the
    source's (see `_Plurals.strict_forms`); by default all are.
    """
    plural = isinstance(message.id, tuple)
    msgid = message.id[0] if isinstance(message.id, tuple) else str(message.id)
    msgid_plural = message.id[1] if isinstance(message.id, tuple) else None
    strings = list(message.string) if isinstance(message.string, tuple) else [str(message.string)]
    names = [f"msgstr[{i}]" for i in range(len(strings))] if plural else ["msgstr"]
    yield from (("msgstr", problem) for problem in _newline_problems(msgid, msgid_plural, strings, names))
    flags = {parsed[0]: parsed[1] for flag in message.flags if (parsed := _format_flag(flag)) is not None}
    for language, value in sorted(flags.items()):
        if value not in ("yes", "possible"):
            continue
        if language not in CHECKED:
            yield (
                "flags",
                f"'{language}-format': pressgen does not check {FORMAT_LANGUAGES[language]} format strings, and no "
                "pressgen text is one; 'pressgen update' removes the flag",
            )
            continue
        source = "msgid_plural" if plural else "msgid"
        forms = list(zip(names, strings, strict or [True] * len(strings), strict=True))
        problems = (
            _format_problems(msgid_plural or msgid, forms, source, _parse_python, _check_python, "Python format string")
            if language == "python"
            else _format_problems(
                msgid_plural or msgid, forms, source, _parse_brace, _check_brace, "Python brace format string"
            )
        )
        yield from (("msgstr", f"{language}-format: {problem}") for problem in problems)


def _newline_problems(msgid: str, msgid_plural: str | None, strings: list[str], names: list[str]) -> Iterator[str]:
    """Yield where the strings of a message do not all begin, or all end, with a line break as the msgid."""
    for where in ("begin", "end"):

        def breaks(text: str, where: str = where) -> bool:
            return text.startswith("\n") if where == "begin" else text.endswith("\n")

        expected = breaks(msgid)
        if msgid_plural is not None and breaks(msgid_plural) != expected:
            yield f"msgid and msgid_plural do not both {where} with a line break (\\n)"
        for name, text in zip(names, strings, strict=True):
            if breaks(text) != expected:
                yield f"msgid and {name} do not both {where} with a line break (\\n)"


def _format_problems(
    source_text: str,
    forms: list[tuple[str, str, bool]],
    source: str,
    parse: Callable[[str], Spec],
    check: Callable[[Spec, Spec, bool, str, str], str | None],
    what: str,
) -> Iterator[str]:
    """Yield how each translated form's directives differ from the source's, as msgfmt judges them."""
    try:
        wanted = parse(source_text)
    except ValueError:
        return  # msgfmt checks translations only against a valid source
    for name, text, strict in forms:
        try:
            found = parse(text)
        except ValueError as exc:
            yield f"{name} is not a valid {what}, unlike {source}: {exc}"
            continue
        problem = check(wanted, found, strict, source, name)
        if problem:
            yield problem


# -- Python %-format strings (format-python.c) -------------------------------------------------

ANY, CHARACTER, STRING, INTEGER, FLOAT, NOTHING = "any", "character", "string", "integer", "float", "nothing"
_CONVERSIONS = {"%": NOTHING, "c": CHARACTER, "s": STRING, "r": STRING}
_CONVERSIONS.update({**dict.fromkeys("iduoxX", INTEGER), **dict.fromkeys("eEfgG", FLOAT)})
_DIGITS = "0123456789"
_MIXED = "it takes arguments both by name and by position"


@dataclass(frozen=True)
class _PythonSpec:
    """The arguments a Python format string takes: by name (with their types) or by position."""

    named: dict[str, str]
    unnamed: tuple[str, ...]


def _star(text: str, at: int, named: dict[str, str], unnamed: list[str]) -> int:
    """Read a `*` (a width or precision taken from the arguments) at `at`; return where reading goes on."""
    if not text.startswith("*", at):
        return at
    if named:
        raise ValueError(_MIXED)
    unnamed.append(INTEGER)
    return at + 1


def _parse_python(text: str) -> _PythonSpec:
    """Read the %-directives of a Python format string; ValueError says why it is not one."""
    named: dict[str, str] = {}
    unnamed: list[str] = []
    at, number = 0, 0
    while (at := text.find("%", at)) >= 0:
        number += 1
        at += 1
        name = None
        if text.startswith("(", at):
            end, depth = at + 1, 0
            while end < len(text) and not (text[end] == ")" and depth == 0):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            if end >= len(text):
                raise ValueError("it ends in the middle of a directive")
            name, at = text[at + 1 : end], end + 1
        while at < len(text) and text[at] in "-+ #0":
            at += 1
        at = _star(text, at, named, unnamed)  # a width given as an argument
        while at < len(text) and text[at] in _DIGITS:
            at += 1
        zero_precision = False
        if text.startswith(".", at):
            at += 1
            if text.startswith("*", at):
                at = _star(text, at, named, unnamed)  # a precision given as an argument
            elif at < len(text) and text[at] in _DIGITS:
                start = at
                while at < len(text) and text[at] in _DIGITS:
                    at += 1
                zero_precision = set(text[start:at]) == {"0"}
        if at < len(text) and text[at] in "hlL":
            at += 1
        if at >= len(text):
            raise ValueError("it ends in the middle of a directive")
        conversion = text[at]
        if conversion not in _CONVERSIONS:
            raise ValueError(f"in directive number {number}, '{conversion}' is not a valid conversion")
        kind = ANY if conversion in "sr" and zero_precision else _CONVERSIONS[conversion]
        if name is not None:
            if unnamed:
                raise ValueError(_MIXED)
            before = named.get(name, kind)
            if ANY not in (before, kind) and before != kind:
                raise ValueError(f"it takes the argument '{name}' as {_article(before)} and as {_article(kind)}")
            named[name] = kind if before == ANY else before
        elif conversion != "%":
            if named:
                raise ValueError(_MIXED)
            unnamed.append(kind)
        at += 1
    return _PythonSpec(named, tuple(unnamed))


def _check_python(wanted: _PythonSpec, found: _PythonSpec, strict: bool, source: str, name: str) -> str | None:
    """Say how a translation's directives fail its source's, as msgfmt's format_check does."""
    if wanted.named and found.unnamed:
        return f"the directives of {source} take arguments by name, those of {name} by position"
    if wanted.unnamed and found.named:
        return f"the directives of {source} take arguments by position, those of {name} by name"
    for argument in sorted(set(wanted.named) | set(found.named)):
        if argument not in wanted.named:
            return f"{name} uses the argument '{argument}', which {source} does not have"
        if argument not in found.named and strict:
            return f"{name} leaves out the argument '{argument}' of {source}"
    for argument in sorted(found.named):
        a, b = wanted.named[argument], found.named[argument]
        if a != b and (strict or ANY not in (a, b)):
            return f"the argument '{argument}' is {_article(a)} in {source} but {_article(b)} in {name}"
    if len(wanted.unnamed) != len(found.unnamed):
        return f"{source} has {len(wanted.unnamed)} directives taking an argument, {name} {len(found.unnamed)}"
    for index, (a, b) in enumerate(zip(wanted.unnamed, found.unnamed, strict=True), start=1):
        if a != b and (strict or ANY not in (a, b)):
            return f"argument {index} is {_article(a)} in {source} but {_article(b)} in {name}"
    return None


def _article(kind: str) -> str:
    return {ANY: "any value", NOTHING: "nothing"}.get(kind, f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}")


# -- Python str.format strings (format-python-brace.c, as in gettext 0.21) ------------------------

_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNTERMINATED = "it ends in the middle of a directive"


@dataclass(frozen=True)
class _BraceSpec:
    """The fields a str.format string has, each named by all it has between its braces."""

    names: frozenset[str]


def _parse_brace(text: str) -> _BraceSpec:
    """Read the fields of a str.format string as gettext 0.21 does; ValueError says why it is not one.

    A field's name is all of it between the braces, format specification included (`a:>10`),
    and a field without a name (`{}`) is no field: gettext 0.21's reading, which later versions
    relax.
    """
    names: set[str] = set()
    at = 0
    while at < len(text):
        if text[at] != "{":
            at += 1
            continue
        at, name = _brace_field(text, at, len(names), outer=True)
        if name is not None:
            names.add(name)
    return _BraceSpec(frozenset(names))


def _brace_field(text: str, start: int, number: int, outer: bool) -> tuple[int, str | None]:
    """Read one field from its `{`: return where it ends and its name (None for `{{` or a nested one)."""
    at = start + 1
    if text.startswith("{", at):
        return at + 1, None
    found = _FIELD.match(text, at)
    if found is None:
        raise ValueError(f"in directive number {number}, '{text[at : at + 1]}' cannot start a field name")
    at = found.end()
    while text.startswith((".", "["), at):
        if text[at] == ".":
            found = _ATTRIBUTE.match(text, at + 1)
            if found is None:
                raise ValueError(f"in directive number {number}, '{text[at + 1 : at + 2]}' cannot start an attribute")
            at = found.end()
        else:
            found = _FIELD.match(text, at + 1)
            if found is None:
                raise ValueError(f"in directive number {number}, '{text[at + 1 : at + 2]}' cannot start an index")
            if not text.startswith("]", found.end()):
                raise ValueError(_UNTERMINATED)
            at = found.end() + 1
    if text.startswith(":", at):
        if not outer:
            raise ValueError(f"in directive number {number}, a format specifier nests too deep")
        at += 1
        if text.startswith("{", at):
            at, _ = _brace_field(text, at, number, outer=False)
        else:
            at = _standard_specifier(text, at)
        if not text.startswith("}", at):
            raise ValueError(_UNTERMINATED)
    if not text.startswith("}", at):
        raise ValueError(f"in directive number {number}, a field is not closed")
    return at + 1, text[start + 1 : at] if outer else None


def _standard_specifier(text: str, at: int) -> int:
    """Skip [[fill]align][sign][#][0][width][.precision][type]; return where it ends."""
    if text[at + 1 : at + 2] in ("<", ">", "=", "^") and text[at + 1 : at + 2]:
        at += 2
    elif text[at : at + 1] in ("<", ">", "=", "^") and text[at : at + 1]:
        at += 1
    for marks in ("+- ", "#", "0"):
        if at < len(text) and text[at] in marks:
            at += 1
    while at < len(text) and text[at] in _DIGITS:
        at += 1
    if text.startswith(".", at):
        at += 1
        while at < len(text) and text[at] in _DIGITS:
            at += 1
    if at < len(text) and text[at] in "bcdoxXneEfFgG%":
        at += 1
    return at


def _check_brace(wanted: _BraceSpec, found: _BraceSpec, strict: bool, source: str, name: str) -> str | None:
    """Say how a translation's fields fail its source's: gettext 0.21 compares them only strictly."""
    if not strict:
        return None
    for field_name in sorted(wanted.names | found.names):
        if field_name not in found.names:
            return f"{name} leaves out the field {{{field_name}}} of {source}"
        if field_name not in wanted.names:
            return f"{name} has the field {{{field_name}}}, which {source} does not have"
    return None
