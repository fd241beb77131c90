"""What a browser and a crawler load besides the pages: web fonts, the favicon, robots.txt.

- Web fonts: the PDF embeds the TrueType fonts of `templates/fonts/`, which cover every script
  Noto has (3.4 MB). Pages need only Latin: each `url("fonts/NAME.woff2")` that
  `templates/static/style.css` names is `templates/fonts/NAME.ttf` subset to Latin and Latin
  Extended (every letter of the European languages that write in Latin, Romanian's ș ț included)
  and compressed as WOFF2 (fontTools with brotli): about 30 kB a face. The project ships these
  files in `templates/fonts/` (`python -m pressgen.webassets` makes them again after a font
  changes), and the build copies them; a WOFF2 file that is not there is made by the build and
  kept in `.pressgen-cache/fonts/` by the keyed digest of its font, sealed. Licences are copied too.
- The favicon: `static/favicon.png` and `static/apple-touch-icon.png`, made from
  `organisation.logo` (a PNG, JPEG, GIF or WebP, centred on a square), or a neutral default
  drawn here when there is no logo. An SVG logo is its own icon (base.html links it).
- robots.txt: the public site lets crawlers in and names the sitemap; the embargoed pack keeps
  every crawler out.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from pressgen import urls
from pressgen.cache import keyed, seal, unseal
from pressgen.config import Config
from pressgen.files import read_cached, real_dir, write_cached

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

# Basic Latin, Latin-1, Latin Extended-A and -B (Romanian's ș ț are in -B), the spacing accents,
# general punctuation (quotes „ “ ” ‘ ’, dashes, the hyphen ‐, thin and no-break spaces, the
# ellipsis), the euro, lira and rouble signs, № and ™, arrows and the minus sign. Combining
# accents are left out: their positioning tables would double the size, and text is written with
# precomposed letters.
WEB_UNICODES = (
    *range(0x0020, 0x007F),
    *range(0x00A0, 0x0250),
    0x02BB,
    0x02BC,
    0x02C6,
    0x02C7,
    *range(0x02D8, 0x02DE),
    *range(0x2000, 0x2070),
    0x20AC,
    0x20BA,
    0x20BD,
    0x2116,
    0x2122,
    *range(0x2190, 0x2194),
    0x2212,
    0xFEFF,
    0xFFFD,
)
# The largest web font read back from the cache (a Latin subset is about 30 kB).
MAX_FONT_BYTES = 16_000_000
FONT_URL = re.compile(r"""url\(\s*["']?fonts/([^"')]+)["']?\s*\)""")
FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
ICON_SIZES = {"favicon.png": 64, "apple-touch-icon.png": 180}
ACCENT = (0, 58, 112)  # the newsroom's accent colour, --accent in style.css


def write_web_files(config: Config, stage: Path, embargoed: bool) -> None:
    """Write the web fonts and favicons into `stage`/static/, and `stage`/robots.txt."""
    static = stage / "static"
    write_web_fonts(config, static / "fonts")
    write_icons(config, static)
    write_robots(config, stage, embargoed)


def write_web_fonts(config: Config, dest: Path) -> None:
    """Write each font that style.css names into `dest`, subset to Latin as WOFF2, and the licences."""
    fonts = config.templates_dir / "fonts"
    if not fonts.is_dir():
        return
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(fonts.iterdir()):
        if path.is_file() and path.suffix.lower() not in FONT_SUFFIXES:
            shutil.copyfile(path, dest / path.name)  # OFL.txt: the licence travels with the fonts
    stylesheet = config.templates_dir / "static" / "style.css"
    names = FONT_URL.findall(stylesheet.read_text(encoding="utf-8")) if stylesheet.is_file() else []
    for name in dict.fromkeys(names):
        given = fonts / name
        if given.is_file():
            shutil.copyfile(given, dest / name)
            continue
        sources = [fonts / f"{Path(name).stem}{suffix}" for suffix in (".ttf", ".otf")]
        source = next((path for path in sources if path.is_file()), None)
        if source is not None and name.endswith(".woff2"):
            (dest / name).write_bytes(_cached_subset(config.root, source))


def _cached_subset(root: Path, source: Path) -> bytes:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    name = keyed("woff2", digest, repr(WEB_UNICODES), version("fonttools"))  # and sealed: nobody plants one
    cached = real_dir(root / ".pressgen-cache" / "fonts", root) / f"{name}.woff2"
    sealed = read_cached(cached, MAX_FONT_BYTES)
    data = unseal(cached.name, sealed) if sealed is not None else None
    if data is None:
        data = subset_woff2(source)
        write_cached(cached, seal(cached.name, data))
    return data


def subset_woff2(source: Path) -> bytes:
    """Return the font `source` subset to `WEB_UNICODES`, as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # kerning, ligatures, the language's letter forms
    options.name_IDs = ["*"]  # the copyright and licence names stay in the font
    options.hinting = False  # browsers on the screens that need hinting ignore it in WOFF2 anyway
    options.notdef_outline = True
    font = TTFont(source, lazy=True, recalcTimestamp=False)  # the same bytes from every build
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=WEB_UNICODES)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def write_icons(config: Config, static: Path) -> None:
    """Write favicon.png and apple-touch-icon.png from the organisation's logo, or a neutral default."""
    from PIL import Image, UnidentifiedImageError

    logo = config.organisation.logo
    if logo is not None and logo.suffix.lower() == ".svg":
        return  # the SVG logo is the icon
    static.mkdir(parents=True, exist_ok=True)
    picture = None
    if logo is not None:
        try:
            with Image.open(logo) as opened:
                picture = opened.convert("RGBA")
        except (UnidentifiedImageError, OSError, ValueError):
            picture = None
    for name, size in ICON_SIZES.items():
        icon = _square(picture, size) if picture is not None else _default_icon(size)
        icon.save(static / name, "PNG", optimize=True)


def _square(picture: Picture, size: int) -> Picture:
    """Fit `picture` into a transparent square of `size` pixels, centred."""
    from PIL import Image

    fitted = picture.copy()
    fitted.thumbnail((size, size), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    square.paste(fitted, ((size - fitted.width) // 2, (size - fitted.height) // 2), fitted)
    return square


def _default_icon(size: int) -> Picture:
    """Draw the neutral icon: a sheet of paper with lines of text, on the accent colour."""
    from PIL import Image, ImageDraw

    icon = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(icon)
    unit = size / 16
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(3 * unit), fill=ACCENT)
    draw.rectangle((round(4 * unit), round(3 * unit), round(12 * unit), round(13 * unit)), fill=(255, 255, 255))
    for row in (5, 7, 9, 11):
        right = 10 if row == 11 else 11
        draw.rectangle(
            (round(5 * unit), round(row * unit), round(right * unit), round((row + 0.6) * unit)), fill=ACCENT
        )
    return icon


def write_robots(config: Config, stage: Path, embargoed: bool) -> None:
    """Write robots.txt: the public site names its sitemap; the embargoed pack shuts crawlers out."""
    if embargoed:
        text = "# A private pack of releases under embargo: nothing here may be indexed.\nUser-agent: *\nDisallow: /\n"
    else:
        text = f"User-agent: *\nAllow: /\n\nSitemap: {urls.SITEMAP.url(config.base_url)}\n"
    (stage / "robots.txt").write_text(text, encoding="utf-8")


def main() -> None:
    """Make the WOFF2 subsets that templates/static/style.css names, into templates/fonts/."""
    fonts = Path("templates") / "fonts"
    stylesheet = Path("templates") / "static" / "style.css"
    for name in dict.fromkeys(FONT_URL.findall(stylesheet.read_text(encoding="utf-8"))):
        source = fonts / f"{Path(name).stem}.ttf"
        if name.endswith(".woff2") and source.is_file():
            (fonts / name).write_bytes(subset_woff2(source))
            print(f"{fonts / name}: {(fonts / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
