"""A listing page's markup, learnt from the page: the element that is one listed article, the
link and the day inside it, and the link to the older page.

Each candidate selector is judged the way the crawl will use it (``parse_listing`` with the
registry's selectors), so what is proposed is what was seen to work on the page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date

from lxml.html import HtmlElement
from newsflow.crawlers.discovery import absolute_url
from newsflow.crawlers.discovery.listings import parse_day, parse_listing
from parsel import Selector

from newsflow.registry import ListingMarkup

# Link texts that lead to older items, in the agencies' languages ("›" and "»" are arrows).
_NEXT_TEXT = re.compile(
    r"older|next|more|earlier|previous entries|»|›|→|suivant|anciens|siguiente|anteriores|"
    r"weiter|ältere|следующая|далее|ещё|еще|предыдущ|التالي|السابق|الأقدم|sonraki|önceki|بعدی|"
    r"下一页|次へ|다음",
    re.IGNORECASE,
)
_SHORT_TEXT = 60


def infer_markup(
    html: str,
    url: str,
    is_article: Callable[[str], bool],
    languages: tuple[str, ...] = ("en",),
    today: date | None = None,
) -> ListingMarkup | None:
    """Selectors that read this listing page, or None when it lists no articles in a repeated
    element."""
    page = Selector(text=html, base_url=url)
    owners = _owners(page, url, is_article)
    items = _items(owners)
    if not items:
        return None
    best = _best_item_selector(page, items)
    if best is None:
        return None
    matched = {s.root for s in page.css(best)}
    chosen = [node for node in items if node in matched]
    link = _link_selector(chosen, owners)
    day = _date_selector(chosen, languages, today)
    markup = ListingMarkup(item=best, link=link, date=day, next_page=next_page_selector(page, url))
    wanted = {owners[node] for node in chosen}
    return markup if _reads(html, url, markup, wanted, languages) else None


def next_page_selector(page: Selector, url: str) -> str | None:
    """The selector of the link to the older page: rel=next, else a link that says so, else
    the page number after the current one (numbered pagination: /page/2/, ?paged=2)."""
    for selector in ("link[rel=next]::attr(href)", "a[rel=next]::attr(href)"):
        if _elsewhere(page.css(selector).get(), url):
            return selector
    for anchor in page.css("a[href]"):
        text = " ".join(anchor.css("::text").getall()).strip()
        if not text or len(text) > 40 or not _NEXT_TEXT.search(text):
            continue
        if not _elsewhere(anchor.attrib.get("href"), url):
            continue
        for selector in _anchor_selectors(anchor, text):
            if page.css(selector).get() == anchor.attrib["href"]:
                return selector
    return _after_current(page, url)


# How a pager marks the page shown: WordPress's span.current (aria-current), Bootstrap's
# li.active, and their kin.
_CURRENT = ("current", "active", "is-active", "selected")


def _after_current(page: Selector, url: str) -> str | None:
    """The selector of the link to the number after the current page's, where the pager marks
    the current one: the same selector finds the next number on every page of the listing."""
    for marker in page.css("[aria-current], " + ", ".join(f".{c}" for c in _CURRENT)):
        number = marker.xpath("normalize-space()").get() or ""
        following = marker.root.getnext()
        if not number.isdigit() or following is None:
            continue
        for mark in _marks(marker):
            for after in ("a", f"{following.tag} a"):
                selector = f"{marker.root.tag}{mark} + {after}"
                link = page.css(selector)[:1]
                text = link.xpath("normalize-space()").get()
                if text == str(int(number) + 1) and _elsewhere(link.attrib.get("href"), url):
                    return f"{selector}::attr(href)"
    return None


def _marks(marker: Selector) -> list[str]:
    """How a selector can say 'the current page' of this element."""
    marks = ["[aria-current]"] if "aria-current" in marker.attrib else []
    classes = _classes(marker.attrib.get("class"))
    return marks + [f".{c}" for c in _CURRENT if c in classes]


def _owners(page: Selector, url: str, is_article: Callable[[str], bool]) -> dict[HtmlElement, str]:
    """Each element on the page holding links to exactly one article, with that article's URL."""
    urls: dict[HtmlElement, set[str]] = {}
    for anchor in page.css("a[href]"):
        target = absolute_url(url, anchor.attrib["href"])
        if target is None or not is_article(target):
            continue
        node: HtmlElement | None = anchor.root
        while node is not None:
            urls.setdefault(node, set()).add(target)
            node = node.getparent()
    return {node: next(iter(found)) for node, found in urls.items() if len(found) == 1}


