"""The e-mail of `pressgen send` as mail clients and relays see it: valid HTML that Chromium shows,
plain text that says the same, TLS with a verified certificate, a login, a DKIM signature."""

from __future__ import annotations

import base64
import ssl
import subprocess
from pathlib import Path

import dkim
import pytest
import trustme

from conftest import SLUG, Cli
from helpers import add_release
from mailserver import mail_server
from test_send import NOW, THREE, by_address, configure, parts, subscribe
from test_site_quality import VNU_JAR, chromium_browser

MINISTERS = "2024-06-01-ministers-meet"


def ministers_release(project: Path, cli: Cli) -> None:
    """Publish, in English only, a release with a contact, a list, a table and a link."""
    extra = (
        "location: The Hague\ncontacts:\n  - name: Anna de Wit\n    role: Spokesperson\n    email: anna@example.org\n"
    )
    add_release(project, MINISTERS, "Ministers meet", extra)
    source = project / "releases" / MINISTERS / "release.md"
    body = (
        "\n## What was agreed\n\n- a shared register\n- a [joint exercise](https://example.org/exercise)\n\n"
        "| Country | Experts |\n| --- | --- |\n| Netherlands | 12 |\n| Romania | 9 |\n"
    )
    source.write_text(source.read_text(encoding="utf-8") + body, encoding="utf-8")
    assert cli(project, "publish", MINISTERS, "--lang", "en", "--now", "2024-06-01T10:00:00+02:00").code == 0


@pytest.mark.browser
def test_the_html_part_is_valid_and_readable_in_chromium(project: Path, cli: Cli, tmp_path: Path) -> None:
    ministers_release(project, cli)
    with mail_server() as server:
        configure(project, server.url)
        subscribe(project, THREE)
        assert cli(project, "send", MINISTERS, "--list", "journalists", "--now", NOW).code == 0
        messages = by_address(server)
    files = []
    for address, *_ in THREE:
        message, text, html, _ = parts(messages[address][0])
        saved = tmp_path / f"{address}.html"
        saved.write_text(html, encoding="utf-8")
        files.append((saved, message["Subject"], text))
        assert "<style" not in html and 'style="' in html  # the CSS is inlined into the elements
    vnu = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", *(str(f) for f, *_ in files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert vnu.returncode == 0, vnu.stderr
    with chromium_browser() as browser:
        context = browser.new_context(java_script_enabled=False)
        context.route("**/*", lambda route: route.abort())  # a mail client loads nothing from the network
        page = context.new_page()
        for path, subject, text in files:
            page.set_content(path.read_text(encoding="utf-8"))
            assert page.title() == subject
            assert page.locator("h1").inner_text() == "Ministers meet"
            shown = page.locator("body").inner_text()
            for words in ("What was agreed", "a shared register", "Netherlands", "Anna de Wit", "Spokesperson"):
                assert words in shown and words in text
            link = page.locator("a", has_text="joint exercise")
            assert link.get_attribute("href") == "https://example.org/exercise"
        nl = page.locator("p.notice[lang=nl]")
        page.set_content(files[1][0].read_text(encoding="utf-8"))
        assert (
            nl.inner_text() == "Dit persbericht is niet in het Nederlands verschenen. Dit is de versie in het Engels."
        )
        context.close()
    text = files[0][2]
    assert "joint exercise <https://example.org/exercise>" in text
    assert "• a shared register" in text and "Netherlands | 12" in text


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_tls_from_the_start_and_after_starttls_with_a_login(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    (project / "distribution").mkdir()
    authority.cert_pem.write_to_path(str(project / "distribution" / "ca.pem"))
    subscribe(project, [THREE[0]])
    monkeypatch.setenv("PRESSGEN_SMTP_USER", "press")
    monkeypatch.setenv("PRESSGEN_SMTP_PASSWORD", "s3cret")
    for implicit in (False, True):
        with mail_server(tls=context, implicit_tls=implicit, login=True) as server:
            assert server.url.startswith("smtps://" if implicit else "smtp://")
            configure(project, server.url)
            untrusted = cli(project, "send", SLUG, "--list", "journalists", "--now", NOW)
            assert untrusted.code == 1
            assert untrusted.err.startswith(f"error: the certificate of {server.url} is not trusted: ")
            assert untrusted.err.endswith("(name the authority that signed it with [mail] ca_file)\n")
            configure(project, server.url, 'ca_file = "distribution/ca.pem"\n')
            monkeypatch.setenv("PRESSGEN_SMTP_PASSWORD", "wrong")
            refused = cli(project, "send", SLUG, "--list", "journalists", "--now", NOW)
            assert refused.code == 1 and refused.err.startswith(f"error: {server.url} refused the login of")
            monkeypatch.setenv("PRESSGEN_SMTP_PASSWORD", "s3cret")
            result = cli(project, "send", SLUG, "--list", "journalists", "--now", NOW, "--retry-uncertain")
            assert result.code == 0, result.err
            assert [m.recipients for m in server.received] == [["jane@example.org"]]
        (project / "distribution" / "deliveries.sqlite").unlink()  # the next server is a new relay


def test_credentials_are_never_sent_without_tls(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    subscribe(project, [THREE[0]])
    monkeypatch.setenv("PRESSGEN_SMTP_USER", "press")
    monkeypatch.setenv("PRESSGEN_SMTP_PASSWORD", "s3cret")
    with mail_server() as server:
        configure(project, server.url)
        result = cli(project, "send", SLUG, "--list", "journalists", "--now", NOW)
        assert (result.code, result.err) == (
            1,
            f"error: {server.url} offers no STARTTLS: credentials are never sent without TLS (use smtps:// or a "
            "server with STARTTLS)\n",
        )
        assert server.received == []


def test_a_configured_dkim_key_signs_every_message(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = tmp_path / "dkim.pem"  # outside the project, as the key of a domain should be
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    looked_up: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        looked_up.append(name)
        return record

    subscribe(project, THREE)
    with mail_server() as server:
        configure(project, server.url, '[mail.dkim]\nselector = "press2024"\n')
        missing = cli(project, "send", SLUG, "--list", "journalists", "--now", NOW)
        assert (missing.code, missing.err) == (
            1,
            "error: [mail.dkim] is configured, but PRESSGEN_DKIM_KEY names no private key file\n",
        )
        monkeypatch.setenv("PRESSGEN_DKIM_KEY", str(key))
        assert cli(project, "send", SLUG, "--list", "journalists", "--now", NOW).code == 0
        for received in server.received:
            assert received.data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple;")
            signature = received.message["DKIM-Signature"]
            assert "d=newsroom.example.org;" in signature and "s=press2024;" in signature
            assert dkim.verify(received.data, dnsfunc=dns)
            tampered = received.data.replace(b"Subject: ", b"Subject: FW: ", 1)
            assert not dkim.verify(tampered, dnsfunc=dns)
    assert set(looked_up) == {b"press2024._domainkey.newsroom.example.org."}
