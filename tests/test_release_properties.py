"""Property: whatever a release file holds, reading it gives a release or a PressgenError, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from pressgen.config import load_config
from pressgen.errors import PressgenError
from pressgen.releases import CONTACT_FIELDS, FIELDS, IMAGE_FIELDS, read_release
from pressgen.segment import extract_messages

KEYS = [*FIELDS, *IMAGE_FIELDS, *CONTACT_FIELDS, "bogus"]
VALUES = st.one_of(
    st.text(max_size=30),
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
            "12",
            "yes",
            "\t",
            "photo.png",
            "../x.png",
            "http://x/y.png",
        ]
    ),
)
LINES = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(KEYS), VALUES).map(lambda t: " " * t[0] + f"{t[1]}: {t[2]}"),
    max_size=12,
)
config = load_config(REPO)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(LINES, st.text(max_size=80))
def test_any_front_matter_is_a_release_or_a_clear_error(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], body: str
) -> None:
    folder = tmp_path_factory.mktemp("r") / "2024-05-17-fuzz"
    folder.mkdir()
    path = folder / "release.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    try:
        release = read_release(path, config)
    except PressgenError as error:
        assert all(d.message and d.path for d in error.diagnostics)
        return
    assert release.title and release.date
    extract_messages(release)


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
