"""Fetched bytes to text, for pages, feeds and sitemaps alike.

The encoding comes from the first of: a byte-order mark, the HTTP ``Content-Type`` charset,
the document's own declaration (``<meta charset>``, ``http-equiv``, ``<?xml encoding?>``),
then detection. That is the HTML standard's order (a BOM outranks the header, as in every
browser), implemented by w3lib; detection is charset-normalizer's. Arabic and Russian
agencies still serve windows-1256, windows-1251 and KOI8-R, often declared only in the page.
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from w3lib.encoding import html_to_unicode

UTF8 = "utf-8"
# Detection reads a sample; a few hundred kilobytes settle any real page's encoding.
_DETECTION_SAMPLE = 512 * 1024


def decode_document(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The (encoding, text) of an HTML or XML body; undecodable bytes become U+FFFD."""
    return html_to_unicode(content_type, body, default_encoding=UTF8, auto_detect_fun=detect)


def detect(body: bytes) -> str | None:
    """The encoding of undeclared bytes: UTF-8 if they are valid UTF-8, else a detector's guess."""
    try:
        body.decode(UTF8)
        return UTF8
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:_DETECTION_SAMPLE]).best()
    return best.encoding if best is not None else None


def as_utf8(body: bytes, content_type: str | None = None) -> bytes:
    """The body re-encoded as UTF-8 (for XML parsers told to read UTF-8 whatever it declares)."""
    return decode_document(body, content_type)[1].encode(UTF8)
