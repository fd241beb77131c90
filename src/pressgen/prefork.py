"""What the PDF workers' fork server loads before it forks them: WeasyPrint, set up.

WeasyPrint loads its libraries on import (half a second), and sets up more on its first
document: fontconfig's fonts, Pango's font map, hyphenation dictionaries. One small document per
hyphenation language, drawn here once with the system's fonts, leaves that set up in the fork
server, so that every worker forked from it starts with it. Only the fork server imports this
module (`pool.start_fork_server`); the workers' own font configuration (the project's fonts) is
made in each worker.
"""

from __future__ import annotations

import logging
import os
import threading

from pressgen.pool import BUILD_PID, exit_with

# The fork server ends with the build that started it, even while it is still loading WeasyPrint:
# a build that needed no PDF after all (or was stopped) does not leave it running, holding the
# build's output pipes open (a script reading them would wait for it).
# The build's process id comes from the environment: by the time this runs, a build that ended at
# once has made this process an orphan, whose parent is another process.
_build = int(os.environ.get(BUILD_PID, os.getppid()))
threading.Thread(target=exit_with, args=(_build,), daemon=True, name="watch pressgen").start()

from pressgen import pdf  # noqa: E402, F401  (WeasyPrint, for the workers)

_WARM_UP = (
    '<html lang="{lang}"><body style="hyphens: auto; font-family: serif">'
    "<p>Internationalisation <b>bold</b> <i>italic</i> „citat” ș ț</p></body></html>"
)


def _warm_up() -> None:
    from weasyprint import HTML

    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        for lang in ("en", "nl", "ro"):  # the languages of the first site; others set up on first use
            HTML(string=_WARM_UP.format(lang=lang)).write_pdf()
    except Exception:  # only a head start: a worker that needs it sets it up itself
        pass
    finally:
        logger.setLevel(level)


_warm_up()
