"""Pictures: only picture types under picture names.

The pictures are made here with Pillow, carrying what cameras, phones and editors write: EXIF
(GPS position, body serial number, artist, maker notes, a user comment), XMP with a position,
IPTC (by-line, city, credit, copyright), PNG text chunks (tEXt, zTXt, iTXt with XMP) and eXIf,
WebP EXIF and XMP chunks, a GIF comment, and bytes after the end of a JPEG.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, PngImagePlugin
from PIL.TiffImagePlugin import IFDRational

from conftest import Cli
from helpers import add_release

# What must never be published: each is written into a picture's metadata below.
SECRETS = (
    *(b"Jane Photographer", b"SERIAL-0123456789", b"MAKERNOTE", b"COMMENT-SECRET", b"CITY-SECRET", b"BYLINE"),
    *(b"GPS", b"52,4.8N", b"TRAILER-SECRET", b"TEXT-SECRET", b"ZTXT", b"Canon"),
)
NAMES = "a picture's name must end in .jpg, .jpeg, .png, .webp or .gif"
COPYRIGHT = "Copyright Ministry of Defence"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="52,4.8N" '
    'exif:GPSLongitude="4,18.7E"/></rdf:RDF></x:xmpmeta>'
)
SLUG = "2024-06-12-new-radar"
EMBARGOED = "2024-06-14-secret-radar"
NOW = "2024-06-12T12:00:00+00:00"


def camera_exif(orientation: int = 6) -> Image.Exif:
    """Return the EXIF a camera writes: orientation, copyright, and what is private."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8298] = COPYRIGHT
    exif[0x013B] = "Jane Photographer, +31 6 12345678"  # Artist
    exif[0x010F], exif[0x0110] = "Canon", "EOS R5"
    details = exif.get_ifd(0x8769)
    details[0xA431] = "SERIAL-0123456789"  # BodySerialNumber
    details[0x927C] = b"MAKERNOTE of the camera"
    details[0x9286] = b"ASCII\0\0\0COMMENT-SECRET"  # UserComment
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (IFDRational(52), IFDRational(4), IFDRational(48))
    gps[3], gps[4] = "E", (IFDRational(4), IFDRational(18), IFDRational(7))
    return exif


def scene() -> Image.Image:
    return Image.radial_gradient("L").resize((900, 600)).convert("RGB")


def iptc_segment() -> bytes:
    """Return a JPEG APP13 segment with IPTC: a by-line and a city (private), credit and copyright."""

    def dataset(record: int, number: int, value: bytes) -> bytes:
        return bytes((0x1C, record, number)) + len(value).to_bytes(2, "big") + value

    iptc = dataset(1, 90, b"\x1b%G") + dataset(2, 0, b"\x00\x04") + dataset(2, 80, b"BYLINE of Jane")
    iptc += dataset(2, 90, b"CITY-SECRET") + dataset(2, 110, b"NATO Photo") + dataset(2, 116, b"(c) NATO 2024")
    resource = b"8BIM\x04\x04\x00\x00" + len(iptc).to_bytes(4, "big") + iptc + b"\0" * (len(iptc) % 2)
    payload = b"Photoshop 3.0\0" + resource
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def jpeg() -> bytes:
    out = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    scene().save(out, "JPEG", exif=camera_exif(), icc_profile=profile, comment=b"COMMENT-SECRET", xmp=XMP.encode())
    data = out.getvalue()
    return data[:2] + iptc_segment() + data[2:] + b"TRAILER-SECRET"


def png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "TEXT-SECRET")
    info.add_text("Copyright", COPYRIGHT)
    info.add_text("Author", "ZTXT Jane", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP)
    out = io.BytesIO()
    scene().save(out, "PNG", pnginfo=info, exif=camera_exif())
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    scene().save(out, "WEBP", exif=camera_exif(), xmp=XMP.encode(), quality=90)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    scene().convert("P").save(out, "GIF", comment=b"COMMENT-SECRET")
    return out.getvalue()


PICTURES: dict[str, Callable[[], bytes]] = {"photo.jpg": jpeg, "chart.png": png, "scan.webp": webp, "logo.gif": gif}


