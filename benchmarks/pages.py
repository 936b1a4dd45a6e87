"""Article pages of the bench site, with the furniture real news pages carry.

Navigation and a breaking-news ticker, breadcrumbs, a lead figure, a "read also" box inside the
text, tags, share buttons, related stories, a comment thread, a sidebar (most read, newsletter,
ads), a long footer, inline styles and scripts, and the metadata (canonical link, Open Graph,
JSON-LD) an extractor reads. About 30 KB a page, as agency pages are before images.
"""

from __future__ import annotations

import json
import random
from html import escape

from benchmarks.stories import AUTHORS, Story
from benchmarks.text import SECTIONS, TextMaker

LABELS = {
    "en": ("Read also", "Comments", "Most read", "Share", "Related", "Reply", "Subscribe"),
    "ru": (
        "Читайте также",
        "Комментарии",
        "Самое читаемое",
        "Поделиться",
        "По теме",
        "Ответить",
        "Подписаться",
    ),
    "ar": ("اقرأ أيضا", "التعليقات", "الأكثر قراءة", "شارك", "ذات صلة", "رد", "اشترك"),
}
STYLE = (
    "<style>"
    + " ".join(
        f".c{n}{{margin:{n}px;padding:{n % 7}px;color:#{n * 99 % 4096:03x}}}" for n in range(120)
    )
    + "</style>"
)
SCRIPT = (
    "<script>window.__CONFIG__="
    + json.dumps(
        {f"slot{n}": {"id": f"ad-{n}", "sizes": [[300, 250], [728, 90]]} for n in range(60)}
    )
    + ";(function(){var d=document;d.addEventListener('DOMContentLoaded',function(){});})();"
    "</script>"
)


def article_page(story: Story, others: list[Story], rng: random.Random) -> str:
    """The full HTML of a story's page; ``others`` fill the ticker, boxes and sidebar."""
    text = TextMaker(story.language, rng)
    site = story.agency.capitalize()
    host = f"https://{story.agency}.example"
    parts = [
        _head(story, site),
        f'<body class="single lang-{story.language}">',
        _header(story, host, others[:5]),
        _article(story, others, host),
        _comments(story, text, rng),
        _sidebar(story, others[5:15]),
        _footer(host, site),
        SCRIPT,
        "</body></html>",
    ]
    return "\n".join(parts)


def _head(story: Story, site: str) -> str:
    title, stamp = escape(story.title), story.published.isoformat()
    description = escape(story.paragraphs[0].split(". ")[0])
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": stamp,
        "author": {"@type": "Person", "name": story.author},
        "publisher": {"@type": "Organization", "name": site},
        "mainEntityOfPage": story.url,
        "articleSection": story.section,
    }
    direction = ' dir="rtl"' if story.language == "ar" else ""
    return (
        f'<!DOCTYPE html><html lang="{story.language}"{direction}><head><meta charset="utf-8">'
        f"<title>{title} - {site}</title>"
        f'<meta name="description" content="{description}">'
        f'<link rel="canonical" href="{story.url}">'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
        f'<meta property="og:url" content="{story.url}">'
        f'<meta property="og:site_name" content="{site}">'
        f'<meta property="article:published_time" content="{stamp}">'
        f'<meta property="article:section" content="{story.section}">'
        f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
        f'<link rel="stylesheet" href="/static/site.css">{STYLE}</head>'
    )


def _header(story: Story, host: str, ticker: list[Story]) -> str:
    lang = story.language
    nav = "".join(f'<li><a href="{host}/{lang}/{s}/">{s.title()}</a></li>' for s in SECTIONS)
    news = "".join(f'<li><a href="{t.url}">{escape(t.title)}</a></li>' for t in ticker)
    return (
        f'<header class="site-header"><a class="logo" href="{host}/{lang}/">{story.agency}</a>'
        f'<nav class="main-menu"><ul>{nav}</ul></nav>'
        '<div class="lang-switch"><a href="/en/">English</a> <a href="/ar/">العربية</a>'
        ' <a href="/ru/">Русский</a></div>'
        '<form class="search" action="/search"><input name="q" placeholder="Search"></form>'
        f'<div class="breaking"><span>Breaking</span><ul>{news}</ul></div></header>'
    )


