"""When a listed page last changed: sitemap <lastmod> and feed <updated>, kept apart from dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from newsflow.crawlers.discovery.feeds import parse_feed
from newsflow.crawlers.discovery.sitemaps import parse_sitemap

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://tass.com/politics/1</loc><lastmod>2024-05-15T08:00:00Z</lastmod>
    <news:news><news:publication_date>2024-05-14T18:05:00+03:00</news:publication_date></news:news>
  </url>
  <url><loc>https://tass.com/politics/2</loc><lastmod>2024-05-16</lastmod></url>
  <url><loc>https://tass.com/politics/3</loc></url>
</urlset>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
  <entry><title>a</title><link href="https://tass.com/politics/1"/>
    <published>2024-05-14T15:05:00Z</published><updated>2024-05-15T09:30:00Z</updated></entry>
</feed>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
  <item><title>a</title><link>https://tass.com/politics/1</link>
    <pubDate>Tue, 14 May 2024 15:05:00 +0000</pubDate></item>
</channel></rss>"""


def test_a_news_sitemap_keeps_its_publication_date_and_its_lastmod() -> None:
    first, second, third = parse_sitemap(NEWS, "https://tass.com/sitemap.xml").entries
    assert first.date == datetime.fromisoformat("2024-05-14T18:05:00+03:00")
    assert first.modified == datetime(2024, 5, 15, 8, 0, tzinfo=UTC)
    assert (second.date, second.modified) == (date(2024, 5, 16), date(2024, 5, 16))
    assert (third.date, third.modified) == (None, None)


def test_a_feed_entry_is_modified_only_when_it_says_updated() -> None:
    (atom,) = parse_feed(ATOM, "https://tass.com/feed").items
    assert atom.date == datetime(2024, 5, 14, 15, 5, tzinfo=UTC)
    assert atom.modified == datetime(2024, 5, 15, 9, 30, tzinfo=UTC)
    (rss,) = parse_feed(RSS, "https://tass.com/rss").items
    assert (rss.date, rss.modified) == (datetime(2024, 5, 14, 15, 5, tzinfo=UTC), None)
