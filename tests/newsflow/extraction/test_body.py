"""Body text: paragraphs split by blank lines, line breaks kept, boilerplate dropped."""

from __future__ import annotations

from collections.abc import Callable

from newsflow import extract_article
from newsflow.extraction.body import drop_boilerplate, element_paragraphs
from newsflow.extraction.pages import parse_html


def test_br_becomes_single_newline() -> None:
    root = parse_html("<div id='b'><p>First line<br/>\n second  line</p><p>Next</p></div>")
    assert root is not None
    assert element_paragraphs(root.xpath("//div")) == ["First line\nsecond line", "Next"]


def test_boilerplate_paragraphs_dropped() -> None:
    kept = drop_boilerplate(
        [
            "Real text of the story.",
            "Read more: other story",
            "Sign up for our newsletter",
            "Foto: Agency",
        ]
    )
    assert kept == ["Real text of the story."]


def test_related_links_not_in_body(page: Callable[..., str]) -> None:
    extra = (
        "<ul class='related'>"
        + "".join(
            f"<li><a href='/s/{i}'>Other story number {i} on the same topic</a></li>"
            for i in range(5)
        )
        + "</ul>"
    )
    article = extract_article(page(extra=extra), "https://news.example.org/a")
    assert article is not None
    assert "Other story" not in article.body
    assert len(article.paragraphs) == 3


def test_trailing_subscription_notice_dropped() -> None:
    notice = (
        "Only part of the stories we distribute to subscribers appears on this website. "
        "Contact us for subscription options."
    )
    text = "Millions of people subscribe to streaming services, the report said."
    assert drop_boilerplate([text, notice]) == [text]
    assert drop_boilerplate([notice, text]) == [notice, text]  # only the closing lines


def test_image_credit_lines_dropped() -> None:
    kept = "The council met on Tuesday to approve the budget after a long debate."
    paragraphs = [
        kept,
        "Commuters at the main station on Monday. Photo: Jane Doe/Getty Images",
        "The writer at home in Lima in 2010. | Jane Doe/Agency",
        "© Example Agency, ref:240516-99-53606/3",
    ]
    assert drop_boilerplate(paragraphs) == [kept]


def test_text_between_blocks_is_kept() -> None:
    # Text after a subheading with no paragraph around it: the library keeps it, so must we.
    paragraph = (
        "The council met on Tuesday to approve the budget after a long debate about roads, "
        "schools and the new bridge over the river."
    )
    first = (
        "Members said the bridge would open next spring, two years later than planned, and "
        "that the contractor had agreed to pay for the delay."
    )
    second = (
        "The opposition asked for an inquiry into the contract, saying the council had been "
        "warned about the contractor's record before it signed."
    )
    html = (
        "<html><head><title>Budget</title></head><body><article><h1>Budget</h1>"
        f"<div class='text'><p>{paragraph}</p><h2>The bridge</h2>{first}<br><br>{second}"
        f"<p>{paragraph}</p></div></article></body></html>"
    )
    article = extract_article(html, "https://news.example.org/a")
    assert article is not None
    assert article.paragraphs == [paragraph, "The bridge", first, second, paragraph]
