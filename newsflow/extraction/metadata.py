"""Declared metadata: JSON-LD, microdata, OpenGraph/article:*, Dublin Core and <time> elements."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

__all__ = ["ARTICLE_TYPES", "Metadata", "read_metadata", "types_of"]

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
        "liveblogposting", "report", "techarticle", "scholarlyarticle", "socialmediaposting",
        "advertisercontentarticle", "satiricalarticle", "medicalscholarlyarticle",
    }
)  # fmt: skip
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Metadata:
    """Everything a page declares about itself, read once."""

    meta: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    articles: tuple[dict[str, Any], ...] = ()
    pages: tuple[dict[str, Any], ...] = ()
    nodes: tuple[dict[str, Any], ...] = ()
    microdata: Mapping[str, tuple[HtmlElement, ...]] = field(default_factory=dict)
    title_tag: str = ""

    def first_meta(self, *keys: str) -> tuple[str, str] | None:
        """The first non-empty ``<meta>`` value among keys, with the key it came from."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip(), key
        return None

    def article_value(self, key: str) -> Any:
        """A property of the main JSON-LD article (or, failing that, of the web page node)."""
        for node in (*self.articles, *self.pages):
            if node.get(key):
                return node[key]
        return None


def read_metadata(root: HtmlElement, url: str | None = None) -> Metadata:
    """Read the declared metadata of a parsed page."""
    nodes = list(_jsonld_nodes(root))
    articles = [n for n in nodes if types_of(n) & ARTICLE_TYPES]
    articles.sort(key=lambda n: _url_rank(n, url))
    pages = [n for n in nodes if types_of(n) & _PAGE_TYPES]
    title = root.findtext(".//head/title") or root.findtext(".//title") or ""
    return Metadata(
        meta=_meta_tags(root),
        articles=tuple(articles),
        pages=tuple(pages),
        nodes=tuple(nodes),
        microdata=_microdata(root),
        title_tag=" ".join(title.split()),
    )


def types_of(node: Mapping[str, Any]) -> set[str]:
    """The schema.org types of a JSON-LD node, lowercased and without prefixes."""
    raw = node.get("@type", ())
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for v in values}


def _meta_tags(root: HtmlElement) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for element in root.iter("meta"):
        content = element.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return {key: tuple(values) for key, values in found.items()}


def _microdata(root: HtmlElement) -> dict[str, tuple[HtmlElement, ...]]:
    found: dict[str, list[HtmlElement]] = {}
    for element in root.xpath("//body//*[@itemprop]"):
        for prop in element.get("itemprop", "").split():
            found.setdefault(prop, []).append(element)
    return {key: tuple(values) for key, values in found.items()}


def _jsonld_nodes(root: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in root.xpath("//script[contains(@type, 'ld+json')]"):
        data = _load_json(script.text or "")
        if data is not None:
            yield from _walk(data, depth=0)


def _load_json(text: str) -> Any:
    text = _CONTROL.sub(" ", text.strip())
    # CMSs wrap JSON-LD in CDATA or HTML comments, or leave a trailing semicolon.
    text = re.sub(r"^(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)$", "", text).strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key, value in data.items():
            if key not in ("@context",) and isinstance(value, (dict, list)):
                yield from _walk(value, depth + 1)


def _url_rank(node: Mapping[str, Any], url: str | None) -> int:
    """0 for the node that describes this very page, 1 for others (stable sort keeps order)."""
    if not url:
        return 1
    entity = node.get("mainEntityOfPage")
    if isinstance(entity, dict):
        entity = entity.get("@id") or entity.get("url")
    candidates = (node.get("url"), node.get("@id"), entity)
    key = _url_key(url)
    return 0 if any(isinstance(c, str) and _url_key(c) == key for c in candidates) else 1


def _url_key(url: str) -> str:
    url = re.sub(r"^https?://(www\.)?", "", url.split("#")[0])
    return url.rstrip("/")
