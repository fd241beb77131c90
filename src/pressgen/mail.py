"""Mail: a release's e-mail in one language, rendered once and addressed to each subscriber.

An `Edition` is what every subscriber of one kind gets: the subject, a `multipart/mixed` body
holding a `multipart/alternative` (the plain text, then the HTML) and the PDF. The HTML is
rendered from `templates/mail.html` with the same renderer, interface catalog and localised texts
as the release's page (`render.Renderer`, `gather.Document.localised`); its relative URLs are
resolved against the page (`feeds.absolute_urls`), `templates/mail.css` is inlined into each
element by css-inline (mail clients drop `<style>`), and the plain text is that HTML read as text
(`plaintext.py`). The body is encoded once per edition; a subscriber's message is its own
headers, written by `email.message.EmailMessage` with the SMTP policy (an address or a name that
could forge a header is refused by `email.headerregistry`, never concatenated), before those bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import TypedDict
from urllib.parse import quote, urlsplit

from babel import Locale
from markupsafe import Markup

from pressgen.config import DEFAULT_PDF_VARIANT, Config, Language, MailConfig
from pressgen.deliveries import Delivery
from pressgen.errors import Diagnostic, PressgenError
from pressgen.feeds import absolute_urls
from pressgen.files import real_dir
from pressgen.filters import format_size
from pressgen.gather import Document
from pressgen.localise import LocalisedRelease, UpdateView, format_moment, smart_quotes
from pressgen.plaintext import html_to_text
from pressgen.render import Renderer, SiteContext
from pressgen.writing import Renderers

MAIL_CSS = "mail.css"
# Headers are folded only past RFC 5322's hard limit: folded at 78, a long address or subject
# begins on a line of its own, which some readers (Python's among them) keep as a leading space.
HEADER_POLICY = SMTP.clone(max_line_length=998)
# The headers a DKIM signature covers: who, what, when, and how the body is to be read.
SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"Reply-To",
    b"In-Reply-To",
    b"References",
    b"Content-Language",
    b"List-Id",
    b"List-Unsubscribe",
    b"MIME-Version",
    b"Content-Type",
)


@dataclass(frozen=True)
class Notice:
    """A sentence of the e-mail in a language of its own (marked with `lang`)."""

    lang: str
    text: Markup


@dataclass(frozen=True)
class UpdateNotice:
    """An update sent to those who had an earlier version: the release's date and the notes since."""

    date_text: str
    notes: tuple[UpdateView, ...]


class MailContext(TypedDict):
    site: SiteContext
    release: LocalisedRelease
    subject: str
    embargo: list[Notice]  # "EMBARGOED until …" in the reader's language (and the version's, if another)
    notices: list[Notice]  # the reader's language is not published: said in theirs and in the version's
    update: UpdateNotice | None
    page_url: str
    pdf_url: str
    pdf_size: str
    list_label: str  # the list's name in the language's quote marks
    unsubscribe_url: str  # mailto:, as List-Unsubscribe
    unsubscribe_address: str


@dataclass(frozen=True)
class Edition:
    """One e-mail as every subscriber of one kind gets it, encoded once."""

    subject: str
    fixed: bytes  # the headers every subscriber gets alike: From, Subject, Content-Language, List-Id …
    head: bytes  # MIME-Version and Content-Type of the whole message, each line with its CRLF
    body: bytes  # the MIME body after them
    html: str  # the HTML part, as sent
    text: str  # the plain text part


@dataclass(frozen=True)
class Letter:
    """What one subscriber's message says about them and its place in the conversation."""

    to: Address
    message_id: str
    date: dt.datetime
    list_name: str
    refers_to: str | None = None  # an update: the Message-ID of the message it updates


