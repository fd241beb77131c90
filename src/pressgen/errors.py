"""Errors that pressgen reports to its users, and where they happened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    """One problem in the user's input, with the file and 1-based line it concerns."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    severity: str = "error"

    def format(self, root: Path | None = None) -> str:
        """Return the compiler-style line `path:line: severity: message`."""
        where = ""
        if self.path is not None:
            path = Path(self.path)
            if root is not None and path.is_absolute() and path.is_relative_to(root):
                path = path.relative_to(root)
            where = str(path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return f"{where}{self.severity}: {self.message}"


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
