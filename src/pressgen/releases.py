"""Read releases: YAML front matter with line numbers, validated into `Release` objects."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import yaml

from pressgen.config import PICTURE_METADATA, Config, Language
from pressgen.errors import PressgenError, Problems, UsageError, did_you_mean
from pressgen.files import decode_text
from pressgen.markup import control_characters, nesting_problems
from pressgen.record import read_record

MAX_RELEASE_BYTES = 1_000_000
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
# The only names a picture may have, and the format each promises: a browser and a web server
# go by the name (pic.html holding a PNG would be served as a page, and run its script).
PICTURE_SUFFIXES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
# A picture is decoded whole to render it (about 12 bytes a pixel in WeasyPrint): 40 megapixels
# covers the press photos of today's cameras and keeps a worker's memory bounded.
MAX_PIXELS = 40_000_000
SLUG_RE = re.compile(r"(\d{4}-\d{2}-\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 100  # characters: slugs are folder and file names, and parts of URLs
FIELDS = (
    "title",
    "date",
    "lang",
    "subtitle",
    "summary",
    "location",
    "embargo",
    "author",
    "image",
    "contacts",
    "notes",
    "tags",
    "picture_metadata",
)
IMAGE_FIELDS = ("src", "alt", "caption", "credit")
CONTACT_FIELDS = ("name", "role", "email", "phone")
EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{6,}$")


@dataclass(frozen=True)
class Image:
    """The release's picture: a file beside `release.md`, with its texts."""

    src: str
    alt: str
    caption: str | None
    credit: str | None
    line: int


@dataclass(frozen=True)
class Contact:
    """A media contact; only `role` is translated."""

    name: str
    role: str | None
    email: str | None
    phone: str | None
    line: int


@dataclass(frozen=True)
class ChangeNote:
    """The note of one update of a published release, as the record holds it."""

    text: str
    at: dt.datetime
    ref: str  # where it is: published/<slug>/record.toml
    line: int | None


@dataclass(frozen=True)
class Release:
    """One release as written by the press office, in its source language."""

    slug: str
    path: Path
    lang: str
    title: str
    date: dt.date
    body: str
    body_line: int
    subtitle: str | None = None
    summary: str | None = None
    location: str | None = None
    embargo: dt.datetime | None = None
    author: str | None = None
    image: Image | None = None
    contacts: tuple[Contact, ...] = ()
    notes: str | None = None
    tags: tuple[str, ...] = ()
    picture_metadata: str | None = None  # "keep" or "strip": overrides the site's `picture_metadata`
    lines: dict[str, int] = field(default_factory=dict)
    # The notes of its published updates (from the publication record): texts of the release too,
    # which every translation must have translated before it is republished.
    change_notes: tuple[ChangeNote, ...] = ()
    # The reason of its withdrawal (from the record), translated like a change note.
    withdrawal: ChangeNote | None = None

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def source_ref(self) -> str:
        """Return the path used in catalog references: `releases/<slug>/release.md`."""
        return f"releases/{self.slug}/release.md"


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so that pressgen validates them with a line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class VersionOf:
    """A release in one language: the texts, localised or not, of one of its language versions."""

    release: Release
    language: Language

    @property
    def slug(self) -> str:
        return self.release.slug

    @property
    def lang(self) -> str:
        return self.language.code


def read_releases(
    config: Config,
    only: str | None = None,
    problems: Problems | None = None,
    among: Collection[str] | None = None,
) -> list[Release]:
    """Read every release of the project (or one, or those whose folders are named `among`), reporting all
    their errors together.

    With `problems`, the errors are added to it and the releases that could be read are returned.
    """
    found = problems if problems is not None else Problems()
    releases: list[Release] = []
    for path in release_files(config, found, only, among):
        try:
            releases.append(with_change_notes(read_release(path, config), config))
        except PressgenError as exc:
            found.extend(exc)
    if problems is None:
        found.raise_if_any()
    return releases


