"""Fetched bytes to text, for pages, feeds and sitemaps alike.

The encoding comes from the first of: a byte-order mark, the HTTP ``Content-Type`` charset,
the document's own declaration (``<meta charset>``, ``http-equiv``, ``<?xml encoding?>``),
then detection. That is the HTML standard's order (a BOM outranks the header, as in every
browser), from w3lib's parts; detection is charset-normalizer's. Arabic and Russian
agencies still serve windows-1256, windows-1251 and KOI8-R, often declared only in the page.

A declaration can be wrong: a server labels every page ``charset=utf-8`` while an old CMS
writes windows-1256. When the declared encoding cannot decode most of the body's non-ASCII
text and another plausible one (the page's own declaration, else detection) decodes every
byte, the evidence wins and the result says why (``Decoded.conflict``). A stray bad byte in an
otherwise valid page is no such evidence: the declaration stands and the byte becomes U+FFFD.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    to_unicode,
)

UTF8 = "utf-8"
# Detection reads a sample; a few hundred kilobytes settle any real page's encoding.
_DETECTION_SAMPLE = 512 * 1024
_ASCII = bytes(range(128))
_HEADER = "the HTTP Content-Type header"
_DOCUMENT = "the document's own declaration"
# Detection needs this many undecodable sequences to overrule a declaration: on a byte or two
# in a page of ASCII it guesses wildly (one windows-1252 apostrophe reads as Big5).
_DETECTION_EVIDENCE = 16


@dataclass(frozen=True, slots=True)
class Decoded:
    """A body's text, the encoding it was read in, and why its declaration was overruled."""

    encoding: str
    text: str
    conflict: str | None = None  # None: read as declared (or detected, when undeclared)


def decode_document(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The (encoding, text) of an HTML or XML body; undecodable bytes become U+FFFD."""
    decoded = read_document(body, content_type)
    return decoded.encoding, decoded.text


def read_document(body: bytes, content_type: str | None = None) -> Decoded:
    """The body read in the standard order, unless its bytes contradict the declaration."""
    encoding, text = _in_standard_order(body, content_type)
    if "\ufffd" not in text:  # nearly every page: what was declared (or detected) fits
        return Decoded(encoding, text)
    declared_by = _declared_by(body, content_type)
    if declared_by is None:  # a byte-order mark or detection chose: there is no better evidence
        return Decoded(encoding, text)
    return _by_evidence(body, encoding, text, declared_by)


def _in_standard_order(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The first of BOM, header, declaration, detection, then UTF-8; the body read in it.

    w3lib's ``html_to_unicode`` did this until 2.6, which deprecates choosing the detector and
    the fallback: its own guess is Firefox's, from the URL's domain. Ours stays the same on
    every w3lib release.
    """
    encoding, bom = read_bom(body)
    if encoding is not None and bom is not None:
        return encoding, to_unicode(body[len(bom) :], encoding)
    encoding = (
        http_content_type_encoding(content_type)
        or html_body_declared_encoding(body)
        or detect(body)
        or UTF8
    )
    return encoding, to_unicode(body, encoding)


def charset_conflict(body: bytes, content_type: str | None = None) -> str | None:
    """Why the body was not read in its declared charset, or None (no conflict, or undeclared)."""
    if _declared_by(body, content_type) is None:
        return None  # nothing to contradict; and detection is not worth running for nothing
    return read_document(body, content_type).conflict


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


def _declared_by(body: bytes, content_type: str | None) -> str | None:
    """Which declaration chose the encoding html_to_unicode used; None for a BOM or detection."""
    if read_bom(body)[0] is not None:
        return None
    if http_content_type_encoding(content_type) is not None:
        return _HEADER
    return _DOCUMENT if html_body_declared_encoding(body) is not None else None


def _by_evidence(body: bytes, encoding: str, text: str, declared_by: str) -> Decoded:
    kept = body.decode(encoding, "ignore")
    lost = len(text) - len(kept)  # one U+FFFD for each undecodable sequence
    decoded_beyond_ascii = len(kept) - (len(body) - len(body.translate(None, _ASCII)))
    if lost <= decoded_beyond_ascii:  # mostly right: stray bytes in a page of its encoding
        return Decoded(encoding, text)
    for candidate, evidence in _candidates(body, encoding, declared_by, lost):
        try:
            better = body.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        conflict = (
            f"{declared_by} declares {encoding}, which leaves {lost} byte sequences undecodable;"
            f" read as {candidate}, {evidence}"
        )
        return Decoded(candidate, better, conflict)
    return Decoded(encoding, text)


def _candidates(
    body: bytes, declared: str, declared_by: str, lost: int
) -> Iterator[tuple[str, str]]:
    """Other plausible encodings, the strongest evidence first: the page's word, then detection."""
    seen = {_codec(declared)}
    own = html_body_declared_encoding(body) if declared_by == _HEADER else None
    if own is not None and _codec(own) not in seen:
        seen.add(_codec(own))
        yield own, "as the page itself declares"
    guess = detect(body) if lost >= _DETECTION_EVIDENCE else None
    if guess is not None and _codec(guess) not in seen:
        yield guess, "as detected"


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name
