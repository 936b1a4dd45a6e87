"""The agency spider's requests to its source's web archive, and what their answers become.

Three uses, one path: a listed article the site failed is fetched from its capture closest to
its listed date (``fallback``); a stored article a revisit found removed is linked to its last
capture (``removed``); a backfill ``--from-archive`` lists a window's articles from the
archive's index and fetches their captures (``discover``). Each lookup asks the index for the
article's address and then for each earlier address (registry ``earlier``), one request at a
time, then chooses. The archive's hosts are paced like any host (crawlers/pace.py), at the
archive's own delay.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from newsflow.crawlers.items import CaptureLinkItem, FailureItem, PageItem
from newsflow.crawlers.pace import HostPaceMiddleware
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from newsflow.failures import FailureCode
from newsflow.page import PageKind
from newsflow.registry.webarchive import WebArchive
from newsflow.webarchive import Capture, closest, index_url, latest, lookup_url, read_index

if TYPE_CHECKING:
    from scrapy.settings import Settings

log = logging.getLogger(__name__)
# The site's failures a capture may stand in for: the server or network, not a policy.
FALLBACK_CODES = frozenset(
    {
        FailureCode.TIMEOUT,
        FailureCode.CONNECTION,
        FailureCode.HTTP_5XX,
        FailureCode.NOT_FOUND,
        FailureCode.FETCH_ERROR,
        FailureCode.BLOCKED,
    }
)
REDIRECT_STATUSES = [301, 302, 303, 307, 308]
MAX_HOPS = 3  # the archive's own redirects to a capture's nearest timestamp


@dataclass(frozen=True)
class Lookup:
    """A lookup under way: the article, addresses still to ask, captures found so far."""

    url: str  # the address the article was listed (or stored) at
    addresses: tuple[str, ...]
    found: tuple[Capture, ...] = ()
    when: datetime | None = None  # the article's date: the capture nearest it is chosen
    failed: FailureItem | None = None  # fallback: the site's failure, if the archive fails too
    article_id: int | None = None  # removed: the stored article to link
    listed: str | None = None  # the date the listing gave, handed on to extraction


@dataclass
class ArchiveRequests:
    """Builds the spider's archive requests and reads their answers (module doc)."""

    archive: WebArchive
    source: Any  # newsflow.registry.Source
    crawler: Any  # its stats exist once the crawl starts

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def pace(self) -> None:
        """Space requests to each archive host by the archive's delay, in the shared pace,
        as a host's robots.txt would (without the pace: ``slots``)."""
        pace = self.crawler.get_downloader_middleware(HostPaceMiddleware)
        for host in self.archive.own_hosts:
            if pace is not None:
                pace.slow_down(f"https://{host}/", self.archive.delay)

    @staticmethod
    def slots(settings: Settings, archive: WebArchive) -> None:
        """Without the shared pace: one request at a time per archive host, at its delay.

        Settings Scrapy already froze (a crawler built apart from a crawl) are left alone.
        """
        if settings.frozen:
            return
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for host in archive.own_hosts:
            slots[host] = {"concurrency": 1, "delay": archive.delay}
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    def asked_about(self, url: str) -> bool:
        """Whether the archive is asked about this article (registry ``hosts``)."""
        host = (urlsplit(url).hostname or "").lower()
        return not self.archive.hosts or host in self.archive.hosts

    def fallback(self, listed: str, tried: str, failed: FailureItem, meta: dict[str, Any]) -> Any:
        """After the site failed a listed article: its captures' lookup, or None."""
        if not self.archive.fallback or failed.code not in FALLBACK_CODES:
            return None
        if not (self.asked_about(listed) or self.asked_about(tried)):
            return None
        listed_on = meta.get("newsflow_listed")
        addresses = self._addresses(listed, tried)
        lookup = Lookup(listed, addresses, when=_day(listed_on), failed=failed, listed=listed_on)
        self.stats.inc_value("newsflow/archive_fallbacks")
        return self._ask(lookup)

    def removed(self, article_id: int, url: str, tried: str) -> Request | None:
        """After a revisit found an article removed: its last capture's lookup, or None."""
        if not self.archive.link_removed:
            return None
        if not (self.asked_about(url) or self.asked_about(tried)):
            return None
        return self._ask(Lookup(url, self._addresses(url, tried), article_id=article_id))

    def _addresses(self, url: str, tried: str) -> tuple[str, ...]:
        """The article's addresses: where it was listed, where the site sent it, earlier ones."""
        found = [*self.archive.addresses(url), *self.archive.addresses(tried)]
        return tuple(dict.fromkeys(found))

    def discover(
        self, since: date, until: date, prefixes: tuple[str, ...], callback: Any
    ) -> list[Request]:
        """A backfill from the archive: the index of each prefix over the window, each page
        handed to ``callback`` (which reads it with ``parse_index``)."""
        return [self._index((p, since, until), None, callback) for p in prefixes]

    def _ask(self, lookup: Lookup) -> Request:
        address, rest = lookup.addresses[0], lookup.addresses[1:]
        return self._request(
            lookup_url(self.archive, address),
            self.parse_lookup,
            newsflow_lookup=replace(lookup, addresses=rest),
        )

    def _index(
        self, window: tuple[str, date, date], resume_key: str | None, callback: Any
    ) -> Request:
        url = index_url(self.archive, *window, resume_key=resume_key)
        return self._request(url, callback, newsflow_index=window)

    def _request(self, url: str, callback: Any, **meta: Any) -> Request:
        # dont_filter: the archive is no agency host (the offsite filter would drop it), and
        # one address may be asked about twice in a crawl (a revisit after a fallback).
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={"newsflow_kind": "web-archive", **meta},
            dont_filter=True,
        )

    def parse_lookup(self, response: Response) -> Iterator[Any]:
        """Captures of one address: ask about the next one, or choose among all found."""
        lookup: Lookup = response.meta["newsflow_lookup"]
        found = lookup.found + read_index(response.body).captures
        lookup = replace(lookup, found=found)
        if lookup.addresses:
            yield self._ask(lookup)
            return
        yield from self._chosen(lookup)

    def _chosen(self, lookup: Lookup) -> Iterator[Any]:
        if lookup.article_id is not None:
            last = latest(list(lookup.found))
            if last is not None:
                raw = last.raw_url(self.archive)
                yield CaptureLinkItem(lookup.article_id, raw, last.captured_at)
            return
        capture = closest(list(lookup.found), lookup.when)
        if capture is None:
            if lookup.failed is not None:  # recorded as the site's failure, as without an archive
                yield lookup.failed
            return
        yield self.capture_request(capture, lookup.url, lookup.listed, lookup.failed)

    def capture_request(
        self, capture: Capture, listed: str, listed_on: str | None, failed: FailureItem | None
    ) -> Request:
        """The capture fetched raw; its page is stored under the address it was listed at."""
        request = self._request(capture.raw_url(self.archive), self.parse_capture)
        request.meta.update(
            newsflow_capture_of=listed,
            newsflow_listed=listed_on,
            newsflow_site_failure=failed,
            dont_redirect=True,
            handle_httpstatus_list=REDIRECT_STATUSES,
        )
        return request

    def parse_capture(self, response: Response) -> Iterator[Any]:
        """The raw capture: an article page like any other, its address the one listed."""
        meta = response.meta
        location = response.headers.get(b"Location")
        if response.status in REDIRECT_STATUSES and location:
            yield from self._follow(response, location.decode("latin-1"))
            return
        self.stats.inc_value("newsflow/archive_captures")
        # Its final URL the raw capture's address: extraction reads it as one.
        yield PageItem.of(response, PageKind.ARTICLE, meta["newsflow_capture_of"])

    def _follow(self, response: Response, location: str) -> Iterator[Any]:
        target = urljoin(response.url, location)
        hops = response.meta.get("newsflow_archive_hops", 0) + 1
        if hops > MAX_HOPS or not target.startswith(str(self.archive.replay)):
            yield from self._gave_up(response.meta, f"capture redirected to {target[:300]}")
            return
        meta = {**response.meta, "newsflow_archive_hops": hops}
        assert response.request is not None  # a downloaded response keeps its request
        yield response.request.replace(url=target, meta=meta)

    def parse_index(self, response: Response) -> Iterator[Any]:
        """One page of the archive's index: its article captures, then the request of the
        next page (to the same callback)."""
        page = read_index(response.body)
        for capture in page.captures:
            if self.source.is_article_url(capture.original):
                yield capture
        if page.resume_key:
            assert response.request is not None  # a downloaded response keeps its request
            window = response.meta["newsflow_index"]
            yield self._index(window, page.resume_key, response.request.callback)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """The archive failed too: a fallback ends as the site's failure; the rest is logged."""
        meta = failure.request.meta  # type: ignore[attr-defined]
        log.warning("web archive: %s: %s", failure.request.url, failure.getErrorMessage())  # type: ignore[attr-defined]
        self.stats.inc_value("newsflow/archive_errors")
        yield from self._gave_up(meta, failure.getErrorMessage())

    def _gave_up(self, meta: dict[str, Any], why: str) -> Iterator[Any]:
        lookup: Lookup | None = meta.get("newsflow_lookup")
        failed = meta.get("newsflow_site_failure") or (lookup.failed if lookup else None)
        if failed is not None:
            yield failed
        elif "newsflow_capture_of" in meta:  # a discovered capture that could not be read
            url = meta["newsflow_capture_of"]
            yield FailureItem(url, "fetch", f"web archive: {why}"[:1000], None)


def _day(value: str | None) -> datetime | None:
    """The listed date as an instant (a bare day: its noon, UTC) to choose the capture by."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if "T" not in value:
        return parsed.replace(hour=12, tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


__all__ = ["ArchiveRequests", "Lookup"]
