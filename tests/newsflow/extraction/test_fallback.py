"""Extraction is never worse than trafilatura alone: dev-set-style pages of each failure class.

Each page is written here, shaped like the real pages that failed: a site header with its menu,
the article, a most-read rail and a footer. The failure classes:

* the text sits in ``<div>``s broken by ``<br>``, with no ``<p>`` and no declared type;
* the page declares no type and splits its sentences so finely that no block looks like prose;
* the cleaning removes the article (its container's class names a share bar) and leaves a
  sign-up confirmation or an image credit, where the library alone finds the whole text;
* a listing (a section page of teaser cards) served at an article URL.
"""

from __future__ import annotations

import pytest

from newsflow import extract_article
from newsflow.extraction import PageKind, classify_page
from newsflow.extraction.fallback import (
    LIBRARY,
    OWN,
    has_prose,
    prefer_library,
    worth_checking,
)

URL = "https://www.valley-post.example/news/2024/05/07/reservoirs-at-twenty-year-low"
TITLE = "Reservoirs at twenty-year low as valley faces water restrictions"
PARAGRAPHS = (
    "The regional water authority said on Monday that reservoir levels had fallen to their "
    "lowest point in two decades, prompting emergency restrictions on irrigation across the "
    "valley.",
    "Farmers in the northern districts told reporters that they had already cut planting by "
    "a third, and warned that a second dry summer would force many of them to sell livestock.",
    "Engineers are studying plans to reopen a disused pipeline from the coast, a project the "
    "authority estimates would cost about 40 million and take at least eighteen months.",
    "Opposition members of the provincial assembly accused the government of ignoring "
    "warnings from hydrologists, who had predicted the shortfall in a report three years ago.",
    "The authority will publish weekly figures on reservoir levels from next month and has "
    "asked households to limit garden watering to two evenings a week until the autumn rains.",
)
SIGN_UP = "Thanks for signing up! Your first morning briefing arrives tomorrow at 7 a.m."
CREDIT = "Photo: Jane Roe/Valley Post"


def _menu() -> str:
    sections = ["News", "Politics", "Business", "Sport", "Culture", "Weather", "Opinion"]
    items = "".join(f"<li><a href='/{s.lower()}'>{s}</a></li>" for s in sections * 4)
    return f"<header><a href='/'>Valley Post</a><nav><ul>{items}</ul></nav></header>"


def _most_read(count: int = 6) -> str:
    items = "".join(
        f"<li><a href='/news/2024/05/0{i % 9 + 1}/story-{i}'>Council story number {i} "
        "draws a crowd at the town hall</a></li>"
        for i in range(count)
    )
    return f"<aside class='most-read'><h2>Most read</h2><ol>{items}</ol></aside>"


def _footer() -> str:
    links = "".join(f"<a href='/page/{i}'>Page {i}</a> " for i in range(12))
    return f"<footer>{links}<small>© 2024 Valley Post</small></footer>"


def _page(head: str, main: str, rail: str | None = None) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{TITLE} | Valley Post</title>{head}</head><body>{_menu()}"
        f"<main>{main}</main>{_most_read() if rail is None else rail}{_footer()}</body></html>"
    )


DECLARED = (
    "<meta property='og:type' content='article'>"
    "<meta property='article:published_time' content='2024-05-07T09:30:00+02:00'>"
)


def br_div_article() -> str:
    """The text in one <div>, paragraphs separated by <br><br>, no type declared."""
    text = "<br><br>".join(PARAGRAPHS)
    return _page("", f"<h1>{TITLE}</h1><div class='text'>{text}</div>")


def div_article() -> str:
    """One bare <div> per paragraph, no <p>, no type declared."""
    text = "".join(f"<div class='para'>{p}</div>" for p in PARAGRAPHS)
    return _page("", f"<h1>{TITLE}</h1><div class='story'>{text}</div>")


