"""Headlines: the visible h1 reconciled with declared titles, the site name removed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsflow.extraction.evidence import Found
from newsflow.extraction.metadata import Metadata
from newsflow.extraction.pages import visible_text

__all__ = ["find_title", "site_names", "strip_site_name"]

# Separators sites put between headline and site name; spaces around them are required so
# that hyphenated words and "Covid-19" stay whole.
_SEP = r"(?:\||-|–|—|::|·|•|»)"
_SEPARATOR = re.compile(rf"\s+{_SEP}\s+")
_MATCH = 0.6


def find_title(
    root: HtmlElement, meta: Metadata, url: str | None, suffixes: Iterable[str] = ()
) -> Found | None:
    """The headline as shown on the page, with its evidence."""
    sites = site_names(meta, url)
    declared = [
        Found(strip_site_name(title, sites, suffixes, others), evidence)
        for title, evidence, others in _declared(meta)
    ]
    declared = [d for d in declared if d.value]
    headings = list(_headings(root))
    if declared:
        best = max(headings, key=lambda h: _similarity(h.value, declared[0].value), default=None)
        if best is not None and _similarity(best.value, declared[0].value) >= _MATCH:
            return best
        return declared[0]
    return headings[0] if headings else None


def site_names(meta: Metadata, url: str | None) -> list[str]:
    """Names the site goes by: og:site_name, publisher names, application name, host."""
    names = [v for k in ("og:site_name", "application-name", "twitter:site") for v in meta.meta.get(k, ())]
    for node in meta.nodes:
        if node.get("@type") in ("WebSite", "Organization", "NewsMediaOrganization"):
            names.append(str(node.get("name") or ""))
        publisher = node.get("publisher")
        if isinstance(publisher, dict):
            names.append(str(publisher.get("name") or ""))
    host = urlsplit(url).hostname if url else None
    if host:
        names.append(host.removeprefix("www."))
    return [n.strip().lstrip("@") for n in names if n and n.strip()]


def strip_site_name(
    title: str, sites: Iterable[str], suffixes: Iterable[str] = (), others: Iterable[str] = ()
) -> str:
    """A declared title without the site name glued to either end."""
    title = " ".join(title.split())
    for suffix in suffixes:
        title = title.removesuffix(suffix).strip()
    keys = [k for k in (_key(s) for s in sites) if k]
    parts = _SEPARATOR.split(title)
    while len(parts) > 1 and _is_site(parts[-1], keys, others):
        title = title[: title.rfind(parts.pop())].rstrip()
        title = _trim_sep(title)
    while len(parts) > 1 and _is_site(parts[0], keys, others):
        title = _trim_sep(title[len(parts.pop(0)) :], leading=True)
    return title


def _trim_sep(title: str, leading: bool = False) -> str:
    pattern = rf"^\s*{_SEP}\s*" if leading else rf"\s*{_SEP}\s*$"
    return re.sub(pattern, "", title).strip()


def _is_site(part: str, keys: list[str], others: Iterable[str]) -> bool:
    key = _key(part)
    if not key:
        return False
    squeezed = key.replace(" ", "")
    for site in keys:
        site_squeezed = site.replace(" ", "")
        if key == site or squeezed == site_squeezed or squeezed in site_squeezed.split("."):
            return True
        if len(squeezed) >= 4 and (squeezed in site_squeezed or site_squeezed in squeezed):
            return True
    # A segment every other declared title lacks is the site's, not the headline's.
    return bool(others) and len(key.split()) <= 4 and all(key not in _key(o) for o in others)


def _declared(meta: Metadata) -> Iterator[tuple[str, str, list[str]]]:
    headline = meta.article_value("headline")
    values: list[tuple[str, str]] = []
    if isinstance(headline, str):
        values.append((headline, "jsonld.headline"))
    for key, evidence in (("og:title", "og:title"), ("twitter:title", "twitter:title"), ("dc.title", "meta[dc.title]")):
        found = meta.first_meta(key)
        if found:
            values.append((found[0], evidence))
    if meta.title_tag:
        values.append((meta.title_tag, "title"))
    for title, evidence in values:
        others = [t for t, _ in values if t != title]
        yield title, evidence, others


def _headings(root: HtmlElement) -> Iterator[Found]:
    for element in root.xpath("//body//h1 | //body//*[@itemprop='headline']"):
        text = visible_text(element)
        if 3 <= len(text) <= 400:
            yield Found(text, "h1" if element.tag == "h1" else "microdata.headline")


def _similarity(a: str, b: str) -> float:
    a, b = _key(a), _key(b)
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return min(len(a), len(b)) / max(len(a), len(b)) * 0.5 + 0.5
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s.]", " ", text).split())
