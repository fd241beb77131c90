"""Property: after any sequence of edits, an incremental build writes what a clean build writes, byte for byte.

Each example copies the bundled project, builds it, then applies a random sequence of edits (the
release text, release and interface catalogs, templates, configuration, the publication record,
embargoes, releases added and deleted, pictures, the logo, glossaries, word lists, fonts), one at
a time. After each edit the project is built
incrementally, keeping its `.pressgen-cache/` and its output, and a copy of it without the cache
and the outputs is built from scratch; the two output folders must hold the same files with the
same bytes, and the builds must print the same warnings and notes.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import PROJECT_PARTS, SLUG, Cli, Result, copy_project, tree_digest
from helpers import set_translation

pytestmark = pytest.mark.slow  # many builds of generated edits

LANGS = ("en", "nl", "ro")
TRANSLATIONS = ("nl", "ro")
WORDS = ("vital", "Pivotal", "ändert", "crucial")  # "crucial" is already in the seed release
# Builds happen before or after the embargo that edits put on releases, so that a sequence of
# builds crosses it (both ways: a build may be told an earlier `--now` than the one before).
EMBARGO = "2024-07-05T09:00+02:00"
PAST_EMBARGO = "2024-06-20T09:00+02:00"
BUILD_TIMES = ("2024-07-02T00:00:00+00:00", "2024-07-10T00:00:00+00:00")


def moment(step: int) -> str:
    """Return when edit number `step` is recorded (publish, withdraw): in order, before every build."""
    return f"2024-07-01T{step:02d}:00:00+00:00"


def releases(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "releases").iterdir() if p.is_dir())


def pick(project: Path, target: int) -> str | None:
    """Return the release at position `target` (modulo their number) among those in releases/."""
    slugs = releases(project)
    return slugs[target % len(slugs)] if slugs else None


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_ok(cli: Cli, project: Path, *args: str) -> Result:
    """Run a command that a press office may see refused (publishing nothing new), but never crash."""
    result = cli(project, *args)
    assert "internal error" not in result.err and "Traceback" not in result.err, result.err
    return result


# --- the edits: each takes the project, the edit's target, a word and its moment ----------------


def edit_release_text(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Add a word to the last paragraph of a release's text (its translations then lag behind)."""
    slug = pick(project, target)
    if slug is not None:
        path = project / "releases" / slug / "release.md"
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f" {word}.\n", encoding="utf-8")