def sentence_spans_article() -> str:
    """No type declared, every sentence part in its own <span>: no block looks like prose."""
    spans = []
    for paragraph in PARAGRAPHS:
        words = paragraph.split()
        parts = [" ".join(words[i : i + 6]) for i in range(0, len(words), 6)]
        spans.append("".join(f"<span class='s'>{part} </span>" for part in parts) + "<br>")
    return _page("", f"<h1>{TITLE}</h1><div class='story'>{''.join(spans)}</div>")


def cleaned_away_article() -> str:
    """The body's class names a share bar: the cleaning drops it, a sign-up line remains."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return _page(
        DECLARED,
        f"<article><h1>{TITLE}</h1>"
        f"<figure><img src='/img/reservoir.jpg' alt=''><figcaption>{CREDIT}</figcaption></figure>"
        f"<div class='article-body article-body--share-tools'>{body}</div>"
        f"<div class='signup-done'><p>{SIGN_UP}</p></div></article>",
        rail=_most_read(25),
    )


def credit_only_article() -> str:
    """The body's class names its comments: the cleaning leaves only the image credit."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return _page(
        DECLARED,
        f"<article><h1>{TITLE}</h1><div class='lead-image'><img src='/i.jpg'><p>{CREDIT}</p>"
        f"</div><section class='story comments-enabled'>{body}</section></article>",
        rail=_most_read(25),
    )


def listing_at_article_url(declared: bool) -> str:
    """A section page of teaser cards (headline link, blurb, time) at an article's address."""
    cards = "".join(
        f"<div class='card'><a class='card__image' href='/news/2024/05/0{i % 9 + 1}/s-{i}'>"
        f"<img src='/t{i}.jpg'></a><div class='card__title'><a href='/news/2024/05/0{i % 9 + 1}"
        f"/s-{i}'>Regional council number {i} votes on the new water budget</a></div>"
        f"<p>Members of council {i} debated the spending plan for two hours on Tuesday before "
        "approving it, officials said.</p><time>7 May 2024</time></div>"
        for i in range(12)
    )
    main = f"<h1>News</h1><div class='cards'>{cards}</div>"
    return _page(DECLARED if declared else "", main)


