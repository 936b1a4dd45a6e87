"""A WARC file's HTTP responses as captures, streamed with fastwarc, one record in hand.

fastwarc reads a cut or damaged file as a shorter one, without a word; an archive cut short
in a download must not pass for a complete one. So the bytes reach it through ``CheckedStream``,
which inflates the gzip members itself (every member must end, as zlib tells) and sees that the
last record ends as every record does, with its blank lines. What was read before the damage is
yielded; the damage is raised after it, as ``WarcDamaged``.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from newsflow.page import FetchedPage, PageKind
from newsflow.warc.http import is_html, page_headers
from newsflow.warc.writer import REQUESTED_FIELD

CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
_RECORD_END = b"\r\n\r\n"
# Records read: the responses, and what describes them (a concurrent metadata record).
_WANTED = WarcRecordType.response | WarcRecordType.metadata


class _Cut(Exception):
    """A record's block is shorter than its Content-Length: the file ends inside it."""


class WarcDamaged(Exception):
    """A WARC file ends inside a record or holds something that is no record; the message
    names the file and how far it was read."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One HTTP response archived in a WARC file, with its payload decoded.

    ``body`` is empty when the record was not read: not HTML (``html`` False), larger than
    the limit (``too_large``), or unreadable (``problem`` says why).
    """

    record_id: str
    url: str
    captured_at: datetime
    status: int
    headers: dict[str, str]
    body: bytes = b""
    html: bool = True
    too_large: bool = False
    problem: str | None = None
    # A concurrent metadata record's fields: filled in as it is read, after the response.
    fields: dict[str, str] = field(default_factory=dict)

    def page(self) -> FetchedPage:
        """The capture as the page a crawl would have fetched, at the capture's time."""
        requested = self.fields.get(REQUESTED_FIELD) or self.url
        return FetchedPage(
            requested,
            self.url,
            self.status,
            PageKind.ARTICLE,
            self.captured_at,
            self.body,
            self.headers,
        )


class CheckedStream(io.RawIOBase):
    """A WARC file's bytes, gzip members inflated here; ``damage`` says how it ended badly."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        head = raw.read(2)
        self._pending = head
        self._gzip = head == _GZIP_MAGIC
        self._member: Any = None  # zlib's decompressor of the member being read
        self._tail = b""  # the last bytes handed out: a whole file ends with a record's end
        self._started = False
        self._handed = 0  # bytes handed out, inflated
        self.damage: str | None = None

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._handed

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` with the next bytes of the WARC; 0 at its end."""
        data = self._next(len(buffer))
        buffer[: len(data)] = data
        if data:
            self._started = True
            self._handed += len(data)
            self._tail = (self._tail + data)[-len(_RECORD_END) :]
        return len(data)

    def _next(self, size: int) -> bytes:
        while True:
            if not self._pending:
                self._pending = self._raw.read(CHUNK)
                if not self._pending:
                    self._at_end()
                    return b""
            if not self._gzip:
                data, self._pending = self._pending[:size], self._pending[size:]
                return data
            if self._member is None or self._member.eof:
                self._member = zlib.decompressobj(zlib.MAX_WBITS | 16)
            try:
                data = self._member.decompress(self._pending, size)
            except zlib.error as exc:
                self.damage = f"a gzip member is corrupt ({exc})"
                self._pending = b""
                return b""
            self._pending = self._member.unconsumed_tail or self._member.unused_data
            if data:
                return data

    def finish_member(self) -> None:
        """Inflate the rest of the gzip member being read: where fastwarc stopped at bytes it
        could not read, zlib may know why (a corrupt member), which is the better reason."""
        while self._gzip and self._member is not None and not self._member.eof:
            if self.damage is not None or not self._next(CHUNK):
                return

    def _at_end(self) -> None:
        if self._gzip and self._member is not None and not self._member.eof:
            self.damage = "it ends inside a gzip member (cut short?)"
        elif self._started and self._tail != _RECORD_END and self.damage is None:
            self.damage = "it ends inside a record (cut short?)"


def read_captures(path: Path, max_body: int) -> Iterator[Capture]:
    """The file's HTTP responses in order; WarcDamaged once the damage is reached.

    A response's body is read only when it is HTML and at most ``max_body`` bytes long.
    """
    with path.open("rb") as raw:
        stream = CheckedStream(raw)
        records = ArchiveIterator(
            stream,
            record_types=_WANTED,
            auto_decode="all",
            stream_detect=False,
        )
        pending: Capture | None = None
        count = 0
        try:
            for record in records:
                count += 1
                if pending is not None and _describes(record, pending):
                    pending.fields.update(_fields(record))
                    continue
                if pending is not None:
                    yield pending
                pending = _capture(record, max_body) if record.is_http else None
        except _Cut:
            stream.damage = stream.damage or "it ends inside a record (cut short?)"
        except (OSError, ValueError) as exc:  # fastwarc on bytes that are no WARC record
            stream.finish_member()
            stream.damage = stream.damage or f"record {count + 1} is not a WARC record ({exc})"
        if stream.damage is None and pending is not None:
            yield pending  # the last record is whole only if the file ended well
        if stream.damage is not None:
            raise WarcDamaged(f"{path}: {stream.damage}; read {count} records before it")


def _describes(record: WarcRecord, capture: Capture) -> bool:
    """Whether a record is the capture's metadata (concurrent to it)."""
    return (
        record.record_type == WarcRecordType.metadata
        and record.headers.get("WARC-Concurrent-To") == capture.record_id
    )


def _fields(record: WarcRecord) -> dict[str, str]:
    """An application/warc-fields block as a dict (the first value of a name wins)."""
    found: dict[str, str] = {}
    block = record.reader.read()
    if len(block) < record.content_length:
        raise _Cut
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            found.setdefault(name.strip().lower(), value.strip())
    return found


def _capture(record: WarcRecord, max_body: int) -> Capture | None:
    """A response record as a capture; None for a record that is no HTTP response."""
    http = record.http_headers
    if record.record_type != WarcRecordType.response or http.status_code is None:
        return None
    headers = page_headers(http.items())
    capture = Capture(
        record_id=record.record_id or "",
        url=(record.headers.get("WARC-Target-URI") or "").strip("<> "),
        captured_at=record.record_date,
        status=http.status_code,
        headers=headers,
        html=is_html(http.get("Content-Type")),
    )
    if not capture.html or capture.status != 200:
        return capture  # never read: nothing is extracted from it
    if record.content_length > max_body:
        return replace(capture, too_large=True)
    try:
        body = record.reader.read(max_body + 1)
    except (OSError, ValueError) as exc:  # a payload whose coding does not decode
        return replace(capture, problem=f"payload unreadable: {type(exc).__name__}: {exc}")
    if len(body) > max_body:  # decoded beyond the limit
        return replace(capture, too_large=True)
    coded = http.get("Content-Encoding") or http.get("Transfer-Encoding")
    if not coded and len(body) < record.content_length:  # decoded, lengths tell nothing
        raise _Cut
    return replace(capture, body=body)
