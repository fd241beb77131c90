"""GNU msgfmt --check's rules inside pressgen check: generated catalogs, judged by both.

Each variant is the bundled Dutch interface catalog with one to three random changes of the
kinds that msgfmt judges: Python %-directives renamed, dropped, repeated, retyped, widened or
mixed with stray percent signs; str.format fields; plural messages with too few or too many
forms, or a form without its number; header entries missing, empty or fuzzy; Plural-Forms
without nplurals or plural, with a plural expression that is invalid, divides by zero or goes
out of range; line breaks at one end of a msgstr only; messages made fuzzy, untranslated,
obsolete or unflagged, which msgfmt does not check. GNU msgfmt --check runs on each, and:

- whenever msgfmt rejects a catalog, `pressgen check` fails on it (it includes everything
  msgfmt would reject);
- pressgen's own verdict on what msgfmt judges (reading the catalog, and the `msgfmt` findings)
  is msgfmt's, except where pressgen is stricter on purpose, for a reason of its own: a catalog
  whose plural forms are not its language's (nplurals=3 for Dutch), or a format flag of a
  language no pressgen text is written in (`c-format`), which `pressgen update` removes.
"""

from __future__ import annotations

import random
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polib
import pytest
from babel import Locale

from conftest import REPO, Cli
from pressgen.catalogs import read_catalog
from pressgen.checks import check_catalog
from pressgen.config import Language
from pressgen.errors import Diagnostic, PressgenError
from pressgen.langchecks import load_context
from pressgen.msgfmt import catalog_problems
from pressgen.po import read_po_file

EN = Language("en", Locale.parse("en_GB"), "English")
NL = Language("nl", Locale.parse("nl_NL"), "Nederlands")
BASE = REPO / "locales" / "nl" / "LC_MESSAGES" / "messages.po"
VARIANTS = 300  # random ones, after the systematic ones
# Why pressgen may refuse a catalog that msgfmt accepts (see the module docstring).
STRICTER = (
    re.compile(r"Plural-Forms has nplurals=\d+, but Nederlands has 2 plural forms"),
    re.compile(r"\d+ plural translations, but Nederlands has 2 plural forms"),
    re.compile(r"'(?!python)[\w-]+-format': pressgen does not check"),
)


@dataclass
class Entry:
    msgid: str
    msgstr: list[str]
    msgid_plural: str | None = None
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr and self.msgstr[0])


@dataclass
class Po:
    header: list[tuple[str, str]] | None
    entries: list[Entry]
    header_flags: list[str] = field(default_factory=list)
    header_text: str | None = None  # written instead of the fields when set
    touched: list[Entry] = field(default_factory=list)  # the entries changes made or changed

    def text(self) -> str:
        parts = []
        if self.header is not None or self.header_text is not None:
            value = self.header_text if self.header_text is not None else "".join(f"{k}: {v}\n" for k, v in self.header)  # type: ignore[union-attr]
            flags = f"#, {', '.join(self.header_flags)}\n" if self.header_flags else ""
            parts.append(f'{flags}msgid ""\nmsgstr {quote(value)}\n')
        for entry in self.entries:
            mark = "#~ " if entry.obsolete else ""
            lines = [f"#, {', '.join(entry.flags)}"] if entry.flags else []
            lines.append(f"{mark}msgid {quote(entry.msgid)}")
            if entry.msgid_plural is None:
                lines.append(f"{mark}msgstr {quote(entry.msgstr[0])}")
            else:
                lines.append(f"{mark}msgid_plural {quote(entry.msgid_plural)}")
                lines += [f"{mark}msgstr[{i}] {quote(s)}" for i, s in enumerate(entry.msgstr)]
            parts.append("\n".join(lines) + "\n")
        return "\n".join(parts)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def base() -> Po:
    catalog = polib.pofile(str(BASE))
    entries = [Entry(e.msgid, [e.msgstr], flags=list(e.flags)) for e in catalog if e.msgid]
    return Po(list(catalog.metadata.items()), entries)


