"""Declared metadata: JSON-LD, microdata, OpenGraph/article:*, Dublin Core and <time> elements."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

from newsflow.extraction.evidence import Found

__all__ = [
    "ARTICLE_TYPES",
    "Metadata",
    "descriptions",
    "find_language",
    "find_section",
    "find_tags",
    "read_metadata",
    "types_of",
]

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


def find_section(meta: Metadata) -> Found | None:
    """The declared section: ``article:section``, else the JSON-LD ``articleSection``."""
    found = meta.first_meta("article:section")
    if found:
        return Found(found[0], "meta[article:section]")
    value = meta.article_value("articleSection")
    value = value[0] if isinstance(value, list) and value else value
    return (
        Found(value.strip(), "jsonld.articleSection")
        if isinstance(value, str) and value.strip()
        else None
    )


def find_tags(meta: Metadata) -> tuple[str, ...]:
    """The declared tags: ``article:tag``, else the JSON-LD ``keywords``, without duplicates."""
    tags = [t.strip() for t in meta.meta.get("article:tag", ())]
    keywords = meta.article_value("keywords")
    if not tags and isinstance(keywords, str):
        tags = [k.strip() for k in keywords.split(",")]
    elif not tags and isinstance(keywords, list):
        tags = [str(k).strip() for k in keywords]
    return tuple(dict.fromkeys(t for t in tags if t))


def find_language(root: HtmlElement, meta: Metadata) -> str | None:
    """The declared language as a bare ISO 639 code (``de`` for ``de_AT``), or None."""
    declared = root.get("lang") or meta.article_value("inLanguage")
    if not isinstance(declared, str) or not declared.strip():
        found = meta.first_meta("og:locale", "content-language", "language", "dc.language")
        declared = found[0] if found else None
    if not declared:
        return None
    code = declared.strip().replace("_", "-").split("-")[0].lower()
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


def descriptions(meta: Metadata) -> list[str]:
    """The page's distinct summaries: JSON-LD ``description``, then the description metas."""
    found = [meta.article_value("description")]
    found += [
        v
        for k in ("og:description", "description", "twitter:description")
        for v in meta.meta.get(k, ())
    ]
    return list(dict.fromkeys(d for d in found if isinstance(d, str) and d.strip()))


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
    except (ValueError, RecursionError):  # deeply nested arrays exhaust the decoder's stack
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
