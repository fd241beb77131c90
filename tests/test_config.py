"""Configuration: validated once, every problem reported with its key path."""

from __future__ import annotations

import subprocess
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


MAIL_TABLE = """
[mail]
from = "Press office <press@example.org>"
smtp = "smtp://127.0.0.1:2525"
[[mail.lists]]
name = "journalists"
[[mail.lists]]
name = "accredited"
embargo = true
"""


def test_mail_is_read_with_its_defaults(project: Path) -> None:
    with (project / "pressgen.toml").open("a", encoding="utf-8") as handle:
        handle.write(MAIL_TABLE)
    mail = load_config(project).mail
    assert mail is not None
    assert (mail.sender_name, mail.sender_address, mail.unsubscribe) == (
        "Press office",
        "press@example.org",
        "press@example.org",
    )
    assert [(entry.name, entry.embargo) for entry in mail.lists] == [("journalists", False), ("accredited", True)]
    assert mail.subscribers == (project / "distribution" / "subscribers.csv").resolve()
    assert mail.log == (project / "distribution" / "deliveries.sqlite").resolve()
    assert (mail.rate, mail.retries, mail.retry_delay, mail.dkim) == (20.0, 5, 10.0, None)


def test_every_mail_problem_is_reported_with_its_key(project: Path) -> None:
    (project / "pressgen.toml").write_text(
        (project / "pressgen.toml").read_text(encoding="utf-8")
        + '\n[mail]\nfrom = "Press office"\nsmtp = "smtp://press:secret@mail.example.org:587"\npassword = "secret"\n'
        'subscribers = "public/subscribers.csv"\nrate = 0\nretry_dealy = 3\n'
        '[[mail.lists]]\nname = "Journalists"\n[[mail.lists]]\nname = "press"\nembargo = "yes"\n',
        encoding="utf-8",
    )
    with pytest.raises(PressgenError) as caught:
        load_config(project)
    assert [d.message for d in caught.value.diagnostics] == [
        "mail.password: credentials are never kept in the project: set PRESSGEN_SMTP_USER and "
        "PRESSGEN_SMTP_PASSWORD (and PRESSGEN_DKIM_KEY for a DKIM key) in the environment",
        "mail.retry_dealy: unknown key (did you mean 'retry_delay'?)",
        "mail.from: 'Press office' is not one address such as \"Press office <press@example.org>\"",
        "mail.smtp: credentials are never kept in the project: set PRESSGEN_SMTP_USER and PRESSGEN_SMTP_PASSWORD",
        "mail.subscribers: 'public/subscribers.csv' lies inside public/: subscribers and the delivery log are "
        "personal data, kept out of the site and the committed sources (use distribution/, which .gitignore keeps "
        "out of git)",
        "mail.lists[0].name: 'Journalists' must be lower-case letters, digits and hyphens (it names the list in its "
        "List-Id header)",
        "mail.lists[1].embargo: must be true or false",
        "mail.rate: must be a number greater than 0, at most 10000",
    ]


def test_the_project_keeps_subscribers_and_the_log_out_of_git() -> None:
    from conftest import REPO

    for name in (
        "distribution/subscribers.csv",
        "distribution/deliveries.sqlite",
        "distribution/deliveries.sqlite-wal",
    ):
        checked = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", name], check=False)
        assert checked.returncode == 0, name


def test_build_table_chooses_where_pdfs_render(project: Path) -> None:
    config = project / "pressgen.toml"
    text = config.read_text(encoding="utf-8")
    assert (load_config(project).executor, load_config(project).scheduler) == ("local", None)
    for address in ("tls://[::1]:8786", "tcp://render.example.org:8786", "127.0.0.1:8786"):
        config.write_text(text + f'\n[build]\nexecutor = "dask"\nscheduler = "{address}"\n', encoding="utf-8")
        assert (load_config(project).executor, load_config(project).scheduler) == ("dask", address)


@pytest.mark.parametrize(
    ("table", "messages"),
    [
        (
            'executor = "dusk"\nschedular = "tcp://h:8786"\n',
            [
                "build.schedular: unknown key (did you mean 'scheduler'?)",
                "build.executor: 'dusk' is not one of local, dask (did you mean 'dask'?)",
            ],
        ),
        (
            'executor = "dask"\nscheduler = "https://scheduler.example.org:8786"\n',
            [
                "build.scheduler: 'https://scheduler.example.org:8786' is not the address of a Dask scheduler, "
                "such as tcp://HOST:8786"
            ],
        ),
        (
            'scheduler = "tcp://h:8786/x"\n',
            ["build.scheduler: 'tcp://h:8786/x' is not the address of a Dask scheduler, such as tcp://HOST:8786"],
        ),
        ("executor = 2\n", ["build.executor: must be a non-empty string"]),
    ],
    ids=["misspelt", "another protocol", "a path", "not a string"],
)
def test_build_table_problems_have_their_key(project: Path, table: str, messages: list[str]) -> None:
    config = project / "pressgen.toml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n[build]\n{table}", encoding="utf-8")
    with pytest.raises(PressgenError) as caught:
        load_config(project)
    assert [d.message for d in caught.value.diagnostics] == messages


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
