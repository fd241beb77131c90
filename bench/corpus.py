"""Make a benchmark corpus: the bundled project grown to N releases × every language, fully translated.

The bundled release is copied as it is; each generated release is a copy of it with its own
slug (`YYYY-MM-DD-bench-NNNN`: one day earlier each, so dates stay valid and distinct at any
size; the date also in the front matter), its own title and one extra paragraph of its own.
`pressgen update` makes the catalogs; every message it leaves empty (or fuzzy) is then filled
with the bundled translation of the same text, or else with a deterministic sentence in the
language that keeps the source's figures and end punctuation, so that the publish gate and
`pressgen check` accept every language version; then every version is published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from PIL import Image

from pressgen.catalogs import read_catalog, release_catalog_path
from pressgen.config import Config, load_config
from pressgen.po import write_po_file

TOPICS = (
    "critical infrastructure",
    "election security",
    "undersea cables",
    "cyber ranges",
    "incident response",
    "supply chains",
    "space systems",
    "energy grids",
    "health services",
    "cyber education",
    "threat intelligence",
    "quantum readiness",
)

# Words for the stand-in translations: real words of each language, with its own letters.
WORDS = {
    "nl": [
        "samenwerking",
        "veiligheid",
        "bondgenoten",
        "verdediging",
        "digitale",
        "weerbaarheid",
        "overleg",
        "ministerie",
        "strategie",
        "partners",
        "netwerken",
        "dreigingen",
        "bescherming",
        "afspraken",
        "deskundigen",
        "infrastructuur",
        "oefening",
        "gezamenlijke",
        "vertrouwen",
        "innovatie",
    ],
    "ro": [
        "cooperare",
        "securitate",
        "aliații",
        "apărare",
        "digitală",
        "reziliență",
        "dialog",
        "ministerul",
        "strategie",
        "parteneri",
        "rețele",
        "amenințări",
        "protecție",
        "angajamente",
        "experți",
        "infrastructură",
        "exercițiu",
        "comună",
        "încredere",
        "inovație",
    ],
}
GENERIC_WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "lambda", "sigma"]
NUMBER = re.compile(r"\d+")
END = ".!?:;…"


@dataclass(frozen=True)
class Corpus:
    """A benchmark project on disk."""

    root: Path
    config: Config
    slugs: list[str]  # every release, the bundled one first
    setup_seconds: float = 0.0


# Digits of the number in generated slugs and titles (the bundled release has none): corpora up
# to MAX_SIZE releases.
DIGITS = 4
MAX_SIZE = 10**DIGITS


def pseudo_translation(source: str, lang: str) -> str:
    """Return a deterministic sentence in `lang` as long as `source`, with its figures and end punctuation."""
    words = WORDS.get(lang, GENERIC_WORDS)
    seed = int.from_bytes(hashlib.sha256(f"{lang}\0{source}".encode()).digest()[:8], "big")
    numbers = NUMBER.findall(source)
    out: list[str] = []
    length = 0
    index = 0
    while length < max(len(source), 12) or index < len(numbers):
        word = words[(seed + 7 * len(out)) % len(words)]
        if index < len(numbers) and len(out) % 3 == 2:
            word = numbers[index]
            index += 1
        out.append(word)
        length += len(word) + 1
    text = " ".join(out)
    text = text[0].upper() + text[1:]
    stripped = source.rstrip().rstrip('”“„"’»)*_')
    if stripped[-1:] in END:
        text += stripped[-1]
    return text


def _bundled_release(project: Path) -> Path:
    folders = sorted(p.parent for p in (project / "releases").glob("*/release.md"))
    if not folders:
        raise SystemExit(f"no release in {project / 'releases'}")
    return folders[0]


def _set_field(text: str, key: str, value: str) -> str:
    new, count = re.subn(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit(f"the bundled release has no one-line '{key}:' field")
    return new


def generated_release(bundled: str, number: int, date: dt.date) -> str:
    """Return the release.md text of generated release `number`: the bundled one, retitled, one paragraph more."""
    topic = TOPICS[number % len(TOPICS)]
    text = _set_field(bundled, "title", f"Pledge Conference Briefing {number:0{DIGITS}d} on {topic.title()}")
    text = _set_field(text, "date", date.isoformat())
    paragraph = (
        f"Briefing {number:0{DIGITS}d} of the pledge conference series looked at {topic}. Delegations from "
        f"{number % 31 + 2} allied nations compared their experience and agreed to report back within "
        f"{number % 11 + 3} weeks."
    )
    return text.rstrip() + "\n\n" + paragraph + "\n"


def _fill(path: Path, catalog: Catalog, known: dict[str, str], lang: str) -> int:
    """Give every empty or fuzzy message an approved translation; return how many were filled."""
    filled = 0
    for message in catalog:
        if not message.id or (message.string and not message.fuzzy):
            continue
        assert isinstance(message.id, str)
        message.string = known.get(message.id) or pseudo_translation(message.id, lang)
        message.flags.discard("fuzzy")
        message.previous_id = []
        filled += 1
    if filled:
        write_po_file(path, catalog)
    return filled


def fill_catalogs(config: Config, slugs: list[str], known: dict[str, dict[str, str]]) -> int:
    """Fill every release catalog of `slugs` in every target language; return the messages filled."""
    filled = 0
    for language in config.languages:
        if language.code == config.source_language:
            continue
        for slug in slugs:
            path = release_catalog_path(config, language.code, slug)
            filled += _fill(path, read_catalog(path, language), known.get(language.code, {}), language.code)
    return filled


def pressgen(root: Path, *args: str) -> str:
    """Run the pressgen command of this environment on the project at `root`; return its output."""
    command = [str(Path(sys.executable).parent / "pressgen"), "-C", str(root), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


# The release made for journalists' checks (a picture, a table, a list, quotes, long compounds).
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "data" / "journalist-release"
FIXTURE_SLUG = "2024-05-16-shared-incident-register"


def fixture_project(project: Path, root: Path) -> Path:
    """Make in `root` (which must not exist) the project at `project` with the journalists' fixture
    release added and published in every language, as tests/conftest.py's `journalist_site` does."""
    root.mkdir(parents=True)
    for part in ("pressgen.toml", "releases", "locales", "templates", "published"):
        source = project / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / part)
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    picture = Image.radial_gradient("L").resize((4000, 1000)).convert("RGB")  # as tests/conftest.py makes it
    picture.save(root / "releases" / FIXTURE_SLUG / "stage.png")
    pressgen(root, "publish", FIXTURE_SLUG, "--now", "2024-05-16T12:00:00+00:00")
    return root


