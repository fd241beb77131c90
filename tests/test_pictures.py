"""Pictures: only picture types under picture names, and published without the metadata a
photographer did not mean to publish (where the camera stood, its serial number, comments).

The pictures are made here with Pillow, carrying what cameras, phones and editors write: EXIF
(GPS position, body serial number, artist, maker notes, a user comment), XMP with a position,
IPTC (by-line, city, credit, copyright), PNG text chunks (tEXt, zTXt, iTXt with XMP) and eXIf,
WebP EXIF and XMP chunks, a GIF comment, and bytes after the end of a JPEG. The tests look at
the bytes published: in public/, in the embargoed pack, where og:image and the JSON-LD point.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, PngImagePlugin
from PIL.TiffImagePlugin import IFDRational

from conftest import Cli, tree_digest
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


def site_setting(project: Path, line: str) -> None:
    """Add a line to the [site] table of the project's pressgen.toml."""
    config = project / "pressgen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[site]\n", f"[site]\n{line}"), encoding="utf-8")


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


@pytest.fixture
def published(project: Path, cli: Cli) -> Path:
    """The bundled project with a published release of pictures and one under embargo, built."""
    with_pictures(project, SLUG, "A new radar")
    with_pictures(project, EMBARGOED, "A secret radar", "embargo: 2024-06-14T09:00+02:00\n")
    for slug in (SLUG, EMBARGOED):
        result = cli(project, "publish", slug, "--now", NOW)
        assert result.code == 0, result.err
    built = cli(project, "build", "--now", NOW)
    assert built.code == 0, built.err
    return project


def test_published_pictures_carry_no_private_metadata(published: Path, cli: Cli) -> None:
    page = published / "public" / "en" / SLUG
    for name in PICTURES:
        assert_stripped(page / name, published / "releases" / SLUG / name)
    html = (page / "index.html").read_text(encoding="utf-8")
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    assert og_image is not None and og_image.group(1).endswith(f"/en/{SLUG}/photo.jpg")
    json_ld = json.loads(re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)[0])
    assert json_ld["image"] == og_image.group(1)
    # The download list says the size of the file it links to.
    size = (page / "photo.jpg").stat().st_size
    assert f"{size / 1000:.0f}\u00a0kB" in html

    pack = cli(published, "build", "--embargoed", "--out", str(published / "pack"), "--now", NOW)
    assert pack.code == 0, pack.err
    for name in PICTURES:
        assert_stripped(published / "pack" / "en" / EMBARGOED / name, published / "releases" / EMBARGOED / name)


def test_a_changed_picture_is_stripped_anew_as_a_clean_build_would(published: Path, cli: Cli) -> None:
    source = published / "releases" / SLUG / "chart.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "TEXT-SECRET of the second version")
    Image.radial_gradient("L").resize((700, 300)).save(source, "PNG", pnginfo=info, exif=camera_exif())
    assert cli(published, "publish", SLUG, "--note", "A better chart.", "--now", "2024-06-12T13:00Z").code == 0
    assert cli(published, "build", "--now", "2024-06-12T14:00Z").code == 0
    assert_stripped(published / "public" / "en" / SLUG / "chart.png", source)
    incremental = tree_digest(published / "public")
    for made in (".pressgen-cache", "public"):  # a clean build, in the same folder
        shutil.rmtree(published / made)
    assert cli(published, "build", "--now", "2024-06-12T14:00Z").code == 0
    assert tree_digest(published / "public") == incremental