# -- the changes ---------------------------------------------------------------------------------

DIRECTIVE = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d*)?[hlL]?[a-zA-Z%]")
Change = Callable[[random.Random, Po], str]


def python_entry(rng: random.Random, po: Po) -> Entry:
    return rng.choice(
        [
            e
            for e in po.entries
            if "python-format" in e.flags and e.msgid_plural is None and DIRECTIVE.search(e.msgstr[0])
        ]
    )


def directive_change(rng: random.Random, po: Po) -> str:
    entry = python_entry(rng, po)
    po.touched.append(entry)
    text = entry.msgstr[0]
    found = list(DIRECTIVE.finditer(text))
    one = rng.choice(found)
    name = re.match(r"%\((\w+)\)", one.group(0)).group(1)  # type: ignore[union-attr]
    kind = rng.choice(["rename", "drop", "repeat", "swap", "retype", "widen", "stray", "unnamed", "literal"])
    if kind == "rename":
        new = one.group(0).replace(f"({name})", f"({name}x)")
    elif kind == "drop":
        new = ""
    elif kind == "repeat":
        new = one.group(0) + " " + one.group(0)
    elif kind == "swap" and len(found) > 1:
        other = rng.choice([f for f in found if f is not one])
        text = text.replace(other.group(0), "\0").replace(one.group(0), other.group(0)).replace("\0", one.group(0))
        entry.msgstr[0] = text
        return f"python: swap {one.group(0)} and {other.group(0)}"
    elif kind == "retype":
        new = one.group(0)[:-1] + rng.choice("sdrifcxegGaF%")
    elif kind == "widen":
        new = f"%({name}){rng.choice(['10', '-5', '.2', '.0', '05', ' ', '+', 'l', 'h', '*', '.*', '#'])}s"
    elif kind == "stray":
        at = rng.choice([m.start() for m in re.finditer(r" |$", text)])
        stray = "%" + rng.choice([" ", "d", ".", "%", "z", "(", "", "s", "(x", "5", " i", "(y)s"])
        entry.msgstr[0] = text[:at] + " " + stray + text[at:]
        return f"python: stray {stray!r}"
    elif kind == "unnamed":
        new = one.group(0) + rng.choice([" %s", " %d", " %%"])
    else:
        new = one.group(0) + " 50%%"
    entry.msgstr[0] = text.replace(one.group(0), new, 1)
    return f"python: {kind} {one.group(0)} -> {new!r}"


BRACE_SOURCES = [
    "{name} has {count} files",
    "Page {page}",
    "{0} of {1}",
    "{user.name} wrote",
    "{size:>8} bytes",
    "{items[0]} first",
    "{value:{width}} wide",
]


def brace_message(rng: random.Random, po: Po) -> str:
    msgid = rng.choice(BRACE_SOURCES)
    fields = re.findall(r"\{[^{}]*\}", msgid)
    one = rng.choice(fields)
    change = rng.choice(
        [
            "same",
            "repeat",
            "swap",
            "rename",
            "drop",
            "add",
            "spec",
            "empty",
            "escape",
            "open",
            "space",
            "conversion",
            "nest",
        ]
    )
    target = {
        "same": msgid + " (nl)",
        "repeat": f"{msgid} {one}",
        "swap": f"{msgid.replace(one, '')} {one}",
        "rename": msgid.replace(one, one[:-1] + "x}"),
        "drop": msgid.replace(one, ""),
        "add": msgid + " {other}",
        "spec": msgid.replace(one, one[:-1] + ":>5}") if ":" not in one else msgid,
        "empty": msgid.replace(one, "{}"),
        "escape": msgid.replace(one, "{" + one + "}"),
        "open": msgid.replace(one, one[:-1]),
        "space": msgid.replace(one, "{ " + one[1:]),
        "conversion": msgid.replace(one, one[:-1] + "!r}"),
        "nest": msgid.replace(one, one[:-1] + ":{w:{x}}}" if ":" not in one else one[:-2] + ":3}}"),
    }[change]
    po.entries.append(Entry(msgid, [target], flags=["python-brace-format"]))
    po.touched.append(po.entries[-1])
    return f"brace: {msgid!r} -> {target!r}"


