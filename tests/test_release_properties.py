"""Properties: any release file gives a release holding every field, or path:line errors; any PO file
gives a catalog or clear errors. Never a crash, and never a field dropped silently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import REPO
from pressgen.config import load_config
from pressgen.errors import PressgenError
from pressgen.releases import CONTACT_FIELDS, FIELDS, IMAGE_FIELDS, Release, read_release
from pressgen.segment import extract_messages

KEYS = [*FIELDS, *IMAGE_FIELDS, *CONTACT_FIELDS, "bogus"]
# Text without control characters (a few are among the samples): what else a value may hold.
TEXT = st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=30)
VALUES = st.one_of(
    TEXT,
    st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=30),
    st.sampled_from(
        [
            "2024-05-17",
            "2024-02-30",
            "2024-05-17T09:00+02:00",
            "[a, b]",
            "{a: 1}",
            "- x",
            "|\n  text",
            "&anchor x",
            "*anchor",
            "!!binary aGk=",
            "!!python/object:os.system x",
            "null",
            "~",
            "'",
            '"',
            '""',
            "12",
            "yes",
            "\t",
            "a\x07bell",
            "photo.png",
            "../x.png",
            "http://x/y.png",
            "press@example.org",
            "+31 70 000 0000",
        ]
    ),
)
# Values that take lines of their own: pictures, contacts, tags, and wrong shapes of them.
NESTED = st.sampled_from(
    [
        "\n  src: photo.png\n  alt: Two ministers",
        "\n  src: photo.png\n  alt: A\n  caption: The stage\n  credit: Press office",
        "\n  src: photo.png",
        "\n  - name: Ann Smith\n    email: press@example.org\n    role: Spokesperson",
        "\n  - name: Ann Smith\n    phone: '+31 70 000 0000'\n  - name: Bo",
        "\n  - role: Nobody",
        "\n  - cyber\n  - defence",
        "\n  - [a, b]",
        "\n  bogus: 1",
        "\n  -",
    ]
)
LINES = st.lists(
    st.tuples(st.sampled_from([0, 0, 0, 0, 2]), st.sampled_from(KEYS), st.one_of(VALUES, NESTED)).map(
        lambda t: " " * t[0] + f"{t[1]}: {t[2]}"
    ),
    max_size=10,
)
# Half the examples start with a valid title and date.
REQUIRED = st.sampled_from(["", "title: A title\ndate: 2024-05-17\n"])
TEXT_FIELDS = ("title", "subtitle", "summary", "location", "author", "notes", "lang")
config = load_config(REPO)


def scalar(node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode), node
    return str(node.value).strip()


def assert_holds(release: Release, key: str, node: yaml.Node) -> None:
    """Assert that the release keeps what the front matter says under `key`."""
    if key in TEXT_FIELDS:
        assert getattr(release, key) == scalar(node), key
    elif key == "date":
        assert release.date.isoformat() == scalar(node)
    elif key == "embargo":
        assert release.embargo == dt.datetime.fromisoformat(scalar(node))
    elif key == "image":
        assert release.image is not None and isinstance(node, yaml.MappingNode)
        for name, value in node.value:
            assert getattr(release.image, scalar(name)) == scalar(value), name
    elif key == "contacts":
        assert isinstance(node, yaml.SequenceNode) and len(release.contacts) == len(node.value)
        for contact, item in zip(release.contacts, node.value, strict=True):
            for name, value in item.value:
                assert getattr(contact, scalar(name)) == scalar(value), name
    elif key == "tags":
        assert isinstance(node, yaml.SequenceNode)
        assert release.tags == tuple(scalar(item) for item in node.value)
    else:
        raise AssertionError(f"front matter key {key!r} accepted but not checked here")


def assert_release_or_errors(folder: Path, front: str, body: str) -> bool:
    """Read a release file: every front matter field must be in the release, or an error with its line.

    Return whether it was a release.
    """
    folder.mkdir()
    Image.new("RGB", (8, 8)).save(folder / "photo.png")
    path = folder / "release.md"
    path.write_text("---\n" + front + "\n---\n" + body, encoding="utf-8")
    try:
        release = read_release(path, config)
    except PressgenError as error:
        for diagnostic in error.diagnostics:
            assert diagnostic.message and diagnostic.path == path and diagnostic.line is not None, diagnostic
        return False
    extract_messages(release)
    node = yaml.compose(front, Loader=yaml.BaseLoader)
    assert isinstance(node, yaml.MappingNode)
    for key, value in node.value:
        assert_holds(release, scalar(key), value)
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(REQUIRED, LINES, st.one_of(st.text(max_size=80), st.just("A body.")))
def test_any_front_matter_is_a_release_with_every_field_or_errors_with_lines(
    tmp_path_factory: pytest.TempPathFactory, required: str, lines: list[str], body: str
) -> None:
    front = required + "\n".join(lines)
    assert_release_or_errors(tmp_path_factory.mktemp("r") / "2024-05-17-fuzz", front, body)


SCALARS = st.one_of(
    st.text(st.characters(categories=["L", "N", "Zs", "P"]), max_size=20), st.integers(), st.booleans(), st.none()
)
SHAPES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from([*IMAGE_FIELDS, *CONTACT_FIELDS, "bogus"]), SCALARS, max_size=4),
    st.lists(st.dictionaries(st.sampled_from([*CONTACT_FIELDS, "bogus"]), SCALARS, max_size=4), max_size=2),
)
PICTURES = st.fixed_dictionaries({"src": st.just("photo.png"), "alt": SCALARS}, optional={"caption": SCALARS})
FRONT = st.tuples(
    st.dictionaries(st.sampled_from([*FIELDS, "bogus"]), SHAPES, max_size=6),
    st.one_of(st.none(), PICTURES),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(FRONT)
def test_well_formed_front_matter_keeps_every_field_or_names_its_line(
    tmp_path_factory: pytest.TempPathFactory, front: tuple[dict[str, object], dict[str, object] | None]
) -> None:
    fields, picture = front
    data: dict[str, object] = {"title": "A title", "date": "2024-05-17", **fields}
    if picture is not None:
        data["image"] = picture
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    released = assert_release_or_errors(tmp_path_factory.mktemp("r") / "2024-05-17-fuzz", text, "A body.")
    event("a release" if released else "an error")


PO_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                'msgid ""',
                'msgstr ""',
                '"Language: nl_NL\\n"',
                '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
                'msgid "A"',
                'msgstr "B"',
                'msgctxt "c"',
                "#, fuzzy",
                '#| msgid "old"',
                '#~ msgid "x"',
                '#~ msgstr "y"',
                'msgid_plural "As"',
                'msgstr[0] "b"',
                'msgstr[1] "bs"',
                'msgstr[2] "bss"',
                '"continued"',
                "",
                "#: a.md:1",
                "garbage",
                'msgid "unterminated',
                '"\\q"',
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=25,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PO_LINES)
def test_any_po_file_is_a_catalog_or_a_clear_error(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    from pressgen.catalogs import read_catalog

    path = tmp_path_factory.mktemp("po") / "x.po"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        read_catalog(path, config.language("nl"))
    except PressgenError as error:
        assert all(d.message for d in error.diagnostics)
