"""Fetch agency URLs from a mirror (``base_url``) while every other component sees real URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsflow.crawlers.mirror_urls import from_mirror, to_mirror
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.utils.misc import build_from_crawler, load_object

__all__ = ["MirrorDownloadHandler", "from_mirror", "to_mirror"]

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class MirrorDownloadHandler(BaseDownloadHandler):
    """Download handler that rewrites each request to the mirror and restores the real URL.

    Rewriting here, at the very edge, rather than in a downloader middleware keeps offsite
    filtering, robots.txt, redirects, download slots and stored pages on real URLs: a
    middleware can only swap URLs by returning a new Request, which goes back through the
    scheduler and every middleware under the mirror's address.
    """

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.base_url: str | None = crawler.settings.get("NEWSFLOW_BASE_URL")
        inner = load_object(crawler.settings["NEWSFLOW_MIRROR_INNER_HANDLER"])
        self.inner: BaseDownloadHandler = build_from_crawler(inner, crawler)

    async def download_request(self, request: Request) -> Response:
        """Fetch ``request`` from the mirror; the response carries the original URL."""
        if not self.base_url:
            return await self.inner.download_request(request)
        mirrored = request.replace(url=to_mirror(request.url, self.base_url))
        response = await self.inner.download_request(mirrored)
        headers = response.headers.copy()
        location = headers.get(b"Location")
        if location:
            # A mirror may answer redirects with its own addresses; followers need real ones.
            headers[b"Location"] = from_mirror(location.decode("latin-1"), self.base_url)
        return response.replace(url=request.url, request=request, headers=headers)

    async def close(self) -> None:
        """Close the wrapped HTTP handler."""
        await self.inner.close()