PLURAL_SOURCES = {
    "named": ("%(n)s file", "%(n)s files"),
    "integer": ("%(n)d file", "%(n)d files"),
    "unnamed": ("%d file", "%d files"),
    "brace": ("{n} file", "{n} files"),
}


def plural_message(rng: random.Random, po: Po) -> str:
    style = rng.choice(sorted(PLURAL_SOURCES))
    one, many = PLURAL_SOURCES[style]
    forms = [one.replace("file", "bestand"), many.replace("files", "bestanden")]
    change = rng.choice(
        ["right", "fewer", "more", "first without number", "second without number", "renamed", "hidden number"]
    )
    if change == "fewer":
        forms = forms[:1]
    elif change == "more":
        forms.append(forms[1])
    elif change == "first without number":
        forms[0] = "één bestand"
    elif change == "second without number":
        forms[1] = "bestanden"
    elif change == "renamed":
        forms[1] = forms[1].replace("n", "m", 1) if style != "unnamed" else forms[1].replace("%d", "%s")
    elif change == "hidden number":
        # The idiom for a singular without its number: a directive that prints nothing.
        forms[0] = {"named": "%(n).0séén bestand", "integer": "%(n).0séén bestand", "unnamed": "%.0séén bestand"}.get(
            style, "{n:.0}één bestand"
        )
    flag = "python-brace-format" if style == "brace" else "python-format"
    flags = [flag] if rng.random() < 0.85 else []
    po.entries.append(Entry(one, forms, many, flags))
    po.touched.append(po.entries[-1])
    return f"plural: {change} {forms!r} {flags}"


PERCENT_SOURCES = {
    # A false python-format on a text with a percent sign, as older tools wrote it.
    "An increase of 3.5 % in %(year)s": ["Een stijging van 3,5% in %(year)s", "Een stijging van 3,5% in %(jaar)s"],
    "Up 3.5 % in spending": ["Plus 3,5% in uitgaven", "Plus 3,5 % in uitgaven", "Plus 3,5%"],
    "100% of %(count)s": ["100% van %(count)s", "100%% van %(count)s", "honderd procent van %(count)s"],
    "%(done)s of %(total)s done (%(share)d%%)": [
        "%(done)s van %(total)s klaar (%(share)d%%)",
        "%(done)s klaar (%(share)s%%)",
    ],
}


def percent_message(rng: random.Random, po: Po) -> str:
    msgid = rng.choice(sorted(PERCENT_SOURCES))
    msgstr = rng.choice(PERCENT_SOURCES[msgid])
    po.entries.append(Entry(msgid, [msgstr], flags=["python-format"]))
    po.touched.append(po.entries[-1])
    return f"percent: {msgid!r} -> {msgstr!r}"


