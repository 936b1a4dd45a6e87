"""Reading WARC files: what newsflow wrote comes back whole; other crawlers' codings are undone;
a file cut anywhere or holding garbage is named as damaged, after what came before it."""

from __future__ import annotations

import gzip
import io
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsflow.page import FetchedPage, PageKind
from newsflow.warc.reader import WarcDamaged, read_captures
from newsflow.warc.writer import StoredPage, write_warc

FETCHED = datetime(2016, 10, 19, 12, 30, 15, 250000, tzinfo=UTC)
ARTICLE = "<html><head><title>Sabbagh</title></head><body><p>نص المقال</p></body></html>"
LIMIT = 1 << 20


def _page(n: int, **changes: object) -> StoredPage:
    values: dict[str, object] = {
        "url": f"https://sana.sy/en/?p={n}",
        "final_url": f"https://sana.sy/en/?p={n}",
        "status": 200,
        "kind": PageKind.ARTICLE,
        "fetched_at": FETCHED,
        "body": ARTICLE.encode(),
        "headers": {"Content-Type": "text/html; charset=UTF-8"},
    }
    return StoredPage(FetchedPage(**(values | changes)), "sana-en")  # type: ignore[arg-type]


def _written(tmp_path: Path, pages: list[StoredPage], name: str = "x.warc.gz") -> Path:
    path = tmp_path / name
    with path.open("wb") as sink:
        write_warc(sink, pages, name, {"software": "test"})
    return path


def test_what_newsflow_wrote_is_read_back_whole(tmp_path: Path) -> None:
    moved = _page(2, url="https://sana.sy/en/?p=2&moved", headers={})
    path = _written(tmp_path, [_page(1), moved, _page(3, kind=PageKind.FEED)])
    first, second, third = read_captures(path, LIMIT)
    assert first.page() == _page(1).page
    assert (second.url, second.page().url, second.headers) == (
        moved.page.final_url,
        moved.page.url,
        {},
    )
    assert first.captured_at == FETCHED and first.record_id.startswith("<urn:uuid:")
    assert first.fields == {"newsflow-source": "sana-en", "newsflow-page-kind": "article"}
    assert third.fields["newsflow-page-kind"] == "feed"


def test_a_plain_warc_reads_as_a_gzipped_one(tmp_path: Path) -> None:
    path = _written(tmp_path, [_page(1), _page(2)])
    plain = tmp_path / "x.warc"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    assert [c.page() for c in read_captures(plain, LIMIT)] == [_page(1).page, _page(2).page]


def test_another_crawlers_chunked_gzip_payload_is_decoded(tmp_path: Path) -> None:
    body = gzip.compress(ARTICLE.encode())
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    path = tmp_path / "cc.warc.gz"
    with path.open("wb") as sink:
        warc = WARCWriter(sink, gzip=True)
        head = [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
        head.append(("Content-Type", "text/html"))
        record = warc.create_warc_record(
            "https://sana.sy/en/?p=7",
            "response",
            payload=io.BytesIO(chunked),
            length=len(chunked),
            http_headers=StatusAndHeaders("200 OK", head, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2016-10-19T12:30:15Z"},
        )
        warc.write_record(record)
    (capture,) = read_captures(path, LIMIT)
    assert capture.body == ARTICLE.encode()
    assert capture.headers == {"Content-Type": "text/html"}
    assert capture.captured_at == datetime(2016, 10, 19, 12, 30, 15, tzinfo=UTC)


def test_bodies_are_read_only_for_html_within_the_limit(tmp_path: Path) -> None:
    pdf = _page(2, headers={"Content-Type": "application/pdf"}, body=b"%PDF-1.4")
    gone = _page(3, status=404)
    big = _page(4, body=b"<html>" + b"x" * 5000)
    captures = list(read_captures(_written(tmp_path, [pdf, gone, big]), 4096))
    assert [(c.status, c.html, c.too_large, c.body) for c in captures] == [
        (200, False, False, b""),
        (404, True, False, b""),
        (200, True, True, b""),
    ]


def _member_ends(data: bytes) -> set[int]:
    """Where each gzip member of a file ends: a cut there leaves a shorter, whole WARC."""
    ends, offset = set(), 0
    while offset < len(data):
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        member.decompress(data[offset:])
        offset = len(data) - len(member.unused_data)
        ends.add(offset)
    return ends


def test_a_file_cut_anywhere_is_damaged_after_the_whole_records(tmp_path: Path) -> None:
    whole = _written(tmp_path, [_page(1), _page(2)]).read_bytes()
    boundaries = _member_ends(whole)
    cut = tmp_path / "cut.warc.gz"
    seen: set[int] = set()
    for end in sorted({*range(1, len(whole), 5), *boundaries} - {len(whole)}):
        cut.write_bytes(whole[:end])
        read: list[FetchedPage] = []
        if end in boundaries:
            read.extend(c.page() for c in read_captures(cut, LIMIT))
        else:
            with pytest.raises(WarcDamaged, match=r"cut\.warc\.gz: it ends inside"):
                read.extend(c.page() for c in read_captures(cut, LIMIT))
        # Never a short body passed off as whole.
        assert all(page.body == ARTICLE.encode() for page in read)
        seen.add(len(read))
    assert seen == {0, 1, 2}


def test_a_plain_file_cut_inside_a_record_is_damaged(tmp_path: Path) -> None:
    packed = _written(tmp_path, [_page(1), _page(2)]).read_bytes()
    whole = gzip.decompress(packed)
    starts = _member_ends(packed)
    # Where records end in the plain file: after each member's inflated bytes.
    record_ends = {len(gzip.decompress(packed[:end])) for end in starts}
    cut = tmp_path / "cut.warc"
    # Up to the last record's closing blank lines: a cut within them loses no byte of a block.
    for end in range(len(whole) // 2, len(whole) - 4, 3):
        cut.write_bytes(whole[:end])
        if end in record_ends:
            continue  # a shorter WARC, whole
        with pytest.raises(WarcDamaged, match="ends inside a record"):
            list(read_captures(cut, LIMIT))


def test_garbage_is_no_record(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(ARTICLE.encode() * 20)
    with pytest.raises(WarcDamaged, match="record 1 is not a WARC record"):
        list(read_captures(path, LIMIT))
    corrupt = tmp_path / "corrupt.warc.gz"
    whole = _written(tmp_path, [_page(1)]).read_bytes()
    corrupt.write_bytes(whole[:-40] + b"\x00" * 32 + whole[-8:])
    with pytest.raises(WarcDamaged, match=r"corrupt\.warc\.gz: (a gzip member is corrupt|it ends)"):
        list(read_captures(corrupt, LIMIT))
