"""Pictures on the web: light copies for the screen, the original for download.

A press photo is often thousands of pixels wide and megabytes heavy; a phone shows it 400 pixels
wide. Each picture of a release page gets WebP copies at a few widths (`srcset`), so a browser
loads the smallest that is sharp on its screen, and the original file stays beside the page for
journalists to download. PDFs keep the original. Copies are made once and kept in
`.pressgen-cache/images/`, by the keyed digest of the original (`cache.keyed`), sealed
(`cache.seal`) and read back only from regular files (`files.read_cached`).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from pressgen.cache import keyed, seal, unseal
from pressgen.files import read_cached, write_cached
from pressgen.output import real_dir

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


def image_file(path: Path) -> ImageFile | None:
    """Read the size and format of a picture (its header only); None if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            # A camera's EXIF orientation 5 to 8 turns the picture a quarter: browsers apply it.
            if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                width, height = height, width
            kind = image.format or ""
        return ImageFile(width, height, kind, path.stat().st_size)
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
