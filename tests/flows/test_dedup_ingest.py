"""Deduplication through the real flow and crawler: a site re-ingested under changed URLs.

TASS's recorded site is served a second time with every article under a new URL (ids prefixed
with 9, validators dropped so feeds are read again), plus three planted pages listed in its
feed: a near-copy of the politics article (three phrases reworded) and two different short
articles of the same day on the same page template, ending in the same stock sentence.
"""

from __future__ import annotations

import re

import pytest
from newsflow.db import dedup as dedup_store
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from newsflow.flows.reprocess import reprocess
from sqlalchemy import delete, select

from newsflow.replay import ReplayServer, Route

ORIGINAL = "https://tass.com/politics/1867543"
NEAR_COPY = "https://tass.com/politics/1869001"
TEMPLATE_PAIR = ("https://tass.com/politics/1869002", "https://tass.com/politics/1869003")
TITLE = "Russia and Kazakhstan to set up joint commission on Caspian shipping routes"
ARTICLE_ID = re.compile(r"(tass\.com/[a-z-]+/)(\d{7})\b")
REWORDED = {
    "told reporters on Tuesday": "told journalists on Tuesday",
    "grew by 14%": "rose by 14%",
    "planned for the autumn": "scheduled for the autumn",
}
STOCK = "TASS will continue to follow the developments."
SHORT = {
    TEMPLATE_PAIR[0]: (
        "Lavrov to hold talks with Belarusian counterpart in Minsk",
        "MOSCOW, May 14. /TASS/. Russian Foreign Minister Sergey Lavrov will hold talks with his "
        "Belarusian counterpart in Minsk on Thursday, the ministry said.",
    ),
    TEMPLATE_PAIR[1]: (
        "Government approves plan to expand grain exports to Africa",
        "MOSCOW, May 14. /TASS/. The Russian government has approved a plan to expand grain "
        "exports to African countries, the Agriculture Ministry said.",
    ),
}


@pytest.mark.postgres_in_soak
def test_reingesting_under_changed_urls_adds_no_originals(
    database_url: str, replay, fast_crawl
) -> None:
    first = ingest("tass-en", base_url=replay.base_url)
    before = _articles()
    with ReplayServer(_moved_site(replay.routes)) as moved:
        second = ingest("tass-en", base_url=moved.base_url)
    after = _articles()

    assert first["status"] == second["status"] == "completed"
    assert len(before) >= 2 and all(a.duplicate_of_id is None for a in before.values())
    new = {url: a for url, a in after.items() if url not in before}
    copies = {url: a for url, a in new.items() if url not in (NEAR_COPY, *TEMPLATE_PAIR)}
    assert set(copies) == {_renumbered(url) for url in before}
    for url, copy in copies.items():
        original = before[re.sub(r"/9(\d{7})$", r"/\1", url)]
        assert (copy.duplicate_of_id, copy.duplicate_method) == (original.id, "exact")
    near = after[NEAR_COPY]
    assert (near.duplicate_of_id, near.duplicate_method) == (before[ORIGINAL].id, "near")
    assert 0.8 <= (near.duplicate_similarity or 0) < 1.0
    assert all(after[url].duplicate_of_id is None for url in TEMPLATE_PAIR)
    originals = {url for url, a in after.items() if a.duplicate_of_id is None}
    assert originals == set(before) | set(TEMPLATE_PAIR)  # the planted pair is two new stories
    counts = second["counts"]
    assert (counts["duplicates_exact"], counts["near_duplicates"]) == (len(before), 1)
    with session_scope() as session:  # nothing left queued
        assert not dedup_store.pending_ids(session, "tass-en", 10)


def test_reprocess_queues_what_it_re_extracts(database_url: str, replay, fast_crawl) -> None:
    ingest("tass-en", base_url=replay.base_url)
    with session_scope() as session:  # as if its band keys had been lost
        session.execute(delete(models.ArticleBand))
    totals = reprocess("tass-en")
    with session_scope() as session:
        keyed = set(session.execute(select(models.ArticleBand.article_id)).scalars())
    assert totals["unchanged"] == len(_articles()) == len(keyed)  # re-extracted, checked again


def _articles() -> dict[str, models.Article]:
    with session_scope() as session:
        rows = session.execute(
            select(models.Article).where(models.Article.source_id == "tass-en")
        ).scalars()
        return {a.url: a for a in rows}


def _moved_site(routes: dict[str, Route]) -> dict[str, Route]:
    """TASS's routes with every article under a new URL, and the planted pages in its feed."""
    moved: dict[str, Route] = {}
    for url, route in routes.items():
        if "tass.com" not in url:
            continue
        headers = {
            k: _renumbered(v)
            for k, v in route.headers.items()
            if k not in ("ETag", "Last-Modified")
        }
        body = _renumbered(route.body.decode("utf-8")).encode("utf-8")
        moved[_renumbered(url)] = Route(route.status, body, headers)
    page = routes[ORIGINAL].body.decode("utf-8")
    moved[NEAR_COPY] = _page(_reworded(page.replace("1867543", "1869001")))
    for url, (title, lead) in SHORT.items():
        moved[url] = _page(_short(page.replace("1867543", url.rsplit("/", 1)[1]), title, lead))
    feed_url = "https://tass.com/rss/v2.xml"
    items = "".join(_feed_item(url) for url in (NEAR_COPY, *TEMPLATE_PAIR))
    feed = moved[feed_url].body.decode("utf-8").replace("</channel>", items + "</channel>")
    moved[feed_url] = Route(200, feed.encode("utf-8"), moved[feed_url].headers)
    return moved


def _renumbered(text: str) -> str:
    return ARTICLE_ID.sub(r"\g<1>9\g<2>", text)


def _reworded(page: str) -> str:
    for old, new in REWORDED.items():
        assert old in page
        page = page.replace(old, new)
    return page


def _short(page: str, title: str, lead: str) -> str:
    page = page.replace(TITLE, title)
    body = f"<p>{lead}</p>\n        <p>{STOCK}</p>"
    return re.sub(
        r'(<div class="text-block">).*?(</div>)', rf"\g<1>{body}\g<2>", page, count=1, flags=re.S
    )


def _page(html: str) -> Route:
    return Route(200, html.encode("utf-8"), {"Content-Type": "text/html; charset=UTF-8"})


def _feed_item(url: str) -> str:
    return (
        f"<item><title>Planted</title><link>{url}</link><guid>{url}</guid>"
        "<pubDate>Tue, 14 May 2024 15:40:00 +0000</pubDate></item>\n"
    )