def corpus_slugs(bundled: str, size: int) -> list[str]:
    """Return the slugs of a corpus of `size` releases: the bundled one, then one a day earlier each."""
    first = dt.date.fromisoformat(bundled[:10])
    generated = ((first - dt.timedelta(days=number), number) for number in range(1, size))
    return [bundled, *(f"{date.isoformat()}-bench-{number:0{DIGITS}d}" for date, number in generated)]


def corpus_inputs(project: Path) -> str:
    """Return the digest of what a corpus is made from: this module and the project's config,
    templates, bundled release and catalogs (not pressgen's code: a corpus is reused to compare
    two versions of it)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    parts = [project / "pressgen.toml", project / "templates", _bundled_release(project), project / "locales"]
    for part in parts:
        for path in sorted([part] if part.is_file() else part.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(project).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stored_corpus(project: Path, store: Path, root: Path, size: int) -> Corpus:
    """Make in `root` (which must not exist) a copy of the corpus of `size` releases kept in `store`.

    `store/N/` is made first (by `make_corpus`, which checks that every version is published) if
    it is missing or was made from other inputs (`store/N.json` records them): a corpus of 10,000
    releases takes long to make, and a copy little. A copy is not checked again (`pressgen
    status` takes minutes on a large archive): a cold build that does not render all its
    versions stops the benchmark.
    """
    kept, record = store / str(size), store / f"{size}.json"
    inputs = corpus_inputs(project)
    try:
        known = json.loads(record.read_text(encoding="utf-8")).get("inputs")
    except (OSError, ValueError):
        known = None
    if known != inputs or not kept.is_dir():
        record.unlink(missing_ok=True)
        shutil.rmtree(kept, ignore_errors=True)
        store.mkdir(parents=True, exist_ok=True)
        make_corpus(project, kept, size)
        shutil.rmtree(kept / ".pressgen-cache", ignore_errors=True)  # made by publish and status
        record.write_text(json.dumps({"size": size, "inputs": inputs}) + "\n", encoding="utf-8")
    shutil.copytree(kept, root, symlinks=True)
    return Corpus(root, load_config(root), corpus_slugs(_bundled_release(project).name, size))


def make_corpus(project: Path, root: Path, size: int) -> Corpus:
    """Make a project of `size` releases in `root` (which must not exist) from the project at `project`."""
    if not 1 <= size <= MAX_SIZE:
        raise SystemExit(f"a corpus has 1 to {MAX_SIZE} releases, not {size}")
    source = load_config(project)
    bundled = _bundled_release(project)
    root.mkdir(parents=True)
    shutil.copyfile(source.path, root / source.path.name)
    shutil.copytree(source.templates_dir, root / source.templates_dir.relative_to(project))
    shutil.copytree(bundled, root / "releases" / bundled.name)
    # The catalogs, with each language's word list and glossary (the checks read them).
    shutil.copytree(source.locales_dir, root / source.locales_dir.relative_to(project))

    text = (bundled / "release.md").read_text(encoding="utf-8")
    slugs = corpus_slugs(bundled.name, size)
    for number, slug in enumerate(slugs[1:], start=1):
        folder = root / "releases" / slug
        folder.mkdir(parents=True)
        date = dt.date.fromisoformat(slug[:10])
        (folder / "release.md").write_text(generated_release(text, number, date), encoding="utf-8")

    pressgen(root, "update")
    config = load_config(root)
    known: dict[str, dict[str, str]] = {}
    for language in config.languages:
        path = release_catalog_path(config, language.code, bundled.name)
        if language.code != config.source_language and path.is_file():
            bundled_catalog = read_catalog(path, language)
            known[language.code] = {
                m.id: str(m.string)
                for m in bundled_catalog
                if isinstance(m.id, str) and m.id and m.string and not m.fuzzy
            }
    fill_catalogs(config, slugs, known)
    # The public site renders the publication record: publish every version, at a fixed moment.
    pressgen(root, "publish", *slugs, "--now", PUBLISHED_AT)
    verify_published(root, len(slugs) * len(config.languages))
    return Corpus(root, config, slugs)


def verify_published(root: Path, expected: int) -> None:
    """Stop unless `pressgen status` says that exactly `expected` versions exist and all are published."""
    rows = json.loads(pressgen(root, "status", "--format", "json"))
    versions = rows["versions"]
    unpublished = [f"{v['release']} [{v['lang']}]: {'; '.join(v['reasons'])}" for v in versions if not v["published"]]
    if unpublished or len(versions) != expected:
        detail = "\n  ".join(unpublished[:10])
        raise SystemExit(
            f"corpus check failed: {len(versions)} versions (expected {expected}), unpublished:\n  {detail}"
        )


# When the corpus is published; each republication is one minute later than the one before.
PUBLISHED_AT = "2024-06-30T12:00:00+00:00"
# The one-word edit: the word of each generated release's own paragraph, and what it becomes (the
# next one, round and round). Enough words that a release edited a few times never returns to a
# text it had, whose PDF a cache would hold.
EDIT_WORDS = ("agreed", "decided", "resolved", "promised", "pledged", "vowed", "planned", "undertook")


def edited_word(text: str) -> tuple[str, str] | None:
    """Return the word of `EDIT_WORDS` that a release text holds and the one that replaces it, or None."""
    for index, word in enumerate(EDIT_WORDS):
        if f" {word} to report back" in text:
            return word, EDIT_WORDS[(index + 1) % len(EDIT_WORDS)]
    return None


def edit_word(corpus: Corpus, slug: str, like_an_editor: bool = False) -> str:
    """Change one word of a generated release's own paragraph (the next of `EDIT_WORDS`); return the new word.

    With `like_an_editor`, the new text is written to a temporary file beside it that then replaces
    the release (as many editors save), so a watcher never sees a half-written file.
    """
    path = corpus.root / "releases" / slug / "release.md"
    text = path.read_text(encoding="utf-8")
    words = edited_word(text)
    if words is None:
        raise SystemExit(f"{path}: no word of {EDIT_WORDS} to edit (only generated releases have one)")
    old, new = words
    edited = text.replace(f" {old} to report back", f" {new} to report back")
    if like_an_editor:
        temporary = path.with_name(f".{path.name}.saving")
        temporary.write_text(edited, encoding="utf-8")
        temporary.replace(path)
    else:
        path.write_text(edited, encoding="utf-8")
    return new


def publish_fix(corpus: Corpus, slug: str, at: dt.datetime) -> None:
    """Republish the source version of an edited release as a correction readers need not be told about.

    `publish SLUG --lang SRC --minor`: what a press office does after fixing a typo. The
    translations are not touched: they lag behind the source until translated again.
    """
    source = corpus.config.source_language
    pressgen(corpus.root, "publish", slug, "--lang", source, "--minor", "--now", at.isoformat())


def publish_edit(corpus: Corpus, slug: str, at: dt.datetime) -> int:
    """Publish an edited release the way a press office does; return the messages translators approved.

    The source version first, with a change note (`publish --lang SRC --note`); then `pressgen
    update` (the changed paragraph and the note are messages of the release now), the translators
    translate and approve them, and the translations are published too (`publish`), a minute later.
    """
    source = corpus.config.source_language
    pressgen(corpus.root, "publish", slug, "--lang", source, "--note", "One word changed.", "--now", at.isoformat())
    pressgen(corpus.root, "update")
    approved = fill_catalogs(corpus.config, [slug], {})
    pressgen(corpus.root, "publish", slug, "--now", (at + dt.timedelta(minutes=1)).isoformat())
    return approved