def edit_front_matter(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Change a release's title in its front matter."""
    slug = pick(project, target)
    if slug is not None:
        path = project / "releases" / slug / "release.md"
        path.write_text(re.sub(r"(?m)^title: (.*)$", rf"title: \1 {word}", path.read_text("utf-8"), count=1), "utf-8")


def set_embargo(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Put an embargo in a release's front matter (one between the builds' times, one before both), or take it out."""
    slug = pick(project, target)
    if slug is not None:
        path = project / "releases" / slug / "release.md"
        text = re.sub(r"(?m)^embargo: .*\n", "", path.read_text(encoding="utf-8"))
        choice = {"vital": EMBARGO, "Pivotal": PAST_EMBARGO, "ändert": EMBARGO}.get(word)
        if choice is not None:
            text = text.replace("\ndate:", f"\nembargo: {choice}\ndate:", 1)
        path.write_text(text, encoding="utf-8")


def publish(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Record a release's approved versions: with a change note, as a minor correction, or a first time."""
    slug = pick(project, target)
    if slug is not None:
        how = {"vital": ["--minor"], "Pivotal": ["--lang", "en", "--note", f"{word} change."]}
        run_ok(cli, project, "publish", slug, *how.get(word, ["--note", f"{word} change."]), "--now", at)


def withdraw(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    slug = pick(project, target)
    if slug is not None:
        run_ok(cli, project, "withdraw", slug, "--reason", f"{word} mistake.", "--now", at)


def edit_release_catalog(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Change the translation of the seed release's title in one language, then publish that language."""
    lang = TRANSLATIONS[target % 2]
    path = project / "locales" / lang / "releases" / f"{SLUG}.po"
    if path.exists():
        set_translation(path, "Continuing NATO Cooperation", f"NAVO {word}")
        if word != "crucial":  # and sometimes leave it unpublished: only the preview shows it
            run_ok(cli, project, "publish", SLUG, "--lang", lang, "--minor", "--now", at)


def edit_interface_catalog(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Change an interface message of one language: on newsroom pages, feeds, the language choice."""
    lang = TRANSLATIONS[target % 2]
    set_translation(project / "locales" / lang / "LC_MESSAGES" / "messages.po", "Press releases", f"{word} pers")


TEMPLATE_EDITS: dict[str, tuple[str, str]] = {
    # file → (text in it, what to put before that text)
    "release.html": ("{% block title %}", "{% block title %}{word} · "),
    "newsroom.html": ("{% block title %}", "{% block title %}{word} · "),
    "base.html": ("</head>", "<!-- {word} -->\n</head>"),
    "pdf.html": ("</head>", "<!-- {word} -->\n</head>"),
    "_feed_content.html": ('{% include "_body.html" %}', '<p>{word}</p>\n{% include "_body.html" %}'),
    "_article.html": ("{% if release.image %}", "<!-- {word} -->\n{% if release.image %}"),
    "static/style.css": ("", ".x-{word} { color: #123456; }\n"),
    "pdf.css": ("", "h1 { letter-spacing: 0.01em; } /* {word} */\n"),
}


def edit_template(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    name = sorted(TEMPLATE_EDITS)[target % len(TEMPLATE_EDITS)]
    old, new = TEMPLATE_EDITS[name]
    path = project / "templates" / name
    if old:
        replace_in(path, old, new.replace("{word}", word))
    else:
        path.write_text(path.read_text(encoding="utf-8") + new.replace("{word}", word), encoding="utf-8")


def edit_configuration(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Change the organisation's name in one language, its tagline, or the site's address."""
    path = project / "pressgen.toml"
    kind = target % 3
    if kind == 0:
        replace_in(path, 'name.en = "', f'name.en = "{word} ')
    elif kind == 1:
        replace_in(path, 'tagline.nl = "', f'tagline.nl = "{word} ')
    else:
        host = word.encode("ascii", "ignore").decode().lower()
        text = re.sub(r'(?m)^base_url = ".*"$', f'base_url = "https://{host}.example.org/news/"', path.read_text())
        path.write_text(text, encoding="utf-8")


def add_release(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Add a small English release (perhaps under embargo), and publish it or leave it unpublished."""
    number = 1 + sum(1 for slug in releases(project) if "-extra-" in slug)
    slug = f"2024-06-{10 + number}-extra-{number}"  # a deleted one's slug comes back
    folder = project / "releases" / slug
    folder.mkdir()
    embargo = [f"embargo: {EMBARGO}\n", f"embargo: {PAST_EMBARGO}\n", "", ""][target % 4]
    (folder / "release.md").write_text(
        f"---\ntitle: Extra {number} {word}\ndate: {slug[:10]}\n{embargo}summary: About {word}.\n---\n\n"
        f"Body of extra {number}, {word}.\n",
        encoding="utf-8",
    )
    if target % 3 != 2:
        run_ok(cli, project, "publish", slug, "--now", at)


def delete_release(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Delete a release whole, as a press office would: its sources, its catalogs and its record."""
    slug = pick(project, target)
    if slug is not None:
        shutil.rmtree(project / "releases" / slug)
        shutil.rmtree(project / "published" / slug, ignore_errors=True)
        for lang in TRANSLATIONS:
            (project / "locales" / lang / "releases" / f"{slug}.po").unlink(missing_ok=True)


COLOURS = {"vital": (0, 58, 112), "Pivotal": (138, 0, 22), "ändert": (255, 255, 255), "crucial": (0, 0, 0)}
# Fonts of the system (fonts-dejavu-core, which the tests need): another font under the PDF's font's name.
FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
)


def edit_picture(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Give a release a picture, or paint it another colour under the same name (then publish it, or not)."""
    from PIL import Image

    slug = pick(project, target)
    if slug is None:
        return
    folder = project / "releases" / slug
    Image.new("RGB", (64 + target, 40), COLOURS[word]).save(folder / "photo.png")
    path = folder / "release.md"
    text = path.read_text(encoding="utf-8")
    if "\nimage:" not in text:
        path.write_text(text.replace("\ndate:", "\nimage:\n  src: photo.png\n  alt: A photo\ndate:", 1), "utf-8")
    if target % 2:
        run_ok(cli, project, "publish", slug, "--note", f"{word} photo.", "--now", at)


def edit_logo(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Give the organisation a logo, or paint it another colour (pages, PDFs and feeds show it)."""
    from PIL import Image

    Image.new("RGB", (120, 60), COLOURS[word]).save(project / "templates" / "logo.png")
    path = project / "pressgen.toml"
    text = path.read_text(encoding="utf-8")
    if "\nlogo = " not in text:
        path.write_text(text.replace("[organisation]\n", '[organisation]\nlogo = "logo.png"\n', 1), "utf-8")


def edit_glossary(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Change a glossary's required translation of NATO: the checks, and so the preview's drafts, follow."""
    lang = TRANSLATIONS[target % 2]
    path = project / "locales" / lang / "glossary.tbx"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"<term>(NAVO|NATO)[^<]*</term>", f"<term>NAVO {word}</term>", text, count=1), "utf-8")


def edit_word_list(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Add a word to a language's word list, or empty the list (the spelling check follows)."""
    lang = LANGS[target % 3]
    path = project / "locales" / lang / "words.txt"
    path.parent.mkdir(exist_ok=True)  # English has no folder of its own in locales/ until it needs one
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text("" if word == "crucial" else f"{before}{word}\n", encoding="utf-8")


def edit_font(cli: Cli, project: Path, target: int, word: str, at: str) -> None:
    """Replace one of the PDF's fonts with another font file under the same name."""
    name = ("NotoSerif-Regular.ttf", "NotoSans-Bold.ttf")[target % 2]
    shutil.copyfile(FONTS[WORDS.index(word) % len(FONTS)], project / "templates" / "fonts" / name)


EDITS: dict[str, Callable[[Cli, Path, int, str, str], None]] = {
    "picture": edit_picture,
    "logo": edit_logo,
    "glossary": edit_glossary,
    "word list": edit_word_list,
    "font": edit_font,
    "release text": edit_release_text,
    "front matter": edit_front_matter,
    "embargo": set_embargo,
    "publish": publish,
    "withdraw": withdraw,
    "release catalog": edit_release_catalog,
    "interface catalog": edit_interface_catalog,
    "template": edit_template,
    "configuration": edit_configuration,
    "add release": add_release,
    "delete release": delete_release,
}


@dataclass(frozen=True)
class Step:
    """One edit, then one build at one moment: of the public site, the preview or the embargoed pack."""

    edit: str
    target: int
    word: str
    mode: str
    now: str


STEPS = st.builds(
    Step,
    edit=st.sampled_from(sorted(EDITS)),
    target=st.integers(0, 11),
    word=st.sampled_from(WORDS),
    mode=st.sampled_from(["public", "public", "preview", "pack"]),
    now=st.sampled_from(BUILD_TIMES),
)


# --- the comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a build left: its exit code, its messages (the project's path taken out) and its output."""

    code: int
    err: str
    files: dict[str, str]


# The options of each kind of build, and the folder it writes.
MODES = {
    "public": ([], "public"),
    "preview": (["--drafts"], "preview"),
    "pack": (["--embargoed", "--out", "pack"], "pack"),
}


def build(cli: Cli, project: Path, mode: str, now: str) -> Outcome:
    options, folder = MODES[mode]
    options = [str(project / option) if option == folder else option for option in options]  # --out
    args = ["build", "--now", now, "--jobs", "1", *options]
    result = run_ok(cli, project, *args)
    out = project / folder
    files = tree_digest(out) if result.code == 0 else {}
    return Outcome(result.code, result.err.replace(str(project), "<project>"), files)


def inputs_digest(project: Path) -> str:
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        path = project / part
        files = tree_digest(path) if path.is_dir() else {"": hashlib.sha256(path.read_bytes()).hexdigest()}
        for name, value in files.items():
            digest.update(f"{part}/{name}\0{value}\n".encode())
    return digest.hexdigest()


# Clean builds by (inputs, preview, now): examples share their first states, and shrinking
# replays prefixes of sequences already built.
_clean: dict[tuple[str, str, str], Outcome] = {}


def clean_build(cli: Cli, project: Path, mode: str, now: str, folder: Path, again: bool = False) -> Outcome:
    """Build a copy of the project's sources, with no cache and no output, in `folder` (unless known)."""
    key = (inputs_digest(project), mode, now)
    if key not in _clean or again:
        shutil.rmtree(folder, ignore_errors=True)
        copy = folder / "project"
        copy.mkdir(parents=True)
        for part in PROJECT_PARTS:
            source = project / part
            if source.is_dir():
                shutil.copytree(source, copy / part, symlinks=True)
            elif source.exists():
                shutil.copy2(source, copy / part)
        _clean[key] = build(cli, copy, mode, now)
    return _clean[key]


def differences(incremental: Path, clean: Path) -> str:
    """Describe how two output folders differ: files in one only, and a diff of each file that differs."""
    ours, theirs = tree_digest(incremental), tree_digest(clean)
    lines = [f"only in the incremental output: {name}" for name in sorted(set(ours) - set(theirs))]
    lines += [f"only in the clean output: {name}" for name in sorted(set(theirs) - set(ours))]
    for name in sorted(n for n in set(ours) & set(theirs) if ours[n] != theirs[n]):
        lines.append(f"differs: {name}")
        try:
            a = (incremental / name).read_text(encoding="utf-8").splitlines()
            b = (clean / name).read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        lines += list(difflib.unified_diff(a, b, "incremental", "clean", n=1, lineterm=""))[:20]
    return "\n".join(lines)


def check(cli: Cli, project: Path, mode: str, now: str, scratch: Path) -> None:
    """Build the project incrementally and a copy of it from scratch: same code, messages and files."""
    incremental = build(cli, project, mode, now)
    clean = clean_build(cli, project, mode, now, scratch)
    assert incremental.code == clean.code, (incremental.err, clean.err)
    assert incremental.err == clean.err
    if incremental.files != clean.files:
        again = clean_build(cli, project, mode, now, scratch, again=True)  # into `scratch`, to show the files
        assert again.files == clean.files, "two clean builds of the same sources differ"
        name = MODES[mode][1]
        raise AssertionError(
            "the incremental output differs from a clean build:\n"
            + differences(project / name, scratch / "project" / name)
        )
    event(f"build {'failed' if clean.code else 'succeeded'}")
    event(f"{mode} build with {sum(name.endswith('.pdf') for name in clean.files)} PDFs")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, min_size=2, max_size=5))
def test_incremental_build_equals_a_clean_build(cli: Cli, steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        project = copy_project(folder / "project")
        check(cli, project, "public", BUILD_TIMES[0], folder / "scratch")
        for number, step in enumerate(steps, start=1):
            EDITS[step.edit](cli, project, step.target, step.word, moment(number))
            event(step.edit)
            event(f"{step.mode} build")
            check(cli, project, step.mode, step.now, folder / "scratch")
