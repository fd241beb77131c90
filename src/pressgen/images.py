"""Pictures on the web: light copies for the screen, the original for download.

A press photo is often thousands of pixels wide and megabytes heavy; a phone shows it 400 pixels
wide. Each picture of a release page gets WebP copies at a few widths (`srcset`), so a browser
loads the smallest that is sharp on its screen, and the original file stays beside the page for
journalists to download. PDFs embed each picture at 300 dpi for its printed size (WeasyPrint's
`dpi` option, `pdf.PRINT_DPI`), not the original. Copies are made once and kept in
`.pressgen-cache/images/`, by the keyed digest of the original (`cache.keyed`), sealed
(`cache.seal`) and read back only from regular files (`files.read_cached`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import shutil
import zlib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from pressgen.cache import keyed, seal, unseal
from pressgen.files import read_cached, real_dir, write_cached

if TYPE_CHECKING:
    from PIL.Image import Image as PictureImage

# Widths of the copies, in pixels: a phone (1× and 2×), the column on a desktop (1× and 2×).
WIDTHS = (480, 800, 1280, 1600)
# The copy that `src` names, for browsers that ignore `srcset`.
DEFAULT_WIDTH = 800
# How wide the picture is shown: the text column (44rem at most, less 2rem of padding).
SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"
WEBP_QUALITY = 80

CACHE_FOLDER = Path(".pressgen-cache") / "images"
# The largest web copy read back from the cache: a 1600-pixel WebP is a few hundred kilobytes.
MAX_COPY_BYTES = 32_000_000


@dataclass(frozen=True)
class ImageFile:
    """What a picture's original file is: upright pixel size, format and bytes."""

    width: int
    height: int
    format: str  # PNG, JPEG, GIF or WEBP
    size: int

    @property
    def widths(self) -> tuple[int, ...]:
        """Return the widths of the web copies: none for small pictures and GIFs (animations)."""
        if self.format == "GIF" or self.width <= WIDTHS[0]:
            return ()
        return tuple(sorted({w for w in WIDTHS if w < self.width} | {min(self.width, WIDTHS[-1])}))


def image_file(path: Path, keep_metadata: bool = False) -> ImageFile | None:
    """Read the size and format of a picture (its header only), and the size of the file published
    for it (`write_original`); None if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            # A camera's EXIF orientation 5 to 8 turns the picture a quarter: browsers apply it.
            if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                width, height = height, width
            kind = image.format or ""
        return ImageFile(width, height, kind, published_size(path, keep_metadata))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def variant_name(src: str, width: int) -> str:
    """Return the file name of the web copy of `src` at `width` pixels, beside the original."""
    return f"{src}.{width}w.webp"


def default_src(src: str, file: ImageFile | None) -> str:
    """Return what `<img src>` names: a middle-sized copy, or the original if it has none."""
    if file is None or not file.widths:
        return src
    fitting = [w for w in file.widths if w <= DEFAULT_WIDTH]
    return variant_name(src, fitting[-1] if fitting else file.widths[0])


def srcset(src: str, file: ImageFile | None) -> str:
    """Return the `srcset` of a picture's web copies, empty if it has none."""
    if file is None:
        return ""
    return ", ".join(f"{variant_name(src, w)} {w}w" for w in file.widths)


def write_variants(project_root: Path, release_folder: Path, sources: list[Path], dest: Path) -> None:
    """Write the web copies of each picture in `sources` into `dest`, beside their originals."""
    from PIL import Image, ImageOps

    cache = real_dir(project_root / CACHE_FOLDER, project_root)
    for source in sources:
        file = image_file(source)
        if file is None or not file.widths:
            continue
        src = source.relative_to(release_folder).as_posix()
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        missing = []
        for width in file.widths:
            # A keyed name and a sealed content: a file planted in the cache is never taken for a copy.
            cached = cache / f"{keyed('webp', digest, width, WEBP_QUALITY, version('pillow'))}.webp"
            target = dest / variant_name(src, width)
            target.parent.mkdir(parents=True, exist_ok=True)
            sealed = read_cached(cached, MAX_COPY_BYTES)
            data = unseal(cached.name, sealed) if sealed is not None else None
            if data is not None:
                target.write_bytes(data)
            else:
                missing.append((width, cached, target))
        if not missing:
            continue
        with Image.open(source) as opened:
            image = ImageOps.exif_transpose(opened)
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
            for width, cached, target in missing:
                height = max(1, round(image.height * width / image.width))
                copy = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
                encoded = io.BytesIO()
                copy.save(encoded, "WEBP", quality=WEBP_QUALITY, method=4)
                write_cached(cached, seal(cached.name, encoded.getvalue()))
                target.write_bytes(encoded.getvalue())