def test_a_release_may_keep_its_pictures_metadata_with_a_warning(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    with_pictures(project, SLUG, "A new radar", "picture_metadata: keep\n")
    assert cli(project, "publish", SLUG, "--now", NOW).code == 0
    result = cli(project, "build", "--now", NOW)
    assert result.code == 0
    assert f"releases/{SLUG}/release.md:5: warning: picture_metadata: keep: this release's pictures are published " in (
        result.err
    )
    for name in PICTURES:
        published = project / "public" / "en" / SLUG / name
        assert published.read_bytes() == (project / "releases" / SLUG / name).read_bytes()


def test_a_site_may_keep_its_pictures_metadata_with_a_warning(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    site_setting(project, 'picture_metadata = "keep"\n')
    with_pictures(project, SLUG, "A new radar")
    assert cli(project, "publish", SLUG, "--now", NOW).code == 0
    result = cli(project, "build", "--now", NOW)
    assert result.code == 0
    assert result.err.splitlines()[0] == (
        'pressgen.toml: warning: site.picture_metadata = "keep": pictures are published with their metadata '
        "(GPS position, camera serial number, comments); remove it to strip them"
    )
    published = project / "public" / "en" / SLUG / "photo.jpg"
    assert published.read_bytes() == (project / "releases" / SLUG / "photo.jpg").read_bytes()


def test_check_warns_about_pictures_that_say_where_they_were_taken(
    project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    with_pictures(project, SLUG, "A new radar")
    result = cli(project, "check")
    located = [line for line in result.out.splitlines() if ": metadata: " in line]
    fate = "the copy published leaves it out, but the file in the project keeps it"
    release = f"releases/{SLUG}/release.md"
    assert [line.split(": warning: ", 1)[1] for line in located] == [
        f"metadata: picture '{name}' records where it was taken (a GPS position); {fate}"
        for name in ("photo.jpg", "chart.png", "scan.webp")  # the GIF has no position
    ]
    assert located[0].startswith(f"{release}:5: warning:")


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


# Every kind of picture comes out whole: the same frames, the same pixels.


def frames(data: bytes) -> list[bytes]:
    with Image.open(io.BytesIO(data)) as image:
        found = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            found.append(image.convert("RGBA").tobytes())
        return found


def _saved(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _animation(mode: str) -> list[Image.Image]:
    return [Image.radial_gradient("L").rotate(angle).resize((120, 80)).convert(mode) for angle in (0, 90, 180)]


KINDS_OF_PICTURE: dict[str, Callable[[], bytes]] = {
    "progressive JPEG with restart markers": lambda: _saved(
        scene(), "JPEG", progressive=True, restart_marker_blocks=4, exif=camera_exif(), comment=b"COMMENT-SECRET"
    ),
    "CMYK JPEG (its Adobe segment kept)": lambda: _saved(scene().convert("CMYK"), "JPEG", exif=camera_exif()),
    "greyscale JPEG": lambda: _saved(scene().convert("L"), "JPEG", comment=b"COMMENT-SECRET"),
    "interlaced 16-bit PNG": lambda: _saved(scene().convert("I;16"), "PNG", exif=camera_exif()),
    "palette PNG with transparency": lambda: _saved(scene().convert("P"), "PNG", transparency=0, exif=camera_exif()),
    "animated PNG": lambda: _saved(
        _animation("RGBA")[0], "PNG", save_all=True, append_images=_animation("RGBA")[1:], exif=camera_exif()
    ),
    "lossless WebP with alpha": lambda: _saved(scene().convert("RGBA"), "WEBP", lossless=True, exif=camera_exif()),
    "animated WebP": lambda: _saved(
        _animation("RGB")[0], "WEBP", save_all=True, append_images=_animation("RGB")[1:], exif=camera_exif()
    ),
    "animated GIF": lambda: _saved(
        _animation("P")[0], "GIF", save_all=True, append_images=_animation("P")[1:], loop=0, comment=b"COMMENT-SECRET"
    ),
}


@pytest.mark.parametrize("kind", KINDS_OF_PICTURE, ids=list(KINDS_OF_PICTURE))
def test_every_kind_of_picture_comes_out_whole(kind: str) -> None:
    from pressgen.images import strip_metadata

    original = KINDS_OF_PICTURE[kind]()
    stripped = strip_metadata(original).data
    assert [secret for secret in SECRETS if secret in stripped] == []
    assert frames(stripped) == frames(original)
    with Image.open(io.BytesIO(stripped)) as image:
        image.verify()
        assert image.getexif().get(0x0112) == (6 if b"Canon" in original else None)
    assert len(stripped) < len(original)
    if b"Adobe" in original:  # how to read a CMYK picture's colours: browsers need it
        assert b"Adobe" in stripped


def test_a_position_written_in_xmp_alone_is_found(project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    add_release(project, SLUG, "A new radar", "image:\n  src: photo.jpg\n  alt: The radar\n")
    (project / "releases" / SLUG / "photo.jpg").write_bytes(_saved(scene(), "JPEG", xmp=XMP.encode()))
    result = cli(project, "check")
    assert f"releases/{SLUG}/release.md:5: warning: metadata: picture 'photo.jpg' records where it was taken" in (
        result.out
    )


@pytest.mark.parametrize(
    ("where", "text", "error"),
    [
        (
            "release",
            "picture_metadata: maybe\n",
            f"releases/{SLUG}/release.md:5: error: picture_metadata must be 'strip' or 'keep', not 'maybe'",
        ),
        (
            "site",
            'picture_metadata = "maybe"\n',
            'pressgen.toml: error: site.picture_metadata: must be "strip" (the default) or "keep", not \'maybe\'',
        ),
    ],
)
def test_picture_metadata_is_strip_or_keep(
    where: str, text: str, error: str, project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    if where == "site":
        site_setting(project, text)
        add_release(project, SLUG, "A new radar")
    else:
        add_release(project, SLUG, "A new radar", text)
    result = cli(project, "build", "--drafts")
    assert (result.code, result.err.splitlines()) == (1, [error])
