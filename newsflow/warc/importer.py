"""Articles from WARC files, through the path a crawl takes: each source's run opened with its
lease (kind ``import``), every page extracted in the crawl's workers under the page budget,
stored with its article or the reason it has none, in one transaction per batch; then, as the
ingest flow does after a crawl, the source deduplicated, enriched, its coverage counted, the run
closed. The page keeps the capture time (WARC-Date) as ``fetched_at``; the article says it was
read from a WARC record (``via``, ``capture_url``, ``captured_at``).

Memory is bounded: one record is read at a time, and at most two batches of captures wait for
their extraction.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from newsflow.article import Via
from newsflow.budget import shared_pool
from newsflow.charset import charset_conflict
from newsflow.crawlers.extraction import Extracted, page_budget, submit_page
from newsflow.crawlers.standalone import StandaloneRun
from newsflow.crawlers.verdicts import rejection_code
from newsflow.db import store
from newsflow.db.session import session_scope
from newsflow.failures import FailureCode
from newsflow.flows.dedup import deduplicate_source
from newsflow.flows.enrich import enrich_source
from newsflow.ingestion import warm_up
from newsflow.machine import usable_cores
from newsflow.page import FetchedPage
from newsflow.registry import Source, load_registry
from newsflow.runs import RunKind, RunStatus
from newsflow.settings import get_settings
from newsflow.warc.reader import Capture, WarcDamaged, read_captures
from newsflow.warc.sources import SourceMatcher, Unmatched

log = logging.getLogger(__name__)
BATCH = 50  # captures per store transaction; two batches at most wait for extraction
# What dedup and enrichment add to the run's counts, as after a crawl (flows/ingest.py).
AFTER_COUNTS = (
    "duplicates_exact",
    "near_duplicates",
    "stories_joined",
    "enriched",
    "enrich_failures",
)
# The run-report count each rejection code adds to, as in a crawl (crawlers/pipelines.py).
_REJECTION_COUNTS = {
    FailureCode.EXTRACTION_ERROR: "articles_failed",
    FailureCode.BLOCKED: "blocked",
    FailureCode.BUDGET_EXCEEDED: "articles_failed",
}


class ImportStopped(RuntimeError):
    """Another run took a source over while its import ran; the message names the source."""


@dataclass
class ImportReport:
    """What an import read and did: counts over all files, the run of each source, damage."""

    counts: Counter[str] = field(default_factory=Counter)
    runs: dict[str, int] = field(default_factory=dict)
    damaged: list[str] = field(default_factory=list)


@dataclass
class _SourceRun:
    """A source's import run, held (lease and heartbeat) until closed."""

    held: StandaloneRun
    counts: Counter[str] = field(default_factory=Counter)
    lost: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True, slots=True)
class _Waiting:
    """A capture's page with its extraction under way."""

    source: Source
    page: FetchedPage
    capture_url: str
    extracted: Future[Extracted]