# --- the original offered for download: without what a photographer did not mean to publish -----

# What is kept of a picture's metadata: how to show it (EXIF orientation, the colour profile,
# a PNG's gamma and chromaticities, a GIF's loop count) and who owns it (EXIF Copyright, IPTC
# Credit, Source and Copyright Notice, a PNG text chunk named Copyright). Everything else goes:
# the GPS position and every other EXIF tag (camera, lens and serial numbers, the owner's and
# artist's names, dates, maker notes, the thumbnail), XMP (which repeats all that, and an edit
# history), IPTC's other fields (by-line, city, caption, keywords, contact details), comments,
# and whatever follows the end of the picture (a second image, a phone's trailer).
EXIF_ORIENTATION, EXIF_COPYRIGHT, EXIF_GPS = 0x0112, 0x8298, 0x8825
KEPT_IPTC = {(1, 90), (2, 0), (2, 110), (2, 115), (2, 116)}  # charset, version, credit, source, copyright
PNG_KEPT = {
    *(b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP"),
    *(b"mDCV", b"mDCv", b"cLLI", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT"),
}
PNG_TEXT = {b"tEXt", b"iTXt", b"zTXt"}
WEBP_KEPT = {b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
GIF_APPLICATIONS = {b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"}  # loop count, ICC profile
JPEG_SIGNATURE, PNG_SIGNATURE = b"\xff\xd8", b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Stripped:
    """A picture's bytes without its private metadata, and what the original told of where it was taken."""

    data: bytes
    gps: bool


def strip_metadata(data: bytes) -> Stripped:
    """Return a JPEG, PNG, WebP or GIF picture without the metadata `KEPT_*` does not name, losslessly.

    The pixels' bytes are copied as they are; only metadata segments, chunks and blocks are
    dropped or rewritten. Raise ValueError for a file whose structure is not understood.
    """
    if data.startswith(JPEG_SIGNATURE):
        return _strip_jpeg(data)
    if data.startswith(PNG_SIGNATURE):
        return _strip_png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _strip_webp(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Stripped(_strip_gif(data), False)
    raise ValueError("not a JPEG, PNG, WebP or GIF picture")


def stripped_file(path: Path) -> Stripped:
    """Return `strip_metadata` of a picture file, or the picture encoded again where its structure
    is not one this reader follows (Pillow read it, or it would not have passed the checks)."""
    data = path.read_bytes()
    try:
        return strip_metadata(data)
    except ValueError:
        return Stripped(_reencoded(data), _has_gps_position(data))


@functools.lru_cache(maxsize=256)
def _stripped_size(path: Path, identity: tuple[int, int, int, int]) -> int:
    return len(stripped_file(path).data)


def published_size(path: Path, keep_metadata: bool) -> int:
    """Return the size of the file `write_original` publishes for a picture."""
    status = os.stat(path)
    if keep_metadata:
        return status.st_size
    return _stripped_size(path, (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns))


def write_original(source: Path, dest: Path, keep_metadata: bool) -> None:
    """Write the original picture offered for download: without its private metadata, unless it is to be kept."""
    if keep_metadata:
        shutil.copyfile(source, dest)
    else:
        dest.write_bytes(stripped_file(source).data)


def _reencoded(data: bytes) -> bytes:
    """Return the picture encoded again by Pillow with its colour profile and orientation, and nothing else."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        kind = image.format or "PNG"
        options: dict[str, object] = {}
        if kind != "GIF" and image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        orientation = image.getexif().get(EXIF_ORIENTATION)
        if isinstance(orientation, int) and kind != "GIF":
            exif = Image.Exif()
            exif[EXIF_ORIENTATION] = orientation
            options["exif"] = exif.tobytes()
        if kind == "JPEG":
            options.update(quality="keep", subsampling="keep")
        out = io.BytesIO()
        image.save(out, kind, save_all=kind in ("GIF", "WEBP", "PNG"), **options)
    return out.getvalue()


def gps_position(path: Path) -> bool:
    """Say whether a picture's metadata records where it was taken: a GPS latitude or longitude in
    its EXIF, or in its XMP (read by Pillow from the file's header)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return _located(image)
    except Exception:  # a file Pillow cannot read says nothing: the checks of pictures report it
        return False


def _has_gps_position(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return _located(image)
    except Exception:  # Pillow's EXIF reader raises what the file provokes
        return False


def _located(image: PictureImage) -> bool:
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    in_xmp = (b"GPSLatitude" if isinstance(xmp, bytes) else "GPSLatitude") in xmp
    return in_xmp or bool({2, 4} & set(image.getexif().get_ifd(EXIF_GPS)))


# JPEG: a list of marker segments, then the compressed data of each scan.


def _strip_jpeg(data: bytes) -> Stripped:
    out, gps, pos = [JPEG_SIGNATURE], False, 2
    while True:
        if pos + 1 >= len(data) or data[pos] != 0xFF:
            raise ValueError("no JPEG marker where one must be")
        while data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos + 1]
        if marker == 0xD9:  # the end: whatever follows is not part of the picture
            out.append(b"\xff\xd9")
            return Stripped(b"".join(out), gps)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(data[pos : pos + 2])
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise ValueError("a JPEG segment runs past the end of the file")
        payload = data[pos + 4 : end]
        if marker == 0xDA:  # a scan: its compressed data runs to the next marker that is not a restart
            scan_end = end
            while True:
                scan_end = data.find(b"\xff", scan_end)
                if scan_end < 0 or scan_end + 1 >= len(data):
                    raise ValueError("a JPEG scan runs past the end of the file")
                if data[scan_end + 1] == 0 or 0xD0 <= data[scan_end + 1] <= 0xD7:
                    scan_end += 2
                    continue
                break
            out.append(data[pos:scan_end])
            pos = scan_end
            continue
        kept: bytes | None = data[pos:end]
        if marker == 0xE1 and payload.startswith(b"Exif\0\0"):
            tiff = _exif_kept(payload[6:])
            gps = gps or _exif_has_gps(payload[6:])
            kept = _segment(0xE1, b"Exif\0\0" + tiff) if tiff is not None else None
        elif marker == 0xE1:
            gps = gps or b"GPSLatitude" in payload  # XMP
            kept = None
        elif marker == 0xED:
            iptc = _iptc_kept(payload)
            kept = _segment(0xED, iptc) if iptc is not None else None
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:
            keep = (
                (marker == 0xE0 and payload.startswith((b"JFIF\0", b"JFXX\0")))
                or (marker == 0xE2 and payload.startswith(b"ICC_PROFILE\0"))
                or (marker == 0xEE and payload.startswith(b"Adobe"))  # how to read the colours
            )
            kept = data[pos:end] if keep else None
        if kept is not None:
            out.append(kept)
        pos = end


def _segment(marker: int, payload: bytes) -> bytes:
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("a JPEG segment too long")
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _iptc_kept(payload: bytes) -> bytes | None:
    """Return a Photoshop segment with only the kept IPTC datasets (`KEPT_IPTC`), None if none is left."""
    head = b"Photoshop 3.0\0"
    if not payload.startswith(head):
        return None
    pos, kept = len(head), b""
    while pos + 12 <= len(payload) and payload[pos : pos + 4] == b"8BIM":
        resource = int.from_bytes(payload[pos + 4 : pos + 6], "big")
        name_length = payload[pos + 6]
        start = pos + 6 + name_length + 1 + ((name_length + 1) % 2)
        size = int.from_bytes(payload[start : start + 4], "big")
        content = payload[start + 4 : start + 4 + size]
        if len(content) != size:
            raise ValueError("a Photoshop resource runs past the end of its segment")
        pos = start + 4 + size + size % 2
        if resource == 0x0404:
            kept += _iptc_datasets(content)
    if not kept.strip(b"\0"):
        return None
    padding = b"\0" * (len(kept) % 2)
    return head + b"8BIM\x04\x04\0\0" + len(kept).to_bytes(4, "big") + kept + padding


def _iptc_datasets(data: bytes) -> bytes:
    """Return the kept datasets (`KEPT_IPTC`) of an IPTC-IIM block; nothing if no credit or copyright is among them."""
    kept, pos = [], 0
    while pos + 5 <= len(data) and data[pos] == 0x1C:
        record, dataset, size = data[pos + 1], data[pos + 2], int.from_bytes(data[pos + 3 : pos + 5], "big")
        start = pos + 5
        if size & 0x8000:  # an extended dataset: its length follows in that many bytes
            start += size & 0x7FFF
            size = int.from_bytes(data[pos + 5 : start], "big")
        if (record, dataset) in KEPT_IPTC:
            kept.append(((record, dataset), data[pos : start + size]))
        pos = start + size
    if not any(key[0] == 2 and key[1] != 0 for key, _ in kept):
        return b""
    return b"".join(dataset for _, dataset in kept)


def _tiff_folder(tiff: bytes, offset: int | None = None) -> tuple[str, dict[int, tuple[int, int, bytes]]]:
    """Return the byte order of an EXIF (TIFF) block and the entries of its folder at `offset` (the first
    by default): tag → (type, count, value bytes). Raise ValueError for anything out of bounds."""
    endian = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if endian is None or len(tiff) < 8:
        raise ValueError("not TIFF data")

    def number(at: int, size: int) -> int:
        if at < 0 or at + size > len(tiff):
            raise ValueError("TIFF data cut short")
        return int.from_bytes(tiff[at : at + size], "little" if endian == "little" else "big")

    start = number(4, 4) if offset is None else offset
    entries = {}
    for index in range(number(start, 2)):
        at = start + 2 + 12 * index
        tag, kind, count = number(at, 2), number(at + 2, 2), number(at + 4, 4)
        size = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}.get(kind, 0) * count
        where = at + 8 if size <= 4 else number(at + 8, 4)
        if where + size > len(tiff):
            raise ValueError("a TIFF value lies past the end")
        entries[tag] = (kind, count, tiff[where : where + size])
    return endian, entries


def _exif_kept(tiff: bytes) -> bytes | None:
    """Return a new EXIF block with the orientation and copyright of `tiff` only; None if it has neither."""
    try:
        endian, entries = _tiff_folder(tiff)
    except ValueError:
        return None
    kept: list[tuple[int, int, int, bytes]] = []
    if EXIF_ORIENTATION in entries:
        kind, count, value = entries[EXIF_ORIENTATION]
        orientation = int.from_bytes(value, "little" if endian == "little" else "big")
        if kind == 3 and count == 1 and 1 <= orientation <= 8:
            kept.append((EXIF_ORIENTATION, 3, 1, orientation.to_bytes(2, "little")))
    if EXIF_COPYRIGHT in entries:
        kind, count, value = entries[EXIF_COPYRIGHT]
        if kind == 2 and value.strip(b"\0 "):
            kept.append((EXIF_COPYRIGHT, 2, count, value))
    if not kept:
        return None
    values_at = 8 + 2 + 12 * len(kept) + 4
    fields, values = b"", b""
    for tag, kind, count, value in kept:
        if len(value) <= 4:
            inline = value.ljust(4, b"\0")
        else:
            inline = (values_at + len(values)).to_bytes(4, "little")
            values += value + b"\0" * (len(value) % 2)
        fields += tag.to_bytes(2, "little") + kind.to_bytes(2, "little") + count.to_bytes(4, "little") + inline
    return b"II*\0" + (8).to_bytes(4, "little") + len(kept).to_bytes(2, "little") + fields + b"\0\0\0\0" + values


def _exif_has_gps(tiff: bytes) -> bool:
    """Say whether an EXIF block records a GPS position (a latitude or longitude in its GPS folder)."""
    try:
        endian, entries = _tiff_folder(tiff)
        if EXIF_GPS not in entries:
            return False
        pointer = int.from_bytes(entries[EXIF_GPS][2], "little" if endian == "little" else "big")
        _, gps = _tiff_folder(tiff, pointer)
    except ValueError:
        return False
    return bool({2, 4} & set(gps))


# PNG: chunks of length, type, data and CRC.


def _strip_png(data: bytes) -> Stripped:
    out, gps, pos = [PNG_SIGNATURE], False, len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("a PNG chunk runs past the end of the file")
        content = data[pos + 8 : pos + 8 + length]
        if kind in PNG_KEPT or (kind in PNG_TEXT and content.split(b"\0", 1)[0] == b"Copyright"):
            out.append(data[pos:end])
        elif kind == b"eXIf":
            gps = gps or _exif_has_gps(content)
            tiff = _exif_kept(content)
            if tiff is not None:
                out.append(_png_chunk(b"eXIf", tiff))
        elif kind in PNG_TEXT:
            gps = gps or b"GPSLatitude" in content  # XMP in iTXt
        if kind == b"IEND":
            return Stripped(b"".join(out), gps)
        pos = end
    raise ValueError("a PNG file without its end")


def _png_chunk(kind: bytes, content: bytes) -> bytes:
    return len(content).to_bytes(4, "big") + kind + content + zlib.crc32(kind + content).to_bytes(4, "big")


# WebP: a RIFF file of chunks; an extended one (VP8X) says in flags which it has.


def _strip_webp(data: bytes) -> Stripped:
    chunks, gps, pos, exif = [], False, 12, False
    end_of_file = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    while pos + 8 <= end_of_file:
        kind, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + 8 + size + size % 2
        if pos + 8 + size > end_of_file:
            raise ValueError("a WebP chunk runs past the end of the file")
        content = data[pos + 8 : pos + 8 + size]
        if kind in WEBP_KEPT:
            chunks.append(data[pos:end])
        elif kind == b"EXIF":
            tiff = content[6:] if content.startswith(b"Exif\0\0") else content
            gps = gps or _exif_has_gps(tiff)
            kept = _exif_kept(tiff)
            if kept is not None:
                chunks.append(b"EXIF" + len(kept).to_bytes(4, "little") + kept + b"\0" * (len(kept) % 2))
                exif = True
        elif kind == b"XMP ":
            gps = gps or b"GPSLatitude" in content
        pos = end
    if chunks and chunks[0][:4] == b"VP8X":
        flags = chunks[0][8] & ~0x0C | (0x08 if exif else 0)  # the EXIF and XMP flags
        chunks[0] = chunks[0][:8] + bytes((flags,)) + chunks[0][9:]
    body = b"WEBP" + b"".join(chunks)
    return Stripped(b"RIFF" + len(body).to_bytes(4, "little") + body, gps)


# GIF: a header, then blocks (extensions, images) in sub-blocks of at most 255 bytes, then ";".


def _strip_gif(data: bytes) -> bytes:
    flags = data[10] if len(data) > 12 else 0
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    out = [data[:pos]]
    while pos < len(data):
        introducer = data[pos]
        if introducer == 0x3B:  # the trailer: whatever follows is not part of the picture
            out.append(b";")
            return b"".join(out)
        if introducer == 0x21:
            start, label = pos, data[pos + 1]
            pos = _sub_blocks(data, pos + 2)
            application = data[start + 3 : start + 14] if label == 0xFF else b""
            if label in (0xF9, 0x01) or application in GIF_APPLICATIONS:
                out.append(data[start:pos])
        elif introducer == 0x2C:
            start = pos
            if pos + 10 > len(data):
                raise ValueError("a GIF image descriptor cut short")
            local = data[pos + 9]
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1  # and the LZW code size
            pos = _sub_blocks(data, pos)
            out.append(data[start:pos])
        else:
            raise ValueError("an unknown GIF block")
    raise ValueError("a GIF file without its trailer")


def _sub_blocks(data: bytes, pos: int) -> int:
    """Return where the sub-blocks starting at `pos` end (after their empty terminator)."""
    while True:
        if pos >= len(data):
            raise ValueError("GIF data cut short")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos
