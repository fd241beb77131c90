"""The raw WeasyPrint baseline: render given print HTML documents one after another, in this one process.

Usage: python raw_render.py JOBS.json

JOBS.json holds {"stylesheet": path, "variant": "pdf/ua-1" or null, "documents": [{"html": …,
"base_url": …, "target": …}, …]}. The documents are read before any timing starts. WeasyPrint
is called with exactly the options pressgen's `PdfWriter.write` uses (one font configuration and
one parsed stylesheet for all documents, tagged PDF, custom metadata), with its default URL
fetcher: no sandbox, no cache, no pages, nothing else. Prints one JSON object: the seconds of
the import, of the setup (font configuration and stylesheet) and of the rendering loop.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    jobs = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    documents = jobs["documents"]

    started = time.perf_counter()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    imported = time.perf_counter()
    font_config = FontConfiguration()
    stylesheets = [CSS(filename=jobs["stylesheet"], font_config=font_config)]
    ready = time.perf_counter()
    for document in documents:
        HTML(string=document["html"], base_url=document["base_url"]).write_pdf(
            document["target"],
            stylesheets=stylesheets,
            font_config=font_config,
            pdf_variant=jobs["variant"],
            pdf_tags=True,
            custom_metadata=True,
            dpi=300,  # pressgen's PRINT_DPI
        )
    finished = time.perf_counter()
    result = {
        "documents": len(documents),
        "import_seconds": imported - started,
        "setup_seconds": ready - imported,
        "render_seconds": finished - ready,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