class WarcImport:
    """One import of WARC files into the store; ``read`` each file, then ``finish``."""

    def __init__(
        self,
        source: Source | None = None,
        database_url: str | None = None,
        on_progress: Callable[[str], object] | None = None,
    ) -> None:
        settings = get_settings()
        self.url = database_url
        self.matcher = SourceMatcher(load_registry(), source)
        self.max_body = settings.crawl.max_response_bytes
        self.pool = shared_pool("extract", usable_cores(), page_budget(settings.extract), warm_up)
        self.report = ImportReport()
        self.on_progress = on_progress or (lambda _: None)
        self._runs: dict[str, _SourceRun] = {}
        self._waiting: deque[_Waiting] = deque()

    def read(self, path: Path) -> None:
        """Import one file's article captures; a damaged file keeps what came before its damage."""
        counts = self.report.counts
        counts["files"] += 1
        read = 0
        try:
            for capture in read_captures(path, self.max_body):
                read += 1
                counts["responses"] += 1
                self._triage(capture, f"{path.name}#{capture.record_id}")
                while len(self._waiting) >= 2 * BATCH:
                    self._store([self._waiting.popleft() for _ in range(BATCH)])
        except WarcDamaged as exc:
            counts["files_damaged"] += 1
            self.report.damaged.append(str(exc))  # the caller words it: one line, at the end
            log.info("%s", exc)
        self._drain()
        self.on_progress(f"{path}: {read} responses read")

    def finish(self) -> ImportReport:
        """Deduplicate and enrich each source's new articles, count coverage, close the runs."""
        self._drain()
        try:
            for source_id, run in self._runs.items():
                found = deduplicate_source(source_id, self.url)
                found.update(enrich_source(source_id, run.held.run_id, self.url))
                run.counts.update({key: found[key] for key in AFTER_COUNTS})
        except BaseException as exc:
            self.abandon(exc)
            raise
        status, error = RunStatus.COMPLETED, None
        if self.report.damaged:  # what was read is stored and processed; the run says the rest
            status, error = RunStatus.FAILED, "; ".join(self.report.damaged)[:2000]
        self._close_runs(status, error)
        return self.report

    def abandon(self, exc: BaseException) -> None:
        """Close every open run after ``exc`` stopped the import (Ctrl-C: cancelled)."""
        interrupted = isinstance(exc, KeyboardInterrupt)
        status = RunStatus.CANCELLED if interrupted else RunStatus.FAILED
        self._close_runs(status, f"import stopped: {type(exc).__name__}: {exc}"[:2000])

    def _triage(self, capture: Capture, capture_url: str) -> None:
        """Skip and count what is no article page; send the rest to extraction."""
        counts = self.report.counts
        if capture.status != 200:
            counts["skipped_status"] += 1
            return
        if not capture.html:
            counts["skipped_not_html"] += 1
            return
        source = self.matcher.match(capture.url, capture.fields)
        if isinstance(source, Unmatched):
            counts[f"skipped_{source}"] += 1
            return
        run = self._run(source)
        if capture.too_large or capture.problem:
            self._unread(source, run, capture)
            return
        page = capture.page()
        self._waiting.append(
            _Waiting(source, page, capture_url, submit_page(self.pool, page, source))
        )

    def _run(self, source: Source) -> _SourceRun:
        """The source's import run, opened (its lease taken) at its first article page."""
        run = self._runs.get(source.id)
        if run is None:
            lost = threading.Event()
            with session_scope(self.url) as session:
                store.sync_sources(session, [source])
            held = StandaloneRun.open(self.url, source.id, RunKind.IMPORT, None, lost.set)
            run = self._runs[source.id] = _SourceRun(held, lost=lost)
            self.report.runs[source.id] = held.run_id
        if run.lost.is_set():
            raise ImportStopped(f"another run took source {source.id} over during the import")
        return run

    def _unread(self, source: Source, run: _SourceRun, capture: Capture) -> None:
        """A capture too large or unreadable: a failure of its run, as a crawl records one."""
        if capture.too_large:
            stage, code, key = "fetch", FailureCode.TOO_LARGE, "too_large"
            reason = f"WARC record {capture.record_id}: body over {self.max_body} bytes"
        else:
            stage, code, key = "parse", FailureCode.PARSE, "unreadable"
            reason = f"WARC record {capture.record_id}: {capture.problem}"
        with session_scope(self.url) as session:
            store.record_failure(
                session, run.held.run_id, source.id, capture.url, stage, reason, 200, code
            )
        run.counts[key] += 1  # counted once committed
        self.report.counts[key] += 1

    def _drain(self) -> None:
        while self._waiting:
            self._store([self._waiting.popleft() for _ in range(min(BATCH, len(self._waiting)))])

    def _store(self, batch: list[_Waiting]) -> None:
        """A batch in one transaction; after a database error, each capture in its own."""
        done = [(waiting, waiting.extracted.result()) for waiting in batch]
        try:
            outcomes: Counter[tuple[str, str]] = Counter()
            with session_scope(self.url) as session:
                for waiting, extracted in done:
                    outcomes[(waiting.source.id, self._write(session, waiting, extracted))] += 1
        except SQLAlchemyError as exc:
            if len(batch) == 1:
                self._store_failed(batch[0], exc)
                return
            log.warning("a batch of %d pages failed (%s); storing one by one", len(batch), exc)
            for waiting in batch:
                self._store([waiting])
            return
        for (source_id, outcome), count in outcomes.items():  # counted once committed
            self._runs[source_id].counts[outcome] += count
            self.report.counts[outcome] += count

    def _write(self, session: Session, waiting: _Waiting, extracted: Extracted) -> str:
        """Store one page with its article, or the reason it has none; the count it adds to."""
        source, page = waiting.source, waiting.page
        run_id = self._runs[source.id].held.run_id
        page_id = store.save_page(session, run_id, source.id, page)
        conflict = charset_conflict(page.body, page.header("Content-Type"))
        if conflict is not None:
            reason = f"charset conflict: {conflict}"
            code = FailureCode.CHARSET_CONFLICT
            store.record_failure(session, run_id, source.id, page.url, "fetch", reason, 200, code)
        article = extracted.article
        urls = [page.url, page.final_url, article.url if article else None]
        store.settle_discoveries(session, source.id, [u for u in urls if u])
        if article is None:
            reason = extracted.problem or "not an article"
            code = rejection_code(reason)
            store.record_failure(session, run_id, source.id, page.url, "extract", reason, 200, code)
            return _REJECTION_COUNTS.get(code, "not_articles")
        article = article.evolve(
            via=Via.WARC, capture_url=waiting.capture_url, captured_at=page.fetched_at
        )
        return f"articles_{store.save_article(session, article, page_id, page.fetched_at)}"

    def _store_failed(self, waiting: _Waiting, exc: SQLAlchemyError) -> None:
        """A capture the database refused: recorded as a store failure, never dropped silently."""
        log.error("could not store %s: %s", waiting.page.final_url, exc)
        run = self._runs[waiting.source.id]
        run.counts["store_errors"] += 1
        self.report.counts["store_errors"] += 1
        with session_scope(self.url) as session:
            store.record_failure(
                session,
                run.held.run_id,
                waiting.source.id,
                waiting.page.final_url,
                "store",
                f"{type(exc).__name__}: {exc}",
                code=FailureCode.STORE_ERROR,
            )

    def _close_runs(self, status: RunStatus, error: str | None) -> None:
        """Count coverage and close each open run with its counts; give the sources back."""
        while self._runs:
            _, run = self._runs.popitem()
            counts = dict(run.counts) | {"pages_fetched": _pages(run.counts)}
            # Coverage is counted whatever the status: what a stopped import stored is stored.
            run.held.finish(status, error, counts, count_coverage=True)


def _pages(counts: Counter[str]) -> int:
    """Pages stored: each stored capture is a page, whatever its extraction found."""
    stored = ("articles_new", "articles_updated", "articles_unchanged", "not_articles")
    return sum(counts[key] for key in (*stored, "articles_failed", "blocked"))


def import_warcs(
    paths: Iterable[Path],
    source: Source | None = None,
    database_url: str | None = None,
    on_progress: Callable[[str], object] | None = None,
) -> ImportReport:
    """Import WARC files in order; the report. Ctrl-C or an error closes the runs it opened."""
    importer = WarcImport(source, database_url, on_progress)
    try:
        for path in paths:
            importer.read(path)
    except BaseException as exc:
        importer.abandon(exc)
        raise
    return importer.finish()