def render_edition(
    config: Config,
    mail: MailConfig,
    renderers: Renderers,
    document: Document,
    pdf: bytes,
    reader: Language,
    update: UpdateNotice | None,
    list_name: str,
) -> Edition:
    """Render a release's e-mail in the language of `document`, for readers of `reader`, with its PDF."""
    renderer = renderers[document.lang]
    release = document.localised()
    languages = [reader] if reader.code == document.lang else [reader, document.language]
    notices: list[Notice] = []
    if reader.code != document.lang:
        notices = [Notice(lang.code, _fallback_notice(renderers[lang.code], reader, document)) for lang in languages]
    embargo: list[Notice] = []
    if release.embargo_text is not None and release.release.embargo is not None:
        for language in languages:
            moment = format_moment(release.release.embargo, language, config)
            text = renderers[language.code].render("mail-embargo.html", {"moment": moment})
            embargo.append(Notice(language.code, Markup(text.strip())))
    subject_context = {"release": release, "update": update, "embargo": embargo[0].text if embargo else None}
    subject = " ".join(html.unescape(renderer.render("mail-subject.html", subject_context)).split())
    page = document.page
    unsubscribe = f"mailto:{mail.unsubscribe}?subject={quote(f'Unsubscribe {list_name}')}"
    context = MailContext(
        site=renderer.site(page),
        release=release,
        subject=subject,
        embargo=embargo,
        notices=notices,
        update=update,
        page_url=page.url(config.base_url),
        pdf_url=document.pdf.url(config.base_url),
        pdf_size=format_size(len(pdf), document.language),
        list_label=smart_quotes(f'"{list_name}"', document.lang, document.language.quotes),
        unsubscribe_url=unsubscribe,
        unsubscribe_address=mail.unsubscribe,
    )
    page_html = absolute_urls(renderer.render("mail.html", context), page.url(config.base_url))
    inlined = _inline_css(config, page_html)
    text = html_to_text(inlined)

    message = EmailMessage(policy=SMTP)
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(inlined, subtype="html", charset="utf-8")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=document.pdf.path.rsplit("/", 1)[1])
    # Boundaries from the content, so that the same edition is the same bytes in every run.
    digest = hashlib.sha256(text.encode() + inlined.encode() + pdf).hexdigest()
    message.set_boundary(f"pressgen-mixed-{digest[:32]}")
    alternative = message.get_payload(0)
    assert isinstance(alternative, EmailMessage)
    alternative.set_boundary(f"pressgen-alternative-{digest[:32]}")
    head, _, body = message.as_bytes().partition(b"\r\n\r\n")
    content_languages = ", ".join(dict.fromkeys([document.lang, *(notice.lang for notice in notices)]))
    fixed = _fixed_headers(subject, content_languages, _reply_to(release, document), list_name, config, mail)
    return Edition(subject, fixed, head + b"\r\n", body, inlined, text)


def _fallback_notice(renderer: Renderer, reader: Language, document: Document) -> Markup:
    """Say, in the renderer's language, that the reader's language is not published and which one is sent."""
    locale = renderer.language.locale

    def name(language: Language) -> str:
        return Locale.parse(language.locale_id).get_language_name(locale) or language.name

    context = {"language": name(reader), "source": name(document.language)}
    return Markup(renderer.render("mail-notice.html", context).strip())


def _inline_css(config: Config, page: str) -> str:
    """Inline `templates/mail.css` into each element's style attribute (css-inline; nothing is fetched)."""
    import css_inline

    css_path = config.templates_dir / MAIL_CSS
    css = css_path.read_text(encoding="utf-8") if css_path.is_file() else ""
    try:
        inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_link_tags=False, extra_css=css or None)
        return inliner.inline(page)
    except (css_inline.InlineError, ValueError) as exc:
        raise PressgenError(f"the e-mail's styles cannot be inlined: {exc}", css_path) from None


def _reply_to(release: LocalisedRelease, document: Document) -> Address | None:
    """Return the release's first contact with an e-mail address, who answers replies."""
    for contact in release.contacts:
        if contact.email:
            try:
                return Address(display_name=contact.name, addr_spec=contact.email)
            except (ValueError, IndexError):
                raise PressgenError(
                    f"the contact {contact.name!r} has an e-mail address that is not one: {contact.email!r}",
                    document.source,
                ) from None
    return None


def message_id(slug: str, version: str, key: str, mail: MailConfig) -> str:
    """Return the Message-ID of a release's version to one subscriber: the same in every run."""
    digest = hashlib.sha256(f"{slug}\0{version}\0{key}".encode()).hexdigest()[:40]
    return f"<{digest}.{slug}@{mail.sender_address.rsplit('@', 1)[1]}>"


def list_id(list_name: str, config: Config) -> str:
    """Return a list's List-Id: its name under the site's host name (RFC 2919)."""
    host = urlsplit(config.base_url).hostname or "localhost"
    return f"<{list_name}.{host}>"


def address_letter(edition: Edition, letter: Letter) -> bytes:
    """Return one subscriber's message: the edition's headers, theirs, then the edition's body."""
    head = EmailMessage(policy=HEADER_POLICY)
    head["To"] = letter.to
    head["Date"] = format_datetime(letter.date)
    head["Message-ID"] = letter.message_id
    if letter.refers_to is not None:
        head["In-Reply-To"] = letter.refers_to
        head["References"] = letter.refers_to
    return edition.fixed + head.as_bytes()[:-2] + edition.head + b"\r\n" + edition.body


def _fixed_headers(
    subject: str, languages: str, reply_to: Address | None, list_name: str, config: Config, mail: MailConfig
) -> bytes:
    """Return the headers every subscriber of an edition gets alike, written once for all of them."""
    head = EmailMessage(policy=HEADER_POLICY)
    head["From"] = Address(display_name=mail.sender_name, addr_spec=mail.sender_address)
    head["Subject"] = subject
    if reply_to is not None:
        head["Reply-To"] = reply_to
    head["Content-Language"] = languages
    head["List-Id"] = list_id(list_name, config)
    head["List-Unsubscribe"] = f"<mailto:{mail.unsubscribe}?subject={quote(f'Unsubscribe {list_name}')}>"
    head["Precedence"] = "bulk"  # no out-of-office replies to the press office, please
    return head.as_bytes()[:-2]


