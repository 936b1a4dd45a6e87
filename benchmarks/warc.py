"""Bench phase warc (issue 23): how fast `newsflow import-warc` reads a WARC file, against the
reading library's own speed on the same file.

The bench site's pages (feeds, listings, articles; generated and real) are written as one
WARC/1.1 file by the export's writer, as a foreign crawl would hold them (sources unknown to
the registry, so each record is matched by host and article URL shape). Then, best of three:
- ``fastwarc_raw``: fastwarc's ArchiveIterator over the file, each response's HTTP headers
  parsed and payload read: the library's own read speed;
- ``warcio_raw``: the same with warcio's ArchiveIterator, for scale;
- ``import_read``: newsflow's reading (the checked stream, captures, header handling) and its
  source matching, each article page turned into the page a crawl would store: everything
  import-warc does before extraction.
And once, ``import_full``: import-warc end to end (extraction, store, dedup, enrichment) into an
empty SQLite store, on a slice of the file's article pages, as articles stored per second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastwarc.warc import ArchiveIterator as FastIterator
from fastwarc.warc import WarcRecordType
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator as WarcioIterator

from benchmarks.databases import bench_store
from benchmarks.site import BenchSite
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import load_registry
from newsflow.settings import get_settings
from newsflow.warc.importer import import_warcs
from newsflow.warc.reader import read_captures
from newsflow.warc.sources import SourceMatcher
from newsflow.warc.writer import PageWriter, StoredPage

ROUNDS = 3
FULL_SLICE = 300  # article pages imported end to end (enrichment dominates: keep it short)


def warc_phase(site: BenchSite, work: Path) -> dict[str, Any]:
    """The phase's figures: records/s of each reader, their ratio, the end-to-end import."""
    path = work / "bench.warc.gz"
    responses = _write(site, path, None)
    raw = _best(lambda: _fastwarc(path))
    warcio = _best(lambda: _warcio(path))
    ours = _best(lambda: _import_read(path))
    slice_path = work / "slice.warc.gz"
    _write(site, slice_path, FULL_SLICE)
    return {
        "warc": {
            "responses": responses,
            "file_mb": path.stat().st_size / 2**20,
            "fastwarc_raw_records_per_s": responses / raw,
            "warcio_raw_records_per_s": responses / warcio,
            "import_read_records_per_s": responses / ours,
            "import_read_share_of_fastwarc": raw / ours,  # its speed over fastwarc's
            "import_full": _import_full(slice_path, work),
        }
    }


def _write(site: BenchSite, path: Path, articles: int | None) -> int:
    """The site's pages (all, or only the first ``articles`` article pages) as a WARC file."""
    urls = [s.url for s in site.stories][:articles] if articles else list(site.routes)
    now = datetime.now(UTC)
    with path.open("wb") as sink:
        writer = PageWriter(sink, path.name, {"software": "newsflow bench"})
        for url in urls:
            route = site.routes[url]
            page = FetchedPage(url, url, route.status, PageKind.ARTICLE, now, route.body)
            # A source no registry has: records are matched by host, as a foreign crawl's.
            writer.write(StoredPage(page, "bench-foreign"))
    return len(urls)


def _best(run: Callable[[], int]) -> float:
    """The fastest of ROUNDS runs, in seconds."""
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def _fastwarc(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for record in FastIterator(stream, record_types=WarcRecordType.response):
            record.http_headers.items()
            record.reader.read()
            count += 1
    return count


def _warcio(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for record in WarcioIterator(stream):
            if record.rec_type == "response":
                record.content_stream().read()
                count += 1
    return count


def _import_read(path: Path) -> int:
    matcher = SourceMatcher(load_registry())
    count = 0
    for capture in read_captures(path, get_settings().crawl.max_response_bytes):
        if not isinstance(matcher.match(capture.url, capture.fields), str):
            capture.page()
        count += 1
    return count


def _import_full(path: Path, work: Path) -> dict[str, Any]:
    """import-warc end to end into an empty SQLite store: articles stored per second."""
    with bench_store("sqlite", work, "warc_import") as url:
        started = time.perf_counter()
        report = import_warcs([path], database_url=url)
        seconds = time.perf_counter() - started
        with session_scope(url) as session:
            stored = session.execute(select(func.count()).select_from(models.Article))
            articles = stored.scalar_one()
    return {
        "articles": articles,
        "seconds": seconds,
        "articles_per_s": articles / seconds,
        "counts": dict(report.counts),
    }