def _article(story: Story, others: list[Story], host: str) -> str:
    read_also, _, _, share, related, _, _ = LABELS[story.language]
    body = [f"<p>{escape(p)}</p>" for p in story.paragraphs]
    aside = others[15] if len(others) > 15 else others[0]
    box = (
        f'<aside class="read-also"><h4>{read_also}</h4>'
        f'<a href="{aside.url}">{escape(aside.title)}</a></aside>'
    )
    body.insert(min(3, len(body)), box)
    tags = "".join(
        f'<a rel="tag" href="{host}/tag/{w}/">{escape(w)}</a>' for w in story.title.split()[:4]
    )
    buttons = "".join(
        f'<a class="share-{n}" href="https://{n}.example/share?u={story.url}">{n}</a>'
        for n in ("facebook", "x", "telegram", "whatsapp", "email")
    )
    boxes = "".join(
        f'<li><a href="{r.url}">{escape(r.title)}</a><p>{escape(r.paragraphs[0][:140])}</p></li>'
        for r in others[:6]
    )
    return (
        f'<main><nav class="breadcrumbs"><a href="{host}/">Home</a> › '
        f'<a href="{host}/{story.language}/{story.section}/">{story.section.title()}</a></nav>'
        f'<article class="post"><h1 class="entry-title">{escape(story.title)}</h1>'
        f'<div class="meta"><span class="byline">{escape(story.author)}</span> '
        f'<time datetime="{story.published.isoformat()}">'
        f"{story.published:%d.%m.%Y %H:%M}</time></div>"
        f'<figure class="lead"><img src="{host}/img/{story.n}.jpg" alt="">'
        f"<figcaption>{escape(story.title[:60])} (Photo: {story.agency})</figcaption></figure>"
        f'<div class="entry-content">{"".join(body)}</div>'
        f'<div class="tags">{tags}</div><div class="share"><span>{share}</span>{buttons}</div>'
        f'</article><section class="related"><h3>{related}</h3><ul>{boxes}</ul></section></main>'
    )


def _comments(story: Story, text: TextMaker, rng: random.Random) -> str:
    _, title, _, _, _, reply, _ = LABELS[story.language]
    items = "".join(
        f'<li class="comment"><div class="comment-author">{rng.choice(AUTHORS)}</div>'
        f'<div class="comment-date">{story.published:%d.%m.%Y}</div>'
        f"<p>{escape(text.short())} {escape(text.short())}</p>"
        f'<a class="reply" href="#">{reply}</a></li>'
        for _ in range(rng.randint(3, 12))
    )
    return f'<section id="comments"><h3>{title}</h3><ol class="comment-list">{items}</ol></section>'


def _sidebar(story: Story, most_read: list[Story]) -> str:
    _, _, title, _, _, _, subscribe = LABELS[story.language]
    items = "".join(f'<li><a href="{s.url}">{escape(s.title)}</a></li>' for s in most_read)
    ads = "".join(f'<div class="ad" id="ad-{n}" data-size="300x250"></div>' for n in range(3))
    return (
        f'<aside class="sidebar"><section class="most-read"><h3>{title}</h3><ol>{items}</ol>'
        f'</section><form class="newsletter"><input type="email"><button>{subscribe}</button>'
        f"</form>{ads}</aside>"
    )


def _footer(host: str, site: str) -> str:
    links = "".join(f'<li><a href="{host}/page/{n}/">Page {n}</a></li>' for n in range(40))
    return (
        f'<footer class="site-footer"><ul class="footer-links">{links}</ul>'
        f"<p>© 2024 {site}. All rights reserved. Reproduction without permission is"
        " prohibited.</p></footer>"
    )
