"""Shared fixtures: a copy of the bundled project, built once, and a way to run the CLI."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from pressgen.cli import run

# In CI the property tests replay the same examples every run (a submission must not fail on a
# case found by chance); on a developer's machine they explore new ones each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SLUG = "2024-05-17-nato-cyber-defence-pledge-conference"
# A release with a table, a list, quotes, a link, long compound words and a 4000×1000 picture in
# its body, translated into Dutch and Romanian: what journalists quote, print and download.
JOURNALIST = DATA / "journalist-release"
JOURNALIST_SLUG = "2024-05-16-shared-incident-register"
PROJECT_PARTS = ("pressgen.toml", "releases", "locales", "templates", "published")


@dataclass
class Result:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str


class Cli:
    """Run `pressgen` in-process in a project folder, as a user would from a shell."""

    def __init__(self, capsys: pytest.CaptureFixture[str]):
        self.capsys = capsys

    def __call__(self, project: Path, *args: str) -> Result:
        return self.bare("-C", str(project), *args)

    def bare(self, *args: str) -> Result:
        """Run `pressgen ARGS…` exactly as given (no `-C` added)."""
        self.capsys.readouterr()
        code = run(list(args))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


def publish_all(cli: Cli, project: Path, now: str = "2024-06-30T12:00:00+00:00") -> Result:
    """Record every approved version of every release (`pressgen publish` names each one), as a
    press office does before it builds; at a fixed moment, so that outputs are reproducible."""
    slugs = sorted(p.name for p in (project / "releases").iterdir() if p.is_dir())
    result = cli(project, "publish", *slugs, "--now", now)
    assert result.code == 0, result.err
    return result


def copy_project(dest: Path) -> Path:
    """Copy the bundled project (config, releases, catalogs, templates) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            shutil.copy2(source, dest / part)
    return dest


def add_journalist_release(project: Path) -> Path:
    """Add the journalist fixture release and its catalogs to `project`, with its large picture."""
    from PIL import Image

    shutil.copytree(JOURNALIST, project, dirs_exist_ok=True)
    picture = Image.radial_gradient("L").resize((4000, 1000)).convert("RGB")
    picture.save(project / "releases" / JOURNALIST_SLUG / "stage.png")
    return project


def tree_digest(folder: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under `folder`, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the bundled project, for tests that change it."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled project, built once for all tests that only read its output."""
    folder = copy_project(tmp_path_factory.mktemp("built") / "project")
    assert run(["-C", str(folder), "build", "--strict"]) == 0  # a missing glyph fails every test
    yield folder / "public"


@pytest.fixture(scope="session")
def journalist_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled project with the journalist fixture release, built once."""
    folder = add_journalist_release(copy_project(tmp_path_factory.mktemp("journalist") / "project"))
    publish = ["-C", str(folder), "publish", JOURNALIST_SLUG, "--now", "2024-05-16T12:00:00+00:00"]
    assert run(publish) == 0
    assert run(["-C", str(folder), "build", "--strict"]) == 0
    yield folder / "public"
