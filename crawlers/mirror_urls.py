"""Agency URLs on a mirror (a local replay, a web archive) and back: ``https://host/p`` is
served as ``<base_url>/host/p``. Apart from the download handler (crawlers/mirror.py) so the
flow's probe can use them without importing Scrapy."""

from __future__ import annotations

from urllib.parse import urlsplit


def to_mirror(url: str, base_url: str) -> str:
    """``https://host/p?q`` as served by the mirror: ``<base_url>/host/p?q``."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{base_url.rstrip('/')}/{parts.netloc}{parts.path or '/'}{query}"


def from_mirror(url: str, base_url: str) -> str:
    """The real URL behind a mirror URL; other URLs are returned unchanged."""
    prefix = base_url.rstrip("/") + "/"
    return "https://" + url[len(prefix) :] if url.startswith(prefix) else url
