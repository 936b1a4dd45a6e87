"""Page parsing and page kinds: is this an article, a listing, a wall or a challenge?"""

from __future__ import annotations

import re
from enum import Enum

from lxml import etree, html
from lxml.html import HtmlElement

__all__ = ["PageKind", "classify_page", "classify_tree", "parse_html", "visible_text"]

_PARSER = html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)

# Markers of JavaScript challenge pages; each names a vendor's script, cookie or wording.
_CHALLENGE = re.compile(
    r"checking (?:if the site connection is secure|your browser)|just a moment\.\.\."
    r"|cf-browser-verification|challenge-platform|cf_chl_|cf-challenge|__cf_bm"
    r"|arvancloud|ddos-guard|servicepipe|enable javascript and cookies to continue"
    r"|please enable js and disable any ad blocker|attention required! \| cloudflare"
    r"|ddos protection by|verifying you are human|are you a robot|captcha-delivery",
    re.IGNORECASE,
)
_NOT_FOUND = re.compile(
    r"\b404\b|page not found|not be found|no longer available|doesn.t exist"
    r"|seite nicht gefunden|nicht gefunden|page introuvable|n'existe pas|no encontrada"
    r"|non trovata|страница не найдена|не найдена|الصفحة غير موجودة|sayfa bulunamadı",
    re.IGNORECASE,
)
_WALL = re.compile(
    r"log ?in to (?:continue|read)|sign in to (?:continue|read)|subscribe to (?:continue|read)"
    r"|subscribers only|already a subscriber|create (?:a free )?account to|bitte melden sie sich an"
    r"|jetzt anmelden|connectez-vous|abonnez-vous pour|inicia sesión",
    re.IGNORECASE,
)
_ARTICLE_TYPES = re.compile(r'"@type"\s*:\s*\[?\s*"(?:\w+)?(?:Article|BlogPosting|Report)"')
_TEXT_NODES = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)


class PageKind(Enum):
    """What a fetched page is, as far as the crawler is concerned."""

    ARTICLE = "article"
    LISTING = "listing"
    BLOCKED = "blocked"
    LOGIN = "login"
    NOT_FOUND = "not_found"
    OTHER = "other"


def parse_html(markup: str | bytes) -> HtmlElement | None:
    """Parse a page once with lxml; None when there is nothing to parse."""
    data = markup.encode("utf-8", "replace") if isinstance(markup, str) else markup
    if not data.strip():
        return None
    try:
        root = html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


def visible_text(element: HtmlElement) -> str:
    """The text a reader sees in an element (scripts and styles left out)."""
    return " ".join(" ".join(_TEXT_NODES(element)).split())


def classify_page(markup: str | bytes, url: str | None = None) -> PageKind:
    """Classify a fetched page: article, listing, challenge, login wall, soft 404 or other."""
    root = parse_html(markup)
    if root is None:
        return PageKind.OTHER
    return classify_tree(root, url)


def classify_tree(root: HtmlElement, url: str | None = None) -> PageKind:
    """Classify an already parsed page (see classify_page)."""
    body = root.find("body")
    text = visible_text(body) if body is not None else ""
    title = " ".join((root.findtext(".//title") or "").split())
    if len(text) < 2000 and _CHALLENGE.search(_challenge_evidence(root, title, text)):
        return PageKind.BLOCKED
    declared = _declares_article(root)
    heading = " ".join(h.text_content() for h in root.iter("h1"))
    if not declared and len(text) < 3000 and _NOT_FOUND.search(f"{title} {heading}"):
        return PageKind.NOT_FOUND
    if _is_wall(root, text):
        return PageKind.LOGIN
    if declared:
        return PageKind.ARTICLE
    if _is_listing(root, text):
        return PageKind.LISTING
    return PageKind.ARTICLE if _has_prose(root) else PageKind.OTHER


def _challenge_evidence(root: HtmlElement, title: str, text: str) -> str:
    # Challenge vendors show up in script bodies, script URLs, form ids and cookie names.
    scripts = [s.text or "" for s in root.iter("script")]
    attrs = root.xpath("//script/@src | //form/@action | //form/@id | //*[@id]/@id")
    return " ".join([title, text, *scripts, *map(str, attrs)])


def _declares_article(root: HtmlElement) -> bool:
    og_type = root.xpath("string(//meta[@property='og:type']/@content)").strip().lower()
    if og_type == "article" or root.xpath("//meta[@property='article:published_time']"):
        return True
    scripts = root.xpath("//script[contains(@type, 'ld+json')]/text()")
    return any(_ARTICLE_TYPES.search(str(s)) for s in scripts)


def _is_wall(root: HtmlElement, text: str) -> bool:
    # A paywalled article with a long teaser is still an article: walls are short pages.
    if len(text) > 2500 or _longest_paragraph(root) > 400:
        return False
    has_password = bool(root.xpath("//input[@type='password']"))
    return has_password or bool(_WALL.search(text))


def _is_listing(root: HtmlElement, text: str) -> bool:
    links = root.xpath("//body//a[@href]")
    if len(links) < 30 or not text:
        return False
    link_chars = sum(len(" ".join(a.text_content().split())) for a in links)
    headline_links = root.xpath("//*[self::h2 or self::h3 or self::h4]//a[@href]")
    return link_chars / len(text) > 0.45 or (
        len(headline_links) >= 8 and _longest_paragraph(root) < 300
    )


def _longest_paragraph(root: HtmlElement) -> int:
    lengths = [len(" ".join(p.text_content().split())) for p in root.iter("p")]
    return max(lengths, default=0)


def _has_prose(root: HtmlElement) -> bool:
    paragraphs = [p for p in root.iter("p") if len(p.text_content().strip()) > 80]
    return len(paragraphs) >= 2