PLURAL_FORMS = [
    "nplurals=2; plural=(n != 1);",
    "nplurals=2; plural=n != 1;",
    "nplurals=2; plural=(n==1 ? 0 : 1);",
    "nplurals=2; plural=(n == 1) ? 0 : 1",
    "nplurals=2; plural=n;",
    "nplurals=2; plural=(n % 0);",
    "nplurals=2; plural=n/(n-1) > 0;",
    "nplurals=2; plural=(n != ;",
    "nplurals=x; plural=(n != 1);",
    "nplurals=2;",
    "plural=(n != 1);",
    "nplurals=2; plural=n-n-1 > 0;",
    "nplurals=2; plural=n-2;",
    "nplurals=2; plural=!n;",
    "nplurals=2; plural=(n&1);",
    "nplurals=2; plural=n%10==1 && n%100!=11 ? 0 : 1;",
    "nplurals=2; plural=n>1 ? n>2 ? 1 : 0 : 1;",
    "nplurals=02; plural=(n!=1);",
    "nplurals=2; plural=(n>1)+(n>5);",
    "nplurals=2; plural=(n != 1) x;",
    "nplurals=2; plural=((n != 1);",
    "nplurals=2; plural=n ? 1 : 0;",
    "nplurals=2; plural=(n==0 || n>1);",
    "nplurals=2; plural=n>5 && n<3;",
    "nplurals=2; plural=n>=1 && n<=4 ? 0 : 1;",
    "nplurals=2; plural=n>500 ? 2 : n!=1;",
    "nplurals=2; plural=n>1000 ? 2 : n!=1;",
    "nplurals=2; plural=(n/(n-700)) > 5;",
]
# Plural messages each Plural-Forms above is tried with: right, and with a form without its number.
PLURALS = [
    Entry("%(n)s file", ["%(n)s bestand", "%(n)s bestanden"], "%(n)s files", ["python-format"]),
    Entry("%(n)s file", ["één bestand", "%(n)s bestanden"], "%(n)s files", ["python-format"]),
    Entry("%(n)s file", ["%(n)s bestand", "bestanden"], "%(n)s files", ["python-format"]),
]


def header_change(rng: random.Random, po: Po) -> str:
    kind = rng.choice(
        ["plural-forms", "plural-forms", "plural-forms", "none", "empty", "fuzzy", "drop field", "default"]
    )
    if kind == "none":
        po.header = None
    elif kind == "empty":
        po.header_text = ""
    elif kind == "fuzzy":
        po.header_flags = ["fuzzy"]
    elif kind == "plural-forms" and po.header is not None:
        value = rng.choice(PLURAL_FORMS)
        po.header = [(k, value if k == "Plural-Forms" else v) for k, v in po.header]
        # Most of what msgfmt says of Plural-Forms it says only when there is a plural message.
        return f"header: Plural-Forms: {value}" + (f"; {plural_message(rng, po)}" if rng.random() < 0.5 else "")
    elif kind == "drop field" and po.header is not None:
        name = rng.choice([k for k, _ in po.header])
        po.header = [(k, v) for k, v in po.header if k != name]
        return f"header: without {name}"
    elif kind == "default" and po.header is not None:
        defaults = {"Project-Id-Version": "PACKAGE VERSION", "Last-Translator": "FULL NAME <EMAIL@ADDRESS>"}
        defaults |= {"Language-Team": "LANGUAGE <LL@li.org>", "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE"}
        po.header = [(k, defaults.get(k, v)) for k, v in po.header]
    return f"header: {kind}"


def state_change(rng: random.Random, po: Po) -> str:
    entry = rng.choice(po.touched if po.touched and rng.random() < 0.7 else po.entries)
    kind = rng.choice(
        ["fuzzy", "untranslated", "obsolete", "unflagged", "possible", "no-format", "c-format", "newline"]
    )
    if kind == "fuzzy":
        entry.flags.append("fuzzy")
    elif kind == "untranslated":
        entry.msgstr = [""] * len(entry.msgstr)
    elif kind == "obsolete":
        entry.obsolete = True
    elif kind == "unflagged":
        entry.flags = [f for f in entry.flags if not f.endswith("-format")]
    elif kind == "possible":
        entry.flags = ["possible-python-format" if f == "python-format" else f for f in entry.flags]
    elif kind == "no-format":
        entry.flags = ["no-python-format" if f == "python-format" else f for f in entry.flags]
    elif kind == "c-format":
        entry.flags.append("c-format")
    else:
        index = rng.randrange(len(entry.msgstr))
        entry.msgstr[index] = "\n" + entry.msgstr[index] if rng.random() < 0.5 else entry.msgstr[index] + "\n"
    return f"state: {kind} {entry.msgid[:30]!r}"