def release_files(
    config: Config, problems: Problems, only: str | None = None, among: Collection[str] | None = None
) -> list[Path]:
    """Return the `release.md` of every release folder (or of one, or of those named `among`), adding each
    folder that has none, or that leads out of the project, to `problems`."""
    folders = release_folders(config)
    if among is not None:
        folders = [p for p in folders if p.name in among]
    if only is not None:
        chosen = [p for p in folders if p.name == only]
        if not chosen:
            raise no_such_release(only, [p.name for p in folders])
        folders = chosen
    project = config.root.resolve()
    # Resolving every path costs a system call per part of it: only a link can lead out.
    all_linked = bool(folders) and not config.releases_dir.resolve().is_relative_to(project)
    found = []
    for folder in folders:
        path = folder / "release.md"
        linked = all_linked or folder.is_symlink() or path.is_symlink()
        if linked and (not folder.resolve().is_relative_to(project) or not path.resolve().is_relative_to(project)):
            problems.error("is a link to a place outside the project; releases must live inside it", folder)
        elif not path.exists():
            problems.error("release folder has no release.md", folder)
        elif not path.is_file():
            problems.error("release.md is not a regular file", path)
        else:
            found.append(path)
    return found


def release_folders(config: Config) -> list[Path]:
    """Return every folder of the releases folder, sorted: each is a release (or an error)."""
    return sorted(p for p in config.releases_dir.iterdir() if p.is_dir()) if config.releases_dir.is_dir() else []


def with_change_notes(release: Release, config: Config) -> Release:
    """Add the change notes and the withdrawal reason that the publication record holds for the release's
    own language: texts of the release, which its catalogs translate."""
    record = read_record(config, release.slug)
    if record is None:
        return release
    ref = record.path.relative_to(config.root).as_posix()
    version = record.version(release.lang)
    notes = tuple(ChangeNote(u.note, u.at, ref, u.line) for u in version.updates if u.note) if version else ()
    withdrawn = record.withdrawn
    reason = ChangeNote(withdrawn.reason, withdrawn.at, ref, withdrawn.line) if withdrawn is not None else None
    return replace(release, change_notes=notes, withdrawal=reason)


