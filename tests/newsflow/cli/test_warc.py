"""WARC both ways through the command line: the recorded agency pages exported, read back by
warcio's own reader, imported into an empty database as the same articles."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from newsflow.db import migrate, models, store
from newsflow.db.session import session_scope
from sqlalchemy import select, update
from warcio.archiveiterator import ArchiveIterator

from newsflow.cli import main
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import get_source, load_registry
from newsflow.replay import SITES_DIR, load_routes
from tests.conftest import COPY_URL, SEED_URL
from tests.databases import empty_database

CAPTURED = datetime(2016, 10, 19, 12, 30, 15, 250000, tzinfo=UTC)
FIELDS = ("url", "title", "body", "published_at", "authors")


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="newsflow")


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second migrated database of the same kind, empty, to import into."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'imported.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    with empty_database(server, "newsflow_warc") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture
def sana_pages(database_url: str) -> list[str]:
    """SANA English's two recorded article pages, stored as a crawl stores them (no article)."""
    routes = load_routes(SITES_DIR)
    sana = get_source("sana-en")
    urls = [
        url for url, route in routes.items() if route.status == 200 and sana.is_article_url(url)
    ]
    urls = sorted(urls)[:2]
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
        for url in urls:
            page = FetchedPage(url, url, 200, PageKind.ARTICLE, CAPTURED, routes[url].body)
            store.save_page(session, None, "sana-en", page)
    return urls


def _articles(url: str) -> dict[str, dict[str, Any]]:
    """Every stored article that has a page, by URL, with the fields a round trip keeps."""
    article = models.Article
    with session_scope(url) as session:
        rows = session.execute(select(article).where(article.page_id.is_not(None))).scalars()
        return {row.url: {name: getattr(row, name) for name in FIELDS} for row in rows}


def test_export_import_round_trip_gives_the_same_articles(
    seeded: dict[str, int], database_url: str, empty_url: str, tmp_path: Path
) -> None:
    with session_scope(database_url) as session:  # a capture time with its microseconds
        session.execute(update(models.Page).values(fetched_at=CAPTURED))
    warc = tmp_path / "agencies.warc.gz"

    exported = _cli("--database-url", database_url, "export", "--format", "warc", "-o", str(warc))
    assert exported.exit_code == 0, exported.output
    imported = _cli("--database-url", empty_url, "import-warc", str(warc))
    assert imported.exit_code == 0, imported.output

    before, after = _articles(database_url), _articles(empty_url)
    assert SEED_URL in after and COPY_URL not in after  # the copy has no page to export
    assert after == before
    assert len(after) == 13  # the recorded registry articles, the blocked page left out
    assert "13 articles stored (new 13, updated 0, unchanged 0)" in imported.output
    with session_scope(empty_url) as session:
        article = models.Article
        seed = session.execute(select(article).where(article.url == SEED_URL)).scalar_one()
        assert (seed.via, seed.captured_at, seed.first_seen_at) == ("warc", CAPTURED, CAPTURED)
        assert seed.capture_url.startswith("agencies.warc.gz#<urn:uuid:")
        page = session.get(models.Page, seed.page_id)
        assert page is not None and page.fetched_at == CAPTURED
        runs = session.execute(select(models.CrawlRun)).scalars().all()
        assert {run.kind for run in runs} == {"import"}
        assert {run.status for run in runs} == {"completed"}
        sana = next(run for run in runs if run.source_id == "sana-en")
        assert sana.counts["articles_new"] == 2 and sana.counts["duplicates_exact"] == 0
        pending = select(article.id).where(article.dedup_pending.is_(True))
        assert session.execute(pending).first() is None  # deduplicated, as after a crawl


def test_warcio_reads_what_newsflow_wrote(sana_pages: list[str], tmp_path: Path) -> None:
    warc = tmp_path / "sana.warc.gz"
    result = _cli("export", "--format", "warc", "--source", "sana-en", "-o", str(warc))
    assert result.exit_code == 0, result.output
    assert "wrote 2 pages" in result.output

    with warc.open("rb") as stream:
        records = [
            (
                record.rec_type,
                record.rec_headers,
                record.http_headers,
                record.content_stream().read(),
            )
            for record in ArchiveIterator(stream, check_digests="raise")
        ]
    assert [kind for kind, *_ in records] == ["warcinfo"] + ["response", "request", "metadata"] * 2
    assert all(headers.protocol == "WARC/1.1" for _, headers, _, _ in records)
    _, warc_headers, http, body = records[1]
    assert warc_headers.get_header("WARC-Target-URI") == sana_pages[0]
    assert warc_headers.get_header("WARC-Date") == "2016-10-19T12:30:15.250000Z"
    assert http.get_statuscode() == "200" and http.get_header("Content-Length") == str(len(body))
    assert b"<html" in body.lower()
    response_id = warc_headers.get_header("WARC-Record-ID")
    for _, concurrent, _, _ in records[2:4]:
        assert concurrent.get_header("WARC-Concurrent-To") == response_id
        assert concurrent.get_header("WARC-Date") == warc_headers.get_header("WARC-Date")
    assert records[3][3] == b"newsflow-source: sana-en\r\nnewsflow-page-kind: article\r\n"
    # One gzip member per record: the file reads as gzip as a whole too.
    assert gzip.decompress(warc.read_bytes()).count(b"WARC/1.1\r\n") == 7


def test_a_cut_warc_is_one_error_line_and_keeps_what_came_before(
    seeded: dict[str, int], database_url: str, empty_url: str, tmp_path: Path
) -> None:
    warc = tmp_path / "all.warc.gz"
    assert _cli("export", "--format", "warc", "-o", str(warc)).exit_code == 0
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(warc.read_bytes()[: warc.stat().st_size * 2 // 3])

    result = _cli("--database-url", empty_url, "import-warc", str(cut))
    assert result.exit_code == 1
    error = [line for line in result.output.splitlines() if line.startswith("newsflow: error")]
    assert len(error) == 1 and "cut.warc.gz: it ends inside a gzip member" in error[0]
    kept = _articles(empty_url)
    assert 5 <= len(kept) < 13  # what came before the cut
    with session_scope(empty_url) as session:
        runs = session.execute(select(models.CrawlRun)).scalars().all()
    assert {run.status for run in runs} == {"failed"}
    assert all("ends inside a gzip member" in (run.error or "") for run in runs)


def test_export_warc_refuses_article_only_options(database_url: str, tmp_path: Path) -> None:
    result = _cli("export", "--format", "warc", "--lang", "en", "-o", str(tmp_path / "x.warc.gz"))
    assert result.exit_code == 1
    assert "--language: not for --format warc" in result.output
    empty = _cli("export", "--format", "warc", "-o", str(tmp_path / "none.warc.gz"))
    assert empty.exit_code == 1 and "no stored page matches" in empty.output
    assert not (tmp_path / "none.warc.gz").exists()