CHANGES: list[Change] = [
    directive_change,
    directive_change,
    brace_message,
    plural_message,
    percent_message,
    header_change,
    state_change,
    state_change,
]


def variants() -> list[tuple[str, str]]:
    """Every Plural-Forms with and without plural messages, then random combinations of changes."""
    found = []
    for value in PLURAL_FORMS:
        for plural in (None, *PLURALS):
            po = base()
            po.header = [(k, value if k == "Plural-Forms" else v) for k, v in po.header or []]
            if plural is not None:
                po.entries.append(Entry(plural.msgid, list(plural.msgstr), plural.msgid_plural, list(plural.flags)))
            found.append((f"header: Plural-Forms: {value}; plural: {plural}", po.text()))
    rng = random.Random(14)
    for _ in range(VARIANTS):
        po = base()
        done = [rng.choice(CHANGES)(rng, po) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        found.append(("; ".join(done), po.text()))
    return found


# -- the two judges ------------------------------------------------------------------------------


def msgfmt_rejects(path: Path) -> bool:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert "msgfmt: error while opening" not in result.stderr
    return result.returncode != 0


def pressgen_findings(path: Path) -> list[tuple[str, str]]:
    """Return why `pressgen check` fails on a catalog: (what, why) for each refusal and error."""
    try:
        catalog = read_catalog(path, NL)
    except PressgenError as exc:
        return [("read", d.message) for d in exc.diagnostics]
    pairs = [(m.id, m.string) for m in catalog if isinstance(m.id, str) and isinstance(m.string, str) and m.id]
    context = load_context(REPO / "locales", EN, NL, (EN, NL), pairs)
    findings: list[Diagnostic] = check_catalog(catalog, path, EN, NL, context)
    return [(f.check or "", f.message) for f in findings if f.severity == "error"]


def test_pressgen_check_rejects_what_msgfmt_rejects(tmp_path: Path) -> None:
    path = tmp_path / "messages.po"
    disagreements, rejected, tried = [], 0, variants()
    for described, text in tried:
        path.write_text(text, encoding="utf-8")
        gnu = msgfmt_rejects(path)
        findings = pressgen_findings(path)
        # What pressgen judges of msgfmt's rules: reading the catalog, and the msgfmt findings.
        ours = [why for what, why in findings if what in ("read", "msgfmt")]
        rejected += gnu
        if gnu and not ours:
            disagreements.append(f"msgfmt rejects, pressgen does not: {described}: {findings}")
        elif not gnu and not all(any(r.search(why) for r in STRICTER) for why in ours):
            disagreements.append(f"msgfmt accepts, pressgen's msgfmt rules reject: {described}: {ours}")
    assert disagreements == []
    # The variants are no one-sided sample: msgfmt rejects many and accepts many.
    assert 0.3 < rejected / len(tried) < 0.8


def test_a_msgfmt_error_in_check_has_its_line_and_blocks_the_language(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    path = project / "locales" / "nl" / "LC_MESSAGES" / "messages.po"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgstr "Door %(author)s"', 'msgstr "Door %(auteur)s"'), encoding="utf-8")
    line = text.split("\n").index('msgstr "Door %(author)s"') + 1  # the translation's line
    result = cli(project, "check")
    assert result.code == 1
    assert (
        f"locales/nl/LC_MESSAGES/messages.po:{line}: error: msgfmt: python-format: msgstr uses the argument "
        "'auteur', which msgid does not have"
    ) in result.out.splitlines()
    status = cli(project, "status")
    assert "interface: 3 check errors (run 'pressgen check')" in status.out


def test_bundled_catalogs_break_no_msgfmt_rule() -> None:
    for path in sorted((REPO / "locales").rglob("*.po")):
        assert catalog_problems(read_po_file(path, Locale.parse(path.relative_to(REPO / "locales").parts[0]))) == []
