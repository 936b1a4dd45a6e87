"""Each kind of declared evidence is read, and the provenance names it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from newsflow import extract_article
from newsflow.extraction.evidence import Found
from newsflow.extraction.metadata import (
    descriptions,
    find_language,
    find_section,
    find_tags,
    read_metadata,
)
from newsflow.extraction.pages import parse_html

URL = "https://news.example.org/2024/05/budget"


def _ld(data: object) -> str:
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def test_jsonld_graph_news_article(page: Callable[..., str]) -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Example News"},
            {
                "@type": "NewsArticle",
                "headline": "Council approves budget after long debate",
                "datePublished": "2024-05-07T09:30:00+02:00",
                "dateModified": "2024-05-07T11:00:00+02:00",
                "author": [{"@type": "Person", "name": "Jane Doe"}],
                "articleSection": ["City"],
                "keywords": "budget, council",
            },
        ],
    }
    article = extract_article(page(_ld(graph)), URL)
    assert article is not None
    assert article.published_at == datetime.fromisoformat("2024-05-07T09:30:00+02:00")
    assert article.utc_offset_minutes == 120
    assert article.modified_at == datetime.fromisoformat("2024-05-07T11:00:00+02:00")
    assert article.authors == ("Jane Doe",)
    assert article.section == "City"
    assert article.tags == ("budget", "council")
    assert article.provenance["published_at"] == "jsonld.datePublished"
    assert article.provenance["authors"] == "jsonld.author"
    assert article.provenance["title"] == "h1"


def test_jsonld_list_with_organisation_author(page: Callable[..., str]) -> None:
    data = [
        {"@type": "Organization", "name": "Example News"},
        {
            "@type": "ReportageNewsArticle",
            "headline": "Council approves budget after long debate",
            "datePublished": "2024-05-07T07:30:00Z",
            "author": [{"@type": "Organization", "name": "Example News"}, "John Smith"],
        },
    ]
    article = extract_article(page(_ld(data)), URL)
    assert article is not None
    assert article.published_utc == datetime.fromisoformat("2024-05-07T07:30:00+00:00")
    assert article.authors == ("John Smith",)


def test_microdata_date_and_author(page: Callable[..., str]) -> None:
    header = (
        "<h1 itemprop='headline'>Council approves budget after long debate</h1>"
        "<meta itemprop='datePublished' content='2024-05-07T10:15:00+01:00'>"
        "<span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
        "<span itemprop='name'>Ana Lima</span></span>"
    )
    article = extract_article(page(header=header), URL)
    assert article is not None
    assert article.published_at == datetime.fromisoformat("2024-05-07T10:15:00+01:00")
    assert article.provenance["published_at"] == "meta[datepublished]"
    assert article.authors == ("Ana Lima",)


def test_article_published_time_meta(page: Callable[..., str]) -> None:
    head = "<meta property='article:published_time' content='2024-05-07T08:00:00-04:00'>"
    article = extract_article(page(head), URL)
    assert article is not None
    assert article.published_at == datetime.fromisoformat("2024-05-07T08:00:00-04:00")
    assert article.provenance["published_at"] == "meta[article:published_time]"


def test_time_element(page: Callable[..., str]) -> None:
    header = (
        "<h1>Council approves budget after long debate</h1>"
        "<time datetime='2024-05-07T18:45:00+03:00'>7 May 2024</time>"
    )
    article = extract_article(page(header=header), URL)
    assert article is not None
    assert article.published_at == datetime.fromisoformat("2024-05-07T18:45:00+03:00")
    assert article.provenance["published_at"] == "time[datetime]"


def test_dublin_core(page: Callable[..., str]) -> None:
    head = (
        "<meta name='DC.date.issued' content='2024-05-07T06:00:00+00:00'>"
        "<meta name='DC.creator' content='Pat Miller'>"
    )
    article = extract_article(page(head), URL)
    assert article is not None
    assert article.published_at == datetime.fromisoformat("2024-05-07T06:00:00+00:00")
    assert article.provenance["published_at"] == "meta[dc.date.issued]"
    assert article.authors == ("Pat Miller",)
    assert article.provenance["authors"] == "meta[dc.creator]"


def test_language_from_html_lang(page: Callable[..., str]) -> None:
    article = extract_article(page(), URL)
    assert article is not None
    assert article.language == "en"
    assert article.provenance["body"] == "newsflow:cleaned"


def test_declared_labels_read_from_metadata(page: Callable[..., str]) -> None:
    head = (
        "<meta property='og:locale' content='de_AT'>"
        "<meta property='og:description' content='Kurz gesagt.'>"
        + _ld(
            {"@type": "NewsArticle", "articleSection": [" Politik "], "keywords": ["a", " b", "a"]}
        )
    )
    html = page(head=head).replace(" lang='en'", "")
    root = parse_html(html)
    assert root is not None
    meta = read_metadata(root)
    assert find_section(meta) == Found("Politik", "jsonld.articleSection")
    assert find_tags(meta) == ("a", "b")
    assert find_language(root, meta) == "de"
    assert descriptions(meta) == ["Kurz gesagt."]


def test_article_tags_win_over_keywords(page: Callable[..., str]) -> None:
    head = "<meta property='article:tag' content='Budget'>" + _ld(
        {"@type": "NewsArticle", "keywords": "council, city"}
    )
    root = parse_html(page(head=head))
    assert root is not None
    assert find_tags(read_metadata(root)) == ("Budget",)