def _items(owners: dict[HtmlElement, str]) -> list[HtmlElement]:
    """The largest single-article element around each article link: one listed item each."""
    return [node for node in owners if node.getparent() is None or node.getparent() not in owners]


def _best_item_selector(page: Selector, items: list[HtmlElement]) -> str | None:
    """The ``tag`` or ``tag.class`` covering the most items while matching few other elements."""
    candidates: Counter[str] = Counter()
    for node in items:
        tag = node.tag if isinstance(node.tag, str) else ""
        candidates[tag] += 1
        for cls in set(_classes(node.get("class"))):
            candidates[f"{tag}.{cls}"] += 1
    item_set = set(items)

    def score(selector: str) -> float:
        matched = [s.root for s in page.css(selector)]
        hits = sum(1 for m in matched if m in item_set)
        return hits - 0.5 * (len(matched) - hits)

    # Among equals the shortest class: "post" is a habit, "category-news" one of many values.
    ranked = sorted(candidates, key=lambda s: (-score(s), -s.count("."), len(s), s))
    return ranked[0] if ranked and score(ranked[0]) >= 2 else None


def _link_selector(items: list[HtmlElement], owners: dict[HtmlElement, str]) -> str:
    """The article link inside an item: the anchor with the longest text (the headline)."""
    votes: Counter[str] = Counter()
    for node in items:
        anchors = [a for a in node.iter("a") if a.get("href")]
        if not anchors:
            continue
        headline = max(anchors, key=lambda a: len(a.text_content().strip()))
        votes[_relative_selector(headline)] += 1
    return votes.most_common(1)[0][0] if votes else "a::attr(href)"


def _relative_selector(anchor: HtmlElement) -> str:
    classes = _classes(anchor.get("class"))
    if classes:
        return f"a.{classes[0]}::attr(href)"
    parent = anchor.getparent()
    if parent is not None and parent.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return f"{parent.tag} a::attr(href)"
    return "a::attr(href)"


def _date_selector(
    items: list[HtmlElement], languages: tuple[str, ...], today: date | None
) -> str | None:
    """Where an item gives its day: a <time datetime>, else the short text that reads as one."""
    votes: Counter[str] = Counter()
    for node in items:
        if any(t.get("datetime") for t in node.iter("time")):
            votes["time::attr(datetime)"] += 1
            continue
        for element in node.iter():
            if not isinstance(element.tag, str) or element.tag == "a":
                continue
            text = " ".join(t.strip() for t in element.xpath("text()") if t.strip())
            if text and len(text) <= _SHORT_TEXT and parse_day(text, None, languages, today):
                votes[_text_selector(element)] += 1
                break
    if not votes:
        return None
    selector, count = votes.most_common(1)[0]
    return selector if count >= 0.8 * len(items) else None


def _text_selector(element: HtmlElement) -> str:
    classes = _classes(element.get("class"))
    return f"{element.tag}.{classes[0]}::text" if classes else f"{element.tag}::text"


def _anchor_selectors(anchor: Selector, text: str) -> list[str]:
    selectors = []
    classes = _classes(anchor.attrib.get("class"))
    selectors += [f"a.{c}::attr(href)" for c in classes]
    parent = anchor.root.getparent()
    if parent is not None:
        selectors += [f".{c} a::attr(href)" for c in _classes(parent.get("class"))]
    if '"' not in text and "\\" not in text:
        selectors.append(f'a:contains("{text}")::attr(href)')
    return selectors


def _elsewhere(link: str | None, url: str) -> bool:
    """Whether a link leads to another page than this one (not a fragment of it)."""
    if not link:
        return False
    target = absolute_url(url, link)
    return target is not None and target.split("#")[0] != url.split("#")[0]


def _reads(
    html: str,
    url: str,
    markup: ListingMarkup,
    wanted: set[str],
    languages: tuple[str, ...],
) -> bool:
    """Whether the crawl's own listing parser, given this markup, finds the items' articles."""
    found = {item.url for item in parse_listing(html, url, markup, languages).items}
    return len(found & wanted) >= 0.9 * len(wanted)


def _classes(attribute: str | None) -> list[str]:
    """Class names usable in a selector; per-item ones (``post-1234``) say nothing shared."""
    return [
        c
        for c in (attribute or "").split()
        if re.fullmatch(r"[_a-zA-Z][\w-]*", c) and not re.search(r"\d{2,}", c)
    ]
