"""The mirror: real URLs everywhere but on the wire, redirects included."""

from __future__ import annotations

from newsflow.crawlers.mirror import from_mirror, to_mirror
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import select

from newsflow.replay import ReplayServer

BASE = "http://127.0.0.1:8000"


def test_urls_map_to_the_mirror_and_back() -> None:
    original = "https://archive.sana.sy/en/?cat=106&paged=2793"
    mirrored = to_mirror(original, BASE + "/")
    assert mirrored == f"{BASE}/archive.sana.sy/en/?cat=106&paged=2793"
    assert from_mirror(mirrored, BASE) == original
    assert to_mirror("https://sana.sy", BASE) == f"{BASE}/sana.sy/"
    assert from_mirror("https://sana.sy/en/", BASE) == "https://sana.sy/en/"


def test_a_301_to_the_archive_host_is_followed_under_real_urls(
    crawl, store_url: str, replay: ReplayServer
) -> None:
    legacy, archive = "https://sana.sy/en/?p=92371", "https://archive.sana.sy/en/?p=92371"
    before_legacy, before_archive = len(replay.hits_for(legacy)), len(replay.hits_for(archive))
    assert crawl("sana-en") == 0
    assert [h.status for h in replay.hits_for(legacy)[before_legacy:]] == [301]
    assert [h.status for h in replay.hits_for(archive)[before_archive:]] == [200]
    with session_scope(store_url) as session:
        # The archive listing names the archive URL too: whichever request came first was
        # stored, the other was filtered as a duplicate — one page either way.
        page = session.execute(
            select(models.Page).where(models.Page.final_url == archive)
        ).scalar_one()
        stored = session.execute(select(models.Article.url)).scalars().all()
    assert (page.url in (legacy, archive), page.status, page.kind) == (True, 200, "article")
    assert "https://sana.sy/en/?p=92371" in stored  # the page's canonical link
    assert all("127.0.0.1" not in url for url in stored)