def with_pictures(project: Path, slug: str, title: str, extra: str = "") -> None:
    """Add an English release whose front matter shows photo.jpg and whose body shows the others."""
    front = f"{extra}image:\n  src: photo.jpg\n  alt: The radar\n  credit: NATO\n"
    add_release(project, slug, title, front)
    folder = project / "releases" / slug
    for name, make in PICTURES.items():
        (folder / name).write_bytes(make())
    release = folder / "release.md"
    body = "".join(f"\n![{name}]({name})\n" for name in PICTURES if name != "photo.jpg")
    release.write_text(release.read_text(encoding="utf-8") + body, encoding="utf-8")


def pixels(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def assert_stripped(published: Path, source: Path) -> None:
    """The published picture has the source's pixels, orientation, colour profile and copyright, and no secret."""
    data = published.read_bytes()
    assert [secret for secret in SECRETS if secret in data] == [], published.name
    assert ImageChops.difference(pixels(data), pixels(source.read_bytes())).getbbox() is None
    with Image.open(io.BytesIO(data)) as image, Image.open(source) as original:
        assert image.info.get("icc_profile") == original.info.get("icc_profile")
        if image.format != "GIF":
            assert dict(image.getexif()) == {0x0112: 6, 0x8298: COPYRIGHT}
    if published.suffix == ".jpg":
        assert b"(c) NATO 2024" in data and b"NATO Photo" in data  # IPTC copyright notice and credit


# Only picture types under picture names.

PNG_BYTES = png()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "pic.html",
            PNG_BYTES,
            f"has the extension '.html'; {NAMES}",
        ),
        (
            "pic.htm",
            PNG_BYTES,
            f"has the extension '.htm'; {NAMES}",
        ),
        (
            "pic.svg",
            PNG_BYTES,
            f"has the extension '.svg'; {NAMES}",
        ),
        (
            "pic.xhtml",
            PNG_BYTES,
            f"has the extension '.xhtml'; {NAMES}",
        ),
        ("pic.js", PNG_BYTES, f"has the extension '.js'; {NAMES}"),
        ("pic", PNG_BYTES, f"has no extension; {NAMES}"),
        ("pic.jpg", PNG_BYTES, "is a PNG picture, but its name ends in .jpg; rename it pic.png"),
        ("pic.png", jpeg(), "is a JPEG picture, but its name ends in .png; rename it pic.jpg"),
        ("pic.gif", webp(), "is a WebP picture, but its name ends in .gif; rename it pic.webp"),
    ],
    ids=["html", "htm", "svg", "xhtml", "js", "none", "png-as-jpg", "jpeg-as-png", "webp-as-gif"],
)
def test_a_picture_must_be_named_as_what_it_is(
    name: str, content: bytes, problem: str, project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    add_release(project, SLUG, "A new radar")
    (project / "releases" / SLUG / name).write_bytes(content)
    release = project / "releases" / SLUG / "release.md"
    release.write_text(release.read_text(encoding="utf-8") + f"\n![A picture]({name})\n", encoding="utf-8")
    error = f"releases/{SLUG}/release.md:9: error: image '{name}' {problem}"
    result = cli(project, "build", "--drafts")
    assert (result.code, result.err.splitlines()) == (1, [error])
    assert not (project / "preview").exists()
    # Whether `publish` refuses it or the public build does, it is never published.
    published, public = cli(project, "publish", SLUG, "--now", NOW), cli(project, "build", "--now", NOW)
    assert error in published.err.splitlines() + public.err.splitlines()
    assert [path for path in (project / "public").rglob("*") if path.name.startswith("pic")] == []


@pytest.mark.parametrize("name", ["Photo.JPG", "photo.jpeg", "photo.Jpeg"])
def test_picture_names_in_any_case_are_accepted(name: str, project: Path, cli: Cli) -> None:
    add_release(project, SLUG, "A new radar", f"image:\n  src: {name}\n  alt: The radar\n")
    (project / "releases" / SLUG / name).write_bytes(jpeg())
    result = cli(project, "build", "--drafts")
    assert result.code == 0, result.err
    assert (project / "preview" / "en" / SLUG / name).is_file()