def article_with_related_cards() -> str:
    """A real article followed by a dozen related-story cards with blurbs."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    cards = "".join(
        f"<div class='teaser'><h3><a href='/news/2024/04/2{i}/story'>Earlier: drought story "
        f"number {i} from the valley archive</a></h3><p>What happened when the wells of "
        f"village {i} ran dry, and how the farmers there coped with it.</p></div>"
        for i in range(12)
    )
    return _page(DECLARED, f"<article><h1>{TITLE}</h1>{body}</article><div>{cards}</div>")


def brief_with_many_links() -> str:
    """A two-sentence declared news brief on a page with many headline links."""
    return _page(
        DECLARED,
        f"<article><h1>{TITLE}</h1><p>{PARAGRAPHS[0]}</p></article>",
        rail=_most_read(20),
    )


def _assert_whole_text(body: str) -> None:
    for paragraph in PARAGRAPHS:
        assert " ".join(paragraph.split()) in " ".join(body.split())


# --- text in <div>s and <br>s, no declared type ---------------------------------------------


@pytest.mark.parametrize("build", [br_div_article, div_article], ids=["br-div", "div-per-para"])
def test_prose_in_divs_is_an_article(build) -> None:
    html = build()
    assert classify_page(html, URL) is PageKind.ARTICLE
    article = extract_article(html, URL)
    assert article is not None
    assert article.title == TITLE
    _assert_whole_text(article.body)
    assert article.provenance["body"] == OWN
    assert "Council story" not in article.body


def test_prose_the_classifier_misses_is_kept_from_the_library() -> None:
    html = sentence_spans_article()
    assert classify_page(html, URL) is PageKind.OTHER
    article = extract_article(html, URL)
    assert article is not None
    assert article.provenance["body"] == LIBRARY
    _assert_whole_text(article.body)


# --- the cleaning destroyed the article -----------------------------------------------------


@pytest.mark.parametrize(
    ("build", "left_over"),
    [(cleaned_away_article, SIGN_UP), (credit_only_article, CREDIT)],
    ids=["sign-up-confirmation", "image-credit"],
)
def test_library_text_replaces_what_the_cleaning_left(build, left_over: str) -> None:
    article = extract_article(build(), URL)
    assert article is not None
    assert article.provenance["body"] == LIBRARY
    _assert_whole_text(article.body)
    assert left_over not in article.body
    assert "Council story" not in article.body
    assert article.published_at is not None and article.published_at.isoformat() == (
        "2024-05-07T09:30:00+02:00"
    )


# --- listings and articles with many links --------------------------------------------------


@pytest.mark.parametrize("declared", [True, False], ids=["og-article", "undeclared"])
def test_listing_at_an_article_url_is_a_listing(declared: bool) -> None:
    html = listing_at_article_url(declared)
    assert classify_page(html, URL) is PageKind.LISTING
    assert extract_article(html, URL) is None


def test_article_with_related_cards_stays_an_article() -> None:
    html = article_with_related_cards()
    assert classify_page(html, URL) is PageKind.ARTICLE
    article = extract_article(html, URL)
    assert article is not None
    assert article.provenance["body"] == OWN
    _assert_whole_text(article.body)
    assert "drought story" not in article.body


def test_declared_brief_among_many_links_stays_an_article() -> None:
    html = brief_with_many_links()
    assert classify_page(html, URL) is PageKind.ARTICLE
    article = extract_article(html, URL)
    assert article is not None
    assert article.body == PARAGRAPHS[0]


# --- the thresholds ---------------------------------------------------------------------------


def test_shortfall_thresholds() -> None:
    whole = list(PARAGRAPHS)
    # Under a fifth of the library's text: the library wins, whatever the text is.
    assert prefer_library([SIGN_UP], whole, removed=[])
    # Under half, but part of what the library found too: newsflow's tighter text stays.
    assert not prefer_library(whole[:2], whole, removed=[])
    # Under half, and another block altogether: the library wins.
    other = ["A different block of text entirely, with nothing the library kept in it, " * 2]
    assert prefer_library(other, whole, removed=[])
    # At least half: newsflow's text stays.
    assert not prefer_library(whole[:3], whole, removed=[])
    # The library found no prose worth keeping: nothing to prefer.
    assert not prefer_library([], ["Short line.", "Another short line."], removed=[])


def test_a_block_the_cleaning_removed_held_the_library_text() -> None:
    whole = list(PARAGRAPHS)
    footer = ["Our newsroom follows an editorial code published on this site. " * 3] * 5
    # newsflow kept as much text as the library, but another block: the one the cleaning
    # removed held the library's text, so the library wins...
    assert prefer_library(footer, whole, removed=["Share this: " + " ".join(whole)])
    # ...not when the library's text is spread over many removed blocks (teasers)...
    assert not prefer_library(footer, whole, removed=whole)
    # ...nor when newsflow's body holds it too.
    assert not prefer_library([*whole, *footer], whole, removed=[" ".join(whole)])


def test_repeated_placeholders_count_once() -> None:
    # A consent placeholder under every embed, each removed: not "most of the library's text".
    placeholder = "External content is not available with your privacy settings."
    library = [*PARAGRAPHS[:3], *[placeholder] * 12]
    assert not prefer_library(list(PARAGRAPHS[:3]), library, removed=[placeholder] * 12)


def test_the_library_is_asked_only_when_it_could_win() -> None:
    whole = list(PARAGRAPHS)
    body_chars = sum(len(p) for p in whole)
    assert worth_checking([SIGN_UP], removed=[])  # a stub is always checked
    assert not worth_checking(whole, removed=["x" * (body_chars // 3)])
    assert worth_checking(whole, removed=["x" * 200] * (body_chars // 200 + 1))  # more in all
    assert worth_checking(whole, removed=["x" * (body_chars // 2)])  # one block half the body


def test_has_prose_counts_cjk_characters_thrice() -> None:
    japanese = "中居正広氏の女性トラブルを発端にしたフジテレビ問題が、スポーツ界に飛び火している。"
    assert not has_prose(["Short line."] * 10)
    assert has_prose([japanese] * 5)
    assert has_prose(list(PARAGRAPHS))
