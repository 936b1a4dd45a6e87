"""Pages that ship their text only inside script data still yield a body."""

from __future__ import annotations

import json

from newsflow import extract_article
from newsflow.extraction.embedded import embedded_paragraphs
from newsflow.extraction.pages import parse_html

SENTENCES = (
    "The council approved the new budget on Tuesday after a long debate.",
    "Supporters said the plan would repair ageing bridges and hire teachers.",
    "Critics warned that the spending would force higher taxes within two years.",
    "The mayor is expected to sign the budget next week, officials said.",
)


def _shell(script: str) -> str:
    return (
        "<html><head><title>Council approves budget</title>"
        "<meta property='og:type' content='article'></head>"
        f"<body><h1>Council approves budget</h1><div id='app'></div>{script}</body></html>"
    )


def test_hydration_html_string_becomes_paragraphs() -> None:
    markup = "".join(f"<p>{s} {s}</p>" for s in SENTENCES)
    state = json.dumps({"article": {"content": markup}, "id": 7})
    html = _shell(f"<script>window.__STATE__ = {state};</script>")
    article = extract_article(html, "https://news.example.org/a")
    assert article is not None
    assert list(article.paragraphs) == [f"{s} {s}" for s in SENTENCES]
    assert article.provenance["body"] == "script data"


def test_jsonld_article_body_comes_first() -> None:
    text = "\n".join(SENTENCES * 2)
    root = parse_html(_shell(""))
    assert root is not None
    assert embedded_paragraphs(root, text) == list(SENTENCES * 2)


def test_code_strings_are_not_prose() -> None:
    code = json.dumps("function (a) { return a; }; " * 20 + ". . . .")
    root = parse_html(_shell(f"<script>var x = {code};</script>"))
    assert root is not None
    assert embedded_paragraphs(root) == []


def test_escaped_lone_surrogates_and_nul_do_not_reach_the_article() -> None:
    # A headline cut inside an emoji ends in "\ud83d", which json.loads gives back as it is.
    body = "\n".join(SENTENCES * 2) + "\x00"
    data = {"@type": "NewsArticle", "headline": "Council votes \ud83d", "articleBody": body}
    script = f"<script type='application/ld+json'>{json.dumps(data)}</script>"
    article = extract_article(_shell(script), "https://news.example.org/a")
    assert article is not None and article.title == "Council votes \ufffd"
    for text in (article.title, article.body):
        assert "\x00" not in text.encode("utf-8").decode()  # encode raises on a lone surrogate
