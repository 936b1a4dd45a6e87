"""Article URL patterns learnt from URLs feeds and sitemaps list."""

from __future__ import annotations

import re

from newsflow.crawlers.scout.patterns import learn_patterns


def _matches(pattern: str, url: str) -> bool:
    return re.search(pattern, url) is not None


def test_wordpress_plain_permalinks_keep_their_query_key() -> None:
    (pattern,) = learn_patterns([f"https://www.wp.example/?p={i}" for i in (12, 345, 1002)])
    assert _matches(pattern, "https://www.wp.example/?p=99999")
    assert not _matches(pattern, "https://www.wp.example/?page_id=2")
    assert not _matches(pattern, "https://www.wp.example/?cat=3")


def test_dates_in_paths_keep_their_width_and_no_month_is_literal() -> None:
    urls = [f"https://x.fr/2026/10/{d:02d}/titre-{d}/" for d in range(1, 9)]
    (pattern,) = learn_patterns(urls, ["https://x.fr/a-propos/", "https://x.fr/2026/10/"])
    assert _matches(pattern, "https://x.fr/2027/01/05/autre-titre/")
    assert not _matches(pattern, "https://x.fr/2026/10/")
    assert not _matches(pattern, "https://x.fr/a-propos/")


def test_a_shared_first_segment_stays_literal_and_outliers_are_left_out() -> None:
    urls = [f"https://ru.example/news/{i}-zagolovok-{i}" for i in range(8)]
    patterns = learn_patterns([*urls, "https://ru.example/video/1"])
    assert patterns == [r"^https?://ru\.example/news/\d+[-_][^/?#]+$"]


def test_extensions_are_kept_and_ids_are_not_fixed_width() -> None:
    urls = [f"https://s.sg/story/{i}/title-{i}.html" for i in range(100, 130)]
    (pattern,) = learn_patterns(urls)
    assert _matches(pattern, "https://s.sg/story/7/short.html")
    assert not _matches(pattern, "https://s.sg/story/7/short")


def test_slug_only_articles_refuse_the_menus_pages_but_not_new_slugs() -> None:
    articles = [f"https://n.example/{s}/" for s in ("alpha-beta", "gamma-delta", "eps-zeta")]
    menu = ["https://n.example/about/", "https://n.example/contact/"]
    (pattern,) = learn_patterns(articles, menu)
    assert _matches(pattern, "https://n.example/a-new-story/")
    assert not any(_matches(pattern, url) for url in menu)


def test_one_odd_url_makes_no_pattern_of_its_own() -> None:
    urls = [f"https://a.example/news/{i}" for i in range(30)] + ["https://a.example/live/blog"]
    assert len(learn_patterns(urls)) == 1
