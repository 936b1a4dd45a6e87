"""Scrapy settings for newsflow's crawler, derived from ``newsflow.settings`` (NEWSFLOW_* env).

Polite by default: robots.txt, one request at a time per host, the registry's crawl delay
(raised by robots.txt ``Crawl-delay``; see the agency spider and extensions) kept between
requests to one host by every crawl together (crawlers/pace.py), an honest user agent,
conditional GET for feeds and exponential backoff on retries.
"""

from newsflow.offline import keep_offline
from newsflow.settings import get_settings

# Before Scrapy loads its middlewares: tldextract, under the cookie middleware, reads its
# suffix-list source when imported, and must keep to its bundled list (no download).
keep_offline()

_NEWSFLOW = get_settings()
_CRAWL = _NEWSFLOW.crawl

BOT_NAME = "newsflow"
# Twisted's default reactor for the platform (epoll on Linux), not Scrapy's asyncio one: under
# the asyncio reactor Scrapy 2.19 opened a new connection for almost every request to one host
# (137 for 150 requests, ≈ 65 ms each on 127.0.0.1, against 1 connection and ≈ 4 ms here), and
# nothing in the crawler needs asyncio (the item batch uses Deferreds and the reactor's timer).
TWISTED_REACTOR = None
SPIDER_MODULES = ["newsflow.crawlers.spiders"]
NEWSPIDER_MODULE = "newsflow.crawlers.spiders"
ADDONS: dict[str, int] = {}

USER_AGENT = _CRAWL.user_agent
ROBOTSTXT_OBEY = _CRAWL.obey_robots_txt

# Concurrency and politeness. NEWSFLOW_CRAWL_DELAY is replaced per agency by the spider
# (registry crawl_delay) unless NEWSFLOW_CRAWL__DELAY_OVERRIDE is set, e.g. 0 for a local mirror.
# With the shared pace (crawlers/pace.py) the delay is kept there, across every crawl of a host,
# and Scrapy's own DOWNLOAD_DELAY is 0: the two would add up. Without it, DOWNLOAD_DELAY paces
# each crawl's own requests.
CONCURRENT_REQUESTS_PER_DOMAIN = _CRAWL.concurrent_per_host
NEWSFLOW_DELAY_OVERRIDE = _CRAWL.delay_override
NEWSFLOW_CRAWL_DELAY = _CRAWL.delay_override if _CRAWL.delay_override is not None else 5.0
NEWSFLOW_PACE = _CRAWL.shared_pace
DOWNLOAD_DELAY = 0.0 if NEWSFLOW_PACE else NEWSFLOW_CRAWL_DELAY
AUTOTHROTTLE_ENABLED = False
# Outputs of one response handled at once. Scrapy starts this many cooperative tasks for every
# response (100 by default: a quarter of a crawl's Python calls, though an article page yields
# one item). Requests are handled at once; only items wait, for their batch, so a few suffice.
CONCURRENT_ITEMS = 8

# Failures: retried with exponential backoff (crawlers.middlewares.BackoffRetryMiddleware).
# These are the defaults; a source's registry patience replaces them per host, request by
# request (crawlers/patience.py), so one source's patience never reaches another's requests.
RETRY_ENABLED = True
RETRY_TIMES = _CRAWL.retry_times
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = _CRAWL.retry_backoff
RETRY_BACKOFF_MAX = 120.0
DOWNLOAD_TIMEOUT = _CRAWL.timeout
DOWNLOAD_MAXSIZE = _CRAWL.max_response_bytes
DOWNLOAD_WARNSIZE = min(_CRAWL.max_response_bytes, 2 * 1024 * 1024)
CLOSESPIDER_PAGECOUNT = _CRAWL.max_pages

# No listening ports: neither the telnet console nor the remote-control server.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Where the pipeline stores pages and articles, and the mirror agency URLs are fetched from.
NEWSFLOW_DATABASE_URL = _NEWSFLOW.database_url
NEWSFLOW_BASE_URL = _NEWSFLOW.base_url
NEWSFLOW_CONDITIONAL_GET = True
# Scheduled runs follow a listing's older pages only while they bring unknown articles.
NEWSFLOW_SCHEDULED_LISTING_PAGES = 5
NEWSFLOW_MIRROR_INNER_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
# The web only: no request a page can steer (a redirect, a refresh, a link) may read a local
# file or reach FTP, S3 or data: URLs, whatever slips past the redirect middlewares.
DOWNLOAD_HANDLERS: dict[str, str | None] = {"file": None, "data": None, "ftp": None, "s3": None}
if NEWSFLOW_BASE_URL:
    DOWNLOAD_HANDLERS |= {
        "http": "newsflow.crawlers.mirror.MirrorDownloadHandler",
        "https": "newsflow.crawlers.mirror.MirrorDownloadHandler",
    }

# Scrapy's own positions, in subclasses that record what Scrapy drops silently (loops,
# offsite redirects, <meta> refreshes alike) or anonymously (hop limit, decompression limit):
# see crawlers.middlewares.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsflow.crawlers.middlewares.AgencyOffsiteMiddleware": 50,
    # Before Scrapy's timeout middleware (350) and the retry (550): each request's timeout and
    # retries from the source's registry patience for its host (crawlers/patience.py).
    "newsflow.crawlers.patience.PatienceMiddleware": 340,
    "newsflow.crawlers.middlewares.ConditionalGetMiddleware": 450,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsflow.crawlers.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newsflow.crawlers.middlewares.BoundedDecompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newsflow.crawlers.middlewares.AgencyRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsflow.crawlers.middlewares.AgencyMetaRefreshMiddleware": 580,
    # Last before the download, so only requests that will go take a place in the host's pace
    # (not offsite drops, robots.txt refusals); retries and redirect hops come through again.
    "newsflow.crawlers.pace.HostPaceMiddleware": 950,
}
ITEM_PIPELINES = {
    "newsflow.crawlers.pipelines.StorePipeline": 300,
}
EXTENSIONS = {
    "newsflow.crawlers.extensions.RobotsCrawlDelay": 500,
    "newsflow.crawlers.extensions.RunCounts": 510,
}
