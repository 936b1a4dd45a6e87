"""Listing markup learnt from a listing page, judged by the crawl's own listing parser."""

from __future__ import annotations

import re
from datetime import date

import pytest
from newsflow.crawlers.discovery.listings import parse_listing
from newsflow.crawlers.scout.markup import infer_markup, next_page_selector
from parsel import Selector

ARTICLE = re.compile(r"^https://www\.wp\.example/\?p=\d+$")


def _is_article(url: str) -> bool:
    return ARTICLE.search(url) is not None


def _wordpress(ids: range) -> str:
    posts = "".join(
        f'<article class="post-{i} post type-post hentry category-news">'
        f'<a href="/?cat=3" class="cat">News</a>'
        f'<h2 class="entry-title"><a href="/?p={i}" rel="bookmark">Headline number {i}</a></h2>'
        f'<time class="entry-date" datetime="2026-10-{i % 28 + 1:02d}T10:00:00-04:00">'
        f"October {i % 28 + 1}, 2026</time><p>Summary of {i}</p></article>"
        for i in ids
    )
    sidebar = "".join(f'<li><a href="/?p={i}">Recent {i}</a></li>' for i in range(900, 905))
    return (
        '<html><head><link rel="next" href="https://www.wp.example/?paged=2"></head><body>'
        f'<main>{posts}</main><aside class="widget"><ul>{sidebar}</ul></aside>'
        '<div class="nav-previous"><a href="/?paged=2">Older posts</a></div></body></html>'
    )


def test_a_wordpress_loop_is_read_item_by_item_with_its_days() -> None:
    html = _wordpress(range(101, 111))
    markup = infer_markup(html, "https://www.wp.example/", _is_article)
    assert markup is not None
    assert markup.item in ("article.post", "article.hentry", "article.type-post")
    assert markup.date == "time::attr(datetime)"
    assert markup.next_page == "link[rel=next]::attr(href)"
    listing = parse_listing(html, "https://www.wp.example/", markup)
    assert [i.url for i in listing.items] == [
        f"https://www.wp.example/?p={i}" for i in range(101, 111)
    ]
    assert listing.items[0].day() == date(2026, 10, 18)
    assert listing.next_page == "https://www.wp.example/?paged=2"


def test_year_less_days_and_a_more_link_are_found() -> None:
    days = ["2 Jan", "1 Jan", "31 Dec", "30 Dec"]
    items = "".join(
        f'<li class="story"><h3><a href="https://www.wp.example/?p={n}">Story {n}</a></h3>'
        f'<span class="story-date">{day}</span></li>'
        for n, day in enumerate(days)
    )
    html = (
        f'<ul class="stories">{items}</ul><a class="more" href="/latest?page=2">More stories ›</a>'
    )
    markup = infer_markup(
        html, "https://www.wp.example/latest", _is_article, today=date(2027, 1, 3)
    )
    assert markup is not None
    assert (markup.item, markup.date) == ("li.story", "span.story-date::text")
    assert markup.next_page == "a.more::attr(href)"
    listing = parse_listing(html, "https://www.wp.example/latest", markup, anchor=date(2027, 1, 3))
    assert [i.day() for i in listing.items] == [
        date(2027, 1, 2),
        date(2027, 1, 1),
        date(2026, 12, 31),
        date(2026, 12, 30),
    ]


def test_a_page_of_no_articles_has_no_markup() -> None:
    html = '<ul><li><a href="/about">About</a></li><li><a href="/contact">Contact</a></li></ul>'
    assert infer_markup(html, "https://www.wp.example/", _is_article) is None


@pytest.mark.parametrize(
    ("pager", "url", "expected"),
    [
        (  # WordPress's paginate_links without its 'next' link
            '<span aria-current="page" class="page-numbers current">1</span> '
            '<a class="page-numbers" href="/news/page/2/">2</a> '
            '<a class="page-numbers" href="/news/page/3/">3</a>',
            "https://x.example/news/",
            ("span[aria-current] + a::attr(href)", "/news/page/2/"),
        ),
        (  # Bootstrap's pager, on its second page
            '<ul class="pagination"><li class="page-item"><a href="?paged=1">1</a></li>'
            '<li class="page-item active"><span>2</span></li>'
            '<li class="page-item"><a href="?paged=3">3</a></li></ul>',
            "https://x.example/?paged=2",
            ("li.active + li a::attr(href)", "?paged=3"),
        ),
        (  # the last page: no number after the current one
            '<span class="current">3</span>',
            "https://x.example/news?page=3",
            None,
        ),
    ],
    ids=["wordpress", "bootstrap", "last-page"],
)
def test_a_numbered_pager_leads_to_the_number_after_the_current(
    pager: str, url: str, expected: tuple[str, str] | None
) -> None:
    page = Selector(text=f"<html><body><main>{pager}</main></body></html>", base_url=url)
    selector = next_page_selector(page, url)
    assert (selector and (selector, page.css(selector).get())) == expected
