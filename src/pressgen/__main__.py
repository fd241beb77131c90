from __future__ import annotations

from pressgen.cli import main

main()
