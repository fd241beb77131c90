"""Errors that pressgen reports to its users, where they happened, and how they are worded."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

# An error stops a build (or keeps a language version out); a warning is for the reader, and
# `--strict` turns it into an error; a note tells what a build did that a reader may want to
# know (a lagging translation, a draft in a preview), labelled by its kind: `lags: …`, `draft: …`.
Severity = Literal["error", "warning", "note"]
# A reviewer accepts the findings of one check on one message with the flag `ignore-<check>` on
# its `#,` line, as Weblate names its check flags (see `checks.accepted_checks`).
IGNORE_FLAG = "ignore-"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in the user's input, with the file and 1-based line it concerns.

    `check` names the translation check that found it (`pressgen check`), if one did;
    `accepted` says that a reviewer accepted it (an `ignore-<check>` flag on the message), so
    that it no longer blocks publishing.
    """

    message: str
    path: Path | str | None = None
    line: int | None = None
    severity: Severity = "error"
    check: str | None = None
    accepted: bool = False

    @property
    def blocking(self) -> bool:
        """Tell whether this keeps a language version unpublished: an error nobody accepted."""
        return self.severity == "error" and not self.accepted

    def format(self, root: Path | None = None) -> str:
        """Return the compiler-style line `path:line: severity: [check: ]message`, paths under `root` relative."""
        where = ""
        if self.path is not None:
            path = Path(self.path)
            if root is not None and path.is_absolute() and path.is_relative_to(root):
                path = path.relative_to(root)
            where = str(path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        if self.severity == "note" and self.check:
            return f"{where}{self.check}: {self.message}"
        check = f"{self.check}: " if self.check else ""
        return f"{where}{self.severity}: {check}{self.message}"

    def as_data(self) -> dict[str, Any]:
        """Return the diagnostic as JSON-ready data (for the build manifest)."""
        return {
            "message": self.message,
            "path": None if self.path is None else str(self.path),
            "line": self.line,
            "severity": self.severity,
            "check": self.check,
            "accepted": self.accepted,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Diagnostic:
        """Return the diagnostic that `as_data` gave `data` for."""
        found = data.get("severity")
        severity: Severity = "warning" if found == "warning" else "note" if found == "note" else "error"
        accepted = bool(data.get("accepted"))
        return cls(str(data["message"]), data.get("path"), data.get("line"), severity, data.get("check"), accepted)


def note(kind: str, message: str) -> Diagnostic:
    """Return a note of a kind ("lags", "draft"): printed as `kind: message`."""
    return Diagnostic(message, severity="note", check=kind)


class PressgenError(Exception):
    """An error in the user's input or environment; the CLI prints it and exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.diagnostics: list[Diagnostic] = [Diagnostic(message, path, line)]

    @classmethod
    def collect(cls, diagnostics: Iterable[Diagnostic]) -> PressgenError:
        """Return one error that carries several diagnostics, reported together."""
        found = list(diagnostics)
        error = cls(found[0].message, found[0].path, found[0].line)
        error.diagnostics = found
        return error

    def __str__(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickle with every diagnostic, so that an error raised in a worker process arrives whole."""
        return (_rebuild, (type(self), self.diagnostics))


class UsageError(PressgenError):
    """The command was called the wrong way."""

    exit_code = 2


class Interrupted(BaseException):
    """The user pressed Ctrl+C (or the process got SIGINT): stop, clean up, say so in one line."""


class Problems:
    """Collect diagnostics from a stage, so that all of them are reported, not only the first."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        self.items.append(Diagnostic(message, path, line))

    def extend(self, error: PressgenError) -> None:
        self.items.extend(error.diagnostics)

    def raise_if_any(self) -> None:
        if self.items:
            raise PressgenError.collect(self.items)


def _rebuild(cls: type[PressgenError], diagnostics: list[Diagnostic]) -> PressgenError:
    return cls.collect(diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" for the choice closest to a misspelt `word`, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def plural(count: int, noun: str) -> str:
    """Return "1 message", "2 messages": a count with its noun (English, regular plurals)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
