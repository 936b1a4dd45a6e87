"""Page parsing and page kinds: is this an article, a listing, a wall or a challenge?"""

from __future__ import annotations

import re
from enum import Enum

from lxml import etree, html
from lxml.html import HtmlElement

from newsflow.extraction.prose import BLOCK_CHARS, has_long_paragraph, read_prose, teaser_count

__all__ = [
    "PageKind",
    "block_page_vendor",
    "classify_page",
    "classify_tree",
    "parse_html",
    "visible_text",
]

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
# Bot-defence vendors' block pages, served with a 403 or a 200, each by the mark only its page
# carries, looked for only where the vendor puts it, so that a story quoting one is no block
# page: (vendor, mark in the title, in the text under such a title, in the page's code).
_BLOCK_PAGES = (
    (  # the edge's "Access Denied … Reference #18.2f580317.1772098100.2b6a23ca"
        "Akamai",
        re.compile(r"^access denied$", re.IGNORECASE),
        re.compile(r"\breference #\s?\d+(?:\.[0-9a-f]+){3}\b", re.IGNORECASE),
        re.compile(r"/_sec/cp_challenge", re.IGNORECASE),  # its bot manager's challenge
    ),
    (  # the firewall's block page, and its JavaScript challenge's cookie
        "Sucuri",
        re.compile(r"sucuri website firewall - access denied", re.IGNORECASE),
        None,
        re.compile(r"sucuri_cloudproxy_js", re.IGNORECASE),
    ),
    (  # a bare frame (or script) of its own resource, "Request unsuccessful. Incapsula …"
        "Incapsula",
        None,
        None,
        re.compile(r"/_incapsula_resource\b", re.IGNORECASE),
    ),
)
# Challenge and block pages are short; a long page naming one is an article about them.
_BLOCK_PAGE_TEXT = 2000
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
# A listing links to at least this many pages with headline-like anchors, or shows this many
# teaser cards with a blurb...
_LISTING_TEASERS = 8
_LISTING_BLURBS = 3
# ...and its largest block of prose outside teasers is shorter than a short news item.
_LISTING_PROSE = 5 * BLOCK_CHARS
_DECLARED_LISTING_PROSE = 2 * BLOCK_CHARS
_TEXT_NODES = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]",
    smart_strings=False,  # plain strings: a third faster, and only the text is needed
)
_UNHIDDEN_NODES = etree.XPath(
    ".//text()[not(parent::script or parent::style)]", smart_strings=False
)
_HIDDEN_TEXT = etree.XPath(
    "boolean(ancestor-or-self::*[self::noscript or self::template]"
    " | .//noscript//text()[normalize-space()] | .//template//text()[normalize-space()])"
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
    # Script and style hold only text: when nothing else hidden holds any, a check of each
    # node's parent gives the same nodes as the slower check of all its ancestors.
    nodes = _TEXT_NODES if _HIDDEN_TEXT(element) else _UNHIDDEN_NODES
    return " ".join(" ".join(nodes(element)).split())


def classify_page(markup: str | bytes, url: str | None = None) -> PageKind:
    """Classify a fetched page: article, listing, challenge, login wall, soft 404 or other."""
    root = parse_html(markup)
    if root is None:
        return PageKind.OTHER
    return classify_tree(root, url)


def classify_tree(root: HtmlElement, url: str | None = None) -> PageKind:
    """Classify an already parsed page (see classify_page)."""
    text, title = _text_and_title(root)
    if len(text) < _BLOCK_PAGE_TEXT:
        code = _page_code(root)
        if _CHALLENGE.search(f"{title} {text} {code}") or _vendor_of(title, text, code):
            return PageKind.BLOCKED
    declared = _declares_article(root)
    heading = " ".join(h.text_content() for h in root.iter("h1"))
    if not declared and len(text) < 3000 and _NOT_FOUND.search(f"{title} {heading}"):
        return PageKind.NOT_FOUND
    if _is_wall(root, text):
        return PageKind.LOGIN
    return _by_content(root, text, declared)


def block_page_vendor(markup: str | bytes) -> str | None:
    """The bot-defence vendor whose block page this is (``"Akamai"``, ``"Sucuri"``, …), or None."""
    root = parse_html(markup)
    if root is None:
        return None
    text, title = _text_and_title(root)
    if len(text) >= _BLOCK_PAGE_TEXT:
        return None
    return _vendor_of(title, text, _page_code(root))


def _text_and_title(root: HtmlElement) -> tuple[str, str]:
    body = root.find("body")
    text = visible_text(body) if body is not None else ""
    return text, " ".join((root.findtext(".//title") or "").split())


def _vendor_of(title: str, text: str, code: str) -> str | None:
    for vendor, in_title, in_text, in_code in _BLOCK_PAGES:
        titled = in_title is not None and in_title.search(title)
        if titled and (in_text is None or in_text.search(text)):
            return vendor
        if in_code is not None and in_code.search(code):
            return vendor
    return None


def _page_code(root: HtmlElement) -> str:
    # Challenge vendors show up in script bodies, script and frame URLs, form ids and cookie
    # names (Incapsula's block page is a bare iframe of its own resource).
    scripts = [s.text or "" for s in root.iter("script")]
    attrs = root.xpath("//script/@src | //iframe/@src | //form/@action | //form/@id | //*[@id]/@id")
    return " ".join([*scripts, *map(str, attrs)])


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


def _by_content(root: HtmlElement, text: str, declared: bool) -> PageKind:
    # A listing has many teasers (or is mostly link text) and little prose of its own; a page
    # declaring itself an article keeps that claim unless it has almost no prose at all.
    teasers = teaser_count(root)
    if declared and (teasers < _LISTING_TEASERS or has_long_paragraph(root)):
        return PageKind.ARTICLE
    prose = read_prose(root)
    limit = _DECLARED_LISTING_PROSE if declared else _LISTING_PROSE
    listed = teasers >= _LISTING_TEASERS or prose.blurbs >= _LISTING_BLURBS
    if prose.main_chars < limit and (listed or _mostly_links(root, text)):
        return PageKind.LISTING
    # Two blocks of sentences, in paragraphs or between line breaks, make an article.
    return PageKind.ARTICLE if declared or prose.blocks >= 2 else PageKind.OTHER


def _mostly_links(root: HtmlElement, text: str) -> bool:
    links = root.xpath("//body//a[@href]")
    if len(links) < 30 or not text:
        return False
    link_chars = sum(len(" ".join(a.text_content().split())) for a in links)
    return link_chars / len(text) > 0.45


def _longest_paragraph(root: HtmlElement) -> int:
    lengths = [len(" ".join(p.text_content().split())) for p in root.iter("p")]
    return max(lengths, default=0)