def read_dkim_key(environ: Mapping[str, str]) -> bytes:
    """Return the DKIM private key named by PRESSGEN_DKIM_KEY (a PEM file, kept out of the project)."""
    name = environ.get("PRESSGEN_DKIM_KEY")
    if not name:
        raise PressgenError("[mail.dkim] is configured, but PRESSGEN_DKIM_KEY names no private key file")
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise PressgenError(f"cannot read the DKIM key: {exc.strerror}", name) from None


def sign(message: bytes, mail: MailConfig, key: bytes) -> bytes:
    """Return the message with a DKIM-Signature header first (dkimpy, relaxed/simple, rsa-sha256)."""
    import dkim

    assert mail.dkim is not None
    signature = dkim.sign(
        message,
        mail.dkim.selector.encode(),
        mail.dkim.domain.encode(),
        key,
        include_headers=[name for name in SIGNED_HEADERS if _has_header(message, name)],
    )
    return bytes(signature) + message


def _has_header(message: bytes, name: bytes) -> bool:
    head = message.partition(b"\r\n\r\n")[0].lower()
    return head.startswith(name.lower() + b":") or b"\r\n" + name.lower() + b":" in head


class Editions:
    """The editions of one release in one run: its documents, renderers and PDFs, each made once.

    The documents are those the public build renders (`gather.public_documents`, with the memo
    of the last public build, so that nothing is read twice), for the pack before the embargo:
    so the texts are the published ones, with their updates, and before the embargo the e-mail
    and its PDF say "embargoed until …". Each PDF is the one the public build publishes (the
    embargoed pack's, before the embargo): the same print HTML through the same cache
    (`cache.PdfCache`), rendered by `pdf.PdfWriter` only if the cache has no copy.
    """

    def __init__(self, config: Config, mail: MailConfig, slug: str, embargoed: bool, now: dt.datetime):
        from pressgen.cache import Memo, Sources, read_state
        from pressgen.gather import public_documents
        from pressgen.options import BuildOptions, BuildReport

        self.config = config
        self.mail = mail
        options = BuildOptions(embargoed=embargoed, now=now)
        sources = Sources.scan(config)
        memo = Memo(read_state(config, config.output_dir).get("memo"))
        found = public_documents(config, sources, memo, options, now, BuildReport(out_dir=config.output_dir))
        self.documents = {document.lang: document for document in found if document.slug == slug}
        self.renderers = Renderers(config, sources, options)
        self.made: dict[tuple[str, str, str, str | None], Edition] = {}
        self.pdfs: dict[str, bytes] = {}
        self.warnings: list[Diagnostic] = []

    def edition(self, delivery: Delivery) -> Edition:
        """Return the edition a delivery sends (rendered the first time it is asked for)."""
        key = (
            delivery.lang,
            delivery.reader_lang if delivery.reader_lang != delivery.lang else "",
            delivery.list,
            delivery.since,
        )
        edition = self.made.get(key)
        if edition is None:
            document = self.documents[delivery.lang]
            update = None
            if delivery.since is not None:
                since = dt.datetime.fromisoformat(delivery.since)
                notes = tuple(u for u in document.localised().updates if u.at > since)
                update = UpdateNotice(document.localised().date_text, notes)
            edition = render_edition(
                self.config,
                self.mail,
                self.renderers,
                document,
                self.pdf(document),
                self.config.language(delivery.reader_lang),
                update,
                delivery.list,
            )
            self.made[key] = edition
        return edition

    def pdf(self, document: Document) -> bytes:
        """Return the PDF of a document as the build publishes it: from the build's cache, or rendered into it."""
        data = self.pdfs.get(document.lang)
        if data is not None:
            return data
        from pressgen.cache import PdfCache
        from pressgen.segment import release_assets
        from pressgen.writing import print_html

        config = self.config
        print_page = print_html(document, self.renderers)
        cache = PdfCache(config, DEFAULT_PDF_VARIANT)
        assets = release_assets(document.release())
        folder_name = document.folder.relative_to(config.root).as_posix()
        key = cache.key(print_page, assets, folder_name)
        with tempfile.TemporaryDirectory(prefix="mail-", dir=real_dir(config.cache_dir, config.root)) as folder:
            dest = Path(folder) / document.pdf.path.rsplit("/", 1)[1]
            warnings = cache.get(key, dest)
            if warnings is None:
                from pressgen.pdf import PdfWriter
                from pressgen.sandbox import ProjectFiles

                pictures = [asset.relative_to(config.root).as_posix() for asset in assets]
                writer = PdfWriter(ProjectFiles(config.root), DEFAULT_PDF_VARIANT)
                warnings = writer.write(print_page, folder_name, pictures, dest)
                cache.put(key, dest, warnings)
            data = dest.read_bytes()
        for warning in warnings:
            self.warnings.append(Diagnostic(f"{dest.name}: {warning}", document.source, severity="warning"))
        self.pdfs[document.lang] = data
        return data
