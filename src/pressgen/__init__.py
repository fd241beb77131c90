"""pressgen: publish press releases in several languages as web pages and PDFs."""

from __future__ import annotations

__version__ = "0.1.0"
