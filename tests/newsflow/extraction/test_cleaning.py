"""Page furniture (related links, newsletters, embeds, captions) goes before text detection."""

from __future__ import annotations

from collections.abc import Callable

from newsflow import extract_article
from newsflow.extraction.cleaning import drop_furniture, is_furniture
from newsflow.extraction.pages import parse_html


def test_furniture_class_words() -> None:
    root = parse_html(
        "<html><body><div class='c-related-articles'>x</div><div class='unrelated'>y</div>"
        "<div id='newsletterBox'>z</div><blockquote class='twitter-tweet'>t</blockquote>"
        "<div class='paywall'>p</div></body></html>"
    )
    assert root is not None
    flags = [is_furniture(e) for e in root.xpath("//body/*")]
    assert flags == [True, False, True, True, False]


def test_wrapper_with_furniture_word_is_spared() -> None:
    text = "Long article text. " * 40
    root = parse_html(
        f"<html><body><div class='share-enabled'><p>{text}</p></div>"
        "<div class='newsletter'>Sign up now</div></body></html>"
    )
    assert root is not None
    assert drop_furniture(root) == ["Sign up now"]  # the text of each block it removed
    assert root.xpath("//div[@class='share-enabled']")
    assert not root.xpath("//div[@class='newsletter']")


def test_removed_text_is_reported_once() -> None:
    # A furniture block inside another goes with it: its text is not reported again.
    root = parse_html(
        "<html><body><p>" + "Article text. " * 40 + "</p><div class='related'>Read these "
        "<div class='promo'>Offer<script>var x = 'not text';</script></div></div></body></html>"
    )
    assert root is not None
    assert drop_furniture(root) == ["Read these Offer"]


def test_related_block_not_in_body(page: Callable[..., str]) -> None:
    related = (
        "<div class='related-stories'><p>Another story about the council and its budget "
        "plans that readers may also like to read today.</p></div>"
    )
    article = extract_article(page(extra=related), "https://news.example.org/a")
    assert article is not None
    assert "Another story" not in article.body


def test_story_cards_not_in_body(page: Callable[..., str]) -> None:
    card = (
        "<div class='card'><h2><a href='/other'>Another story entirely</a></h2>"
        "<div><p>A blurb promoting another story on the same site.</p></div></div>"
    )
    article = extract_article(page(extra=card * 3), "https://news.example.org/a")
    assert article is not None
    assert "Another story" not in article.body
    assert "promoting another story" not in article.body