def read_release(path: Path, config: Config, slug: str | None = None) -> Release:
    """Parse one `release.md` into a validated `Release` (of `slug`, default: its folder's name)."""
    slug = slug or path.parent.name
    with open(path, "rb") as handle:
        raw = handle.read(MAX_RELEASE_BYTES + 1)
        size = os.fstat(handle.fileno()).st_size
    if len(raw) > MAX_RELEASE_BYTES:
        raise PressgenError(
            f"release.md is {size / 1e6:.1f} MB; a release is at most {MAX_RELEASE_BYTES // 1_000_000} MB of text",
            path,
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PressgenError("the file is UTF-16; save it as UTF-8", path, 1)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise PressgenError("the file starts with a byte order mark (BOM); save it as UTF-8 without BOM", path, 1)
    text = decode_text(
        raw,
        path,
        "not a text file (it contains NUL bytes); save it as UTF-8 text",
        "not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8",
    ).replace("\r\n", "\n")
    for offset, name in control_characters(text):
        line = text[:offset].count("\n") + 1
        raise PressgenError(f"control character {name} in the text; remove it", path, line)
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise PressgenError("missing front matter: the file must start with a '---' line", path, 1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise PressgenError("front matter is not closed by a '---' line", path, 1) from None
    front = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    return _validate(path, slug, front, body, body_line=end + 2, config=config)


def no_such_release(slug: str, slugs: Iterable[str], where: str = "releases/") -> UsageError:
    """Return the usage error of a slug naming no release, with the closest slug as a hint."""
    return UsageError(f"no release '{slug}' in {where}{did_you_mean(slug, slugs)}")


def slug_argument(argument: str, config: Config, slugs: Iterable[str], where: str = "releases/") -> str:
    """Return the slug a command's argument names, among `slugs` (those of the folders in `where`).

    The argument is a slug, or the release's folder as a shell completes it: `releases/<slug>/`
    (from the current folder or the project's), `./releases/<slug>`, its `release.md`, and for
    a published release `published/<slug>/` too. Anything else is a usage error with a hint.
    """
    known = list(slugs)
    slug = argument
    if "/" in argument:
        path = Path(argument)
        if path.name == "release.md":
            path = path.parent
        folders = {os.path.abspath(config.releases_dir), os.path.abspath(config.root / "published")}
        for base in (Path.cwd(), config.root):
            candidate = os.path.abspath(base / path)
            if os.path.dirname(candidate) in folders:
                slug = os.path.basename(candidate)
                break
        else:
            raise UsageError(f"'{argument}' is not a release: name its slug, or its folder releases/<slug>/")
    if slug not in known:
        raise no_such_release(slug, known, where)
    return slug


def slug_problem(slug: str) -> str | None:
    """Return why `slug` cannot name a release (folder, URL, file names), or None."""
    if len(slug) > MAX_SLUG:
        return f"'{slug[:40]}…' is {len(slug)} characters long; a slug has at most {MAX_SLUG}"
    if not SLUG_RE.fullmatch(slug):
        return f"{slug!r} is not a slug of the form YYYY-MM-DD-words (lowercase letters, digits, hyphens)"
    try:
        dt.date.fromisoformat(slug[:10])
    except ValueError:
        return f"'{slug[:10]}' in '{slug}' is not a date"
    return None


def _compose(path: Path, front: str) -> yaml.MappingNode:
    try:
        node = yaml.compose(front, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        hint = _quote_hint(front.split("\n")[line - 2]) if mark is not None and problem == _COLON else ""
        raise PressgenError(f"invalid YAML in front matter: {problem}{hint}", path, line) from None
    except yaml.reader.ReaderError as exc:
        line = front[: exc.position].count("\n") + 2
        reason = f"invalid character in front matter: {exc.reason} (#x{exc.character:04x})"
        raise PressgenError(reason, path, line) from None
    except yaml.YAMLError as exc:
        raise PressgenError(f"invalid YAML in front matter: {exc}", path, 2) from None
    if node is None:
        raise PressgenError("front matter is empty: 'title' and 'date' are required", path, 1)
    if not isinstance(node, yaml.MappingNode):
        raise PressgenError("front matter must be a mapping of keys to values", path, node.start_mark.line + 2)
    return node


# What PyYAML says of a plain value with ": " in it (`title: Ministers: meet again`).
_COLON = "mapping values are not allowed here"


def _quote_hint(line: str) -> str:
    """Return the hint for a value with a colon in it: the line with the value quoted."""
    key, colon, value = line.partition(":")
    value = value.strip()
    if not colon or not key.strip() or not value or value[0] in "\"'|>[{":
        return ""
    return f"; a value with ': ' in it must be quoted, as in {key.strip()}: {json.dumps(value, ensure_ascii=False)}"


def _line(node: yaml.Node) -> int:
    # The front matter starts on line 2 of the file; YAML marks are 0-based.
    return node.start_mark.line + 2


def _validate(path: Path, slug: str, front: str, body: str, body_line: int, config: Config) -> Release:
    node = _compose(path, front)
    problems = Problems()
    problem = slug_problem(slug)
    if problem:
        problems.error(f"folder name {problem}", path.parent)
    fields = _fields(node, path, problems)

    def text(key: str, required: bool = False) -> str | None:
        if key not in fields:
            if required:
                problems.error(f"missing required front matter key '{key}'", path, 2)
            return None
        value_node, line = fields[key]
        return _scalar_text(value_node, key, path, line, problems)

    title = text("title", required=True)
    date_text = text("date", required=True)
    date = _parse_date(date_text, path, fields["date"][1], problems) if date_text else None
    lang = text("lang") or config.source_language
    if "lang" in fields and lang not in config.codes:
        problems.error(
            f"lang '{lang}' is not one of the configured languages {list(config.codes)}", path, fields["lang"][1]
        )
    embargo_text = text("embargo")
    embargo = _parse_embargo(embargo_text, path, fields["embargo"][1], problems) if embargo_text else None
    if date is not None and SLUG_RE.fullmatch(slug) and slug[:10] != date.isoformat():
        problems.error(f"date {date.isoformat()} does not match the folder name '{slug}'", path, fields["date"][1])
    subtitle, summary, location, author, notes = (
        text(key) for key in ("subtitle", "summary", "location", "author", "notes")
    )
    image = _image(fields.get("image"), path, problems)
    contacts = _contacts(fields.get("contacts"), path, problems)
    tags = _tags(fields.get("tags"), path, problems)
    picture_metadata = text("picture_metadata")
    if picture_metadata is not None and picture_metadata not in PICTURE_METADATA:
        problems.error(
            f"picture_metadata must be 'strip' or 'keep', not '{picture_metadata}'", path, fields["picture_metadata"][1]
        )
    _check_texts(body, body_line, notes, fields, path, problems)
    problems.raise_if_any()  # every field has been read: none of their problems is left unsaid
    assert title is not None and date is not None
    return Release(
        slug=slug,
        path=path,
        lang=lang,
        title=title,
        date=date,
        body=body,
        body_line=body_line,
        subtitle=subtitle,
        summary=summary,
        location=location,
        embargo=embargo,
        author=author,
        image=image,
        contacts=contacts,
        notes=notes,
        tags=tags,
        picture_metadata=picture_metadata,
        lines={key: line for key, (_, line) in fields.items()},
    )


def _fields(node: yaml.MappingNode, path: Path, problems: Problems) -> dict[str, tuple[yaml.Node, int]]:
    """Return each front matter key's value and line; an unknown or repeated key is a problem."""
    fields: dict[str, tuple[yaml.Node, int]] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        line = _line(key_node)
        if key not in FIELDS:
            problems.error(f"unknown front matter key '{key}'{did_you_mean(str(key), FIELDS)}", path, line)
        elif key in fields:
            problems.error(f"duplicate front matter key '{key}'", path, line)
        else:
            fields[key] = (value_node, line)
    return fields


def _check_texts(
    body: str,
    body_line: int,
    notes: str | None,
    fields: dict[str, tuple[yaml.Node, int]],
    path: Path,
    problems: Problems,
) -> None:
    """Note the problems of the Markdown texts: a body that is empty, markup nested wrong in it or in the notes."""
    if not body.strip():
        problems.error("the release has no body text after the front matter", path, body_line)
    for line, message in nesting_problems(body, body_line):
        problems.error(message, path, line)
    if notes is not None:
        for line, message in nesting_problems(notes, fields["notes"][1] + 1):
            problems.error(message, path, line)


def _scalar_text(node: yaml.Node, key: str, path: Path, line: int, problems: Problems) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        problems.error(f"'{key}' must be text, not a list or mapping", path, line)
        return None
    value = str(node.value).strip()
    if not value:
        problems.error(f"'{key}' is empty", path, line)
        return None
    for _, name in control_characters(value, allowed="\n"):
        problems.error(f"control character {name} in '{key}'; remove it", path, line)
        return None
    return value


def _parse_date(value: str, path: Path, line: int, problems: Problems) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        problems.error(f"date '{value}' is not of the form YYYY-MM-DD", path, line)
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        problems.error(f"impossible date '{value}': {exc}", path, line)
        return None


def _parse_embargo(value: str, path: Path, line: int, problems: Problems) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        problems.error(f"embargo '{value}' is not an ISO 8601 date-time such as 2024-05-17T09:00+02:00", path, line)
        return None
    if moment.tzinfo is None:
        problems.error(f"embargo '{value}' needs a UTC offset, such as +02:00 or Z", path, line)
        return None
    return moment


def _mapping(
    node: yaml.Node, allowed: tuple[str, ...], what: str, path: Path, problems: Problems
) -> dict[str, tuple[str, int]]:
    """Read a flat mapping of text values, reporting unknown keys and non-text values."""
    if not isinstance(node, yaml.MappingNode):
        problems.error(f"{what} must be a mapping with the keys {', '.join(allowed)}", path, _line(node))
        return {}
    values: dict[str, tuple[str, int]] = {}
    for key_node, value_node in node.value:
        key, line = str(key_node.value), _line(key_node)
        if key not in allowed:
            problems.error(f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}", path, line)
            continue
        value = _scalar_text(value_node, f"{what}.{key}", path, line, problems)
        if value is not None:
            values[key] = (value, line)
    return values


def _image(entry: tuple[yaml.Node, int] | None, path: Path, problems: Problems) -> Image | None:
    if entry is None:
        return None
    node, line = entry
    values = _mapping(node, IMAGE_FIELDS, "image", path, problems)
    for required in ("src", "alt"):
        if required not in values:
            problems.error(f"image needs '{required}'", path, line)
    if "src" not in values or "alt" not in values:
        return None
    src, src_line = values["src"]
    problem = asset_problem(path.parent, src)
    if problem:
        problems.error(f"image '{src}' {problem}", path, src_line)
    return Image(
        src=src,
        alt=values["alt"][0],
        caption=values["caption"][0] if "caption" in values else None,
        credit=values["credit"][0] if "credit" in values else None,
        line=line,
    )


def asset_path_problem(src: str) -> str | None:
    """Return why `src` is not a plain relative path inside the release folder, or None."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//"):
        return "is a URL; assets must be files beside release.md"
    candidate = Path(src)
    if candidate.is_absolute() or src.startswith(("/", "\\")):
        return "is an absolute path; assets must be files beside release.md"
    if ".." in candidate.parts:
        return "leaves the release folder ('..'); assets must be files beside release.md"
    return None


def asset_problem(folder: Path, src: str) -> str | None:
    """Return why image `src` of the release in `folder` cannot be used, or None.

    It must be a relative path to a file inside the folder (a symlink out of it is refused),
    named as a picture (`PICTURE_SUFFIXES`), and a real PNG, JPEG, GIF or WebP picture of the
    format its name says.
    """
    problem = asset_path_problem(src) or picture_name_problem(src)
    if problem:
        return problem
    path = folder / src
    if not path.is_file():
        return "not found beside release.md"
    if not path.resolve().is_relative_to(folder.resolve()):
        return "is a link to a file outside the release folder"
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = None  # pressgen's own limit, below, applies before anything is decoded
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return (
                    f"is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); "
                    f"pictures may have at most {MAX_PIXELS // 1_000_000} megapixels: scale it down"
                )
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "is not a picture pressgen can read (PNG, JPEG, GIF or WebP)"
    if kind not in IMAGE_FORMATS:
        return f"is a {kind} picture; use PNG, JPEG, GIF or WebP"
    name = PurePosixPath(src)
    if PICTURE_SUFFIXES[name.suffix.lower()] != kind:
        right = next(suffix for suffix, format in PICTURE_SUFFIXES.items() if format == kind)
        shown = "WebP" if kind == "WEBP" else kind
        return f"is a {shown} picture, but its name ends in {name.suffix}; rename it {name.with_suffix(right)}"
    return None


def picture_name_problem(src: str) -> str | None:
    """Return why `src` is not a picture's name (`PICTURE_SUFFIXES`), or None."""
    suffix = PurePosixPath(src).suffix
    if suffix.lower() in PICTURE_SUFFIXES:
        return None
    what = f"the extension '{suffix}'" if suffix else "no extension"
    return f"has {what}; a picture's name must end in .jpg, .jpeg, .png, .webp or .gif"


def _contacts(entry: tuple[yaml.Node, int] | None, path: Path, problems: Problems) -> tuple[Contact, ...]:
    if entry is None:
        return ()
    node, line = entry
    if not isinstance(node, yaml.SequenceNode):
        problems.error("contacts must be a list of mappings with name, role, email, phone", path, line)
        return ()
    contacts: list[Contact] = []
    for item in node.value:
        values = _mapping(item, CONTACT_FIELDS, "contact", path, problems)
        item_line = _line(item)
        if "name" not in values:
            problems.error("contact needs a 'name'", path, item_line)
            continue
        email = values.get("email")
        if email and not EMAIL_RE.match(email[0]):
            problems.error(f"'{email[0]}' is not an e-mail address", path, email[1])
        phone = values.get("phone")
        if phone and not PHONE_RE.match(phone[0]):
            problems.error(f"'{phone[0]}' is not a phone number", path, phone[1])
        contacts.append(
            Contact(
                name=values["name"][0],
                role=values["role"][0] if "role" in values else None,
                email=email[0] if email else None,
                phone=phone[0] if phone else None,
                line=item_line,
            )
        )
    return tuple(contacts)


def _tags(entry: tuple[yaml.Node, int] | None, path: Path, problems: Problems) -> tuple[str, ...]:
    if entry is None:
        return ()
    node, line = entry
    if not isinstance(node, yaml.SequenceNode) or not all(isinstance(n, yaml.ScalarNode) for n in node.value):
        problems.error("tags must be a list of words", path, line)
        return ()
    tags = [_scalar_text(n, "tags", path, _line(n), problems) for n in node.value]
    return tuple(tag for tag in tags if tag is not None)
