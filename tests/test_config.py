"""Configuration: validated once, every problem reported with its key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, Cli
from pressgen.config import load_config
from pressgen.errors import PressgenError


def test_bundled_config_declares_the_three_languages(project: Path) -> None:
    config = load_config(project)
    assert [(lang.code, lang.locale_id, lang.name) for lang in config.languages] == [
        ("en", "en_GB", "English"),
        ("nl", "nl_NL", "Nederlands"),
        ("ro", "ro_RO", "Română"),
    ]
    assert config.source_language == "en"
    assert config.organisation.name("ro") == "Conferința NATO Cyber Defence Pledge 2024"
    assert str(config.timezone) == "Europe/Amsterdam"


def test_every_problem_is_reported_with_its_key(project: Path) -> None:
    (project / "pressgen.toml").write_text(
        '[site]\nbase_url = "ftp://x"\ntimezone = "Mars/Olympus"\nsource_languge = "en"\n'
        '[organisation]\nname = "Press office"\n'
        '[[languages]]\ncode = "en"\nlocale = "en_GB"\n'
        '[[languages]]\ncode = "nl"\nlocale = "xx_YY"\n',
        encoding="utf-8",
    )
    with pytest.raises(PressgenError) as caught:
        load_config(project)
    messages = [d.message for d in caught.value.diagnostics]
    assert messages == [
        "site.source_languge: unknown key (did you mean 'source_language'?)",
        "site.base_url: must be an absolute http(s) URL",
        "languages[1].locale: unknown locale 'xx_YY' (use a CLDR identifier such as nl_NL)",
        "site.timezone: unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Amsterdam)",
    ]
    assert all(str(d.path).endswith("pressgen.toml") for d in caught.value.diagnostics)


def test_invalid_toml_has_a_line(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    (project / "pressgen.toml").write_text('[site]\nbase_url = "https://x.org/\n', encoding="utf-8")
    result = cli(project, "build")
    assert result.code == 1
    assert result.err.startswith("pressgen.toml:2: error: invalid TOML:")


def test_locale_must_belong_to_the_language(project: Path) -> None:
    text = (project / "pressgen.toml").read_text(encoding="utf-8").replace('locale = "ro_RO"', 'locale = "nl_NL"')
    (project / "pressgen.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PressgenError, match=r"languages\[2\]\.locale: 'nl_NL' is not a locale of language 'ro'"):
        load_config(project)


def test_quote_marks_of_a_language_are_four_punctuation_marks(project: Path) -> None:
    text = (project / "pressgen.toml").read_text(encoding="utf-8")
    good = text.replace('quotes = "“”‘’"', 'quotes = "„”‚’"')
    (project / "pressgen.toml").write_text(good, encoding="utf-8")
    assert [lang.quotes for lang in load_config(project).languages] == [None, "„”‚’", None]
    bad = (
        text.replace('name = "English"\n', 'name = "English"\nquotes = "“”"\n')
        .replace('quotes = "“”‘’"', 'quotes = "abcd"')
        .replace('name = "Română"\n', 'name = "Română"\nquotes = 4\n')
    )
    (project / "pressgen.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(PressgenError) as caught:
        load_config(project)
    advice = 'write the double opening and closing marks, then the single ones, such as "“”‘’" or "„”‚’"'
    assert [d.message for d in caught.value.diagnostics] == [
        f"languages[0].quotes: '“”' is not four quote marks: {advice}",
        f"languages[1].quotes: 'abcd' is not four quote marks: {advice}",
        f"languages[2].quotes: 4 is not four quote marks: {advice}",
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("timeout = 0\n", "translation.timeout: must be a number of seconds between 0 and 600"),
        ("deadline = -1\n", "translation.deadline: must be a number of seconds between 0 and 86400"),
        ('deadline = "1h"\n', "translation.deadline: must be a number of seconds between 0 and 86400"),
        ("deadline = true\n", "translation.deadline: must be a number of seconds between 0 and 86400"),
    ],
)
def test_machine_translation_time_limits_are_seconds(lines: str, message: str, project: Path) -> None:
    config = project / "pressgen.toml"
    config.write_text(config.read_text(encoding="utf-8") + lines, encoding="utf-8")
    with pytest.raises(PressgenError) as caught:
        load_config(project)
    assert [d.message for d in caught.value.diagnostics] == [message]


def test_machine_translation_time_limits_are_read(project: Path) -> None:
    config = project / "pressgen.toml"
    config.write_text(config.read_text(encoding="utf-8") + "timeout = 5\ndeadline = 90.5\n", encoding="utf-8")
    loaded = load_config(project)
    assert (loaded.provider_timeout, loaded.provider_deadline) == (5.0, 90.5)
    assert load_config(REPO).provider_deadline == 3600.0
