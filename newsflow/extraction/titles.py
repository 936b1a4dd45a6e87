"""Headlines: the visible h1 reconciled with declared titles, the site name removed."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsflow.extraction.evidence import Found
from newsflow.extraction.metadata import Metadata

__all__ = ["find_title", "site_names", "strip_site_name"]

# Separators sites put between headline and site name; spaces around them are required so
# that hyphenated words and "Covid-19" stay whole.
_SEP = r"(?:\||-|–|—|::|·|•|»|\*)"
_WIDE_SEP = r"(?:｜|ㅣ)"  # full-width bars need no spaces around them
_SEPARATOR = re.compile(rf"\s+{_SEP}\s+|\s*{_WIDE_SEP}\s*")


def find_title(
    root: HtmlElement, meta: Metadata, url: str | None, suffixes: Iterable[str] = ()
) -> Found | None:
    """The headline, with its evidence: declared titles first, the visible h1 reconciling them.

    Measured on the dev set, the JSON-LD headline then og:title agree best with the headline
    editors intend; the h1 decides typography when it says the same, and stands in when no
    title is declared.
    """
    sites = site_names(meta, url)
    headings = list(_headings(root))
    shown = [h.value for h in headings]
    declared = [
        Found(strip_site_name(title, sites, suffixes, others, shown), evidence)
        for title, evidence, others in _declared(meta)
    ]
    declared = [d for d in declared if len(d.value) >= 3]
    chosen = _untruncated(declared[0], [*declared[1:], *headings]) if declared else None
    if chosen is None:
        return headings[0] if headings else None
    if headings and _unheralded(headings[0], declared):
        return headings[0]
    chosen = _without_kicker(chosen, [*declared[1:], *headings])
    for heading in headings:
        if _key(heading.value) == _key(chosen.value):
            return heading
    return chosen


def _unheralded(heading: Found, declared: list[Found]) -> bool:
    # Declared titles that disagree with each other and with the visible headline are SEO
    # variants; the headline shown is the one readers get.
    keys = {_key(d.value) for d in declared}
    shown = _key(heading.value)
    return len(keys) >= 2 and all(_similarity(shown, k) < 0.6 for k in keys)


def _untruncated(chosen: Found, others: list[Found]) -> Found:
    # JSON-LD headlines are often cut at 110 characters; a longer twin is the whole title.
    key = _key(chosen.value).rstrip(". …")
    if len(chosen.value) < 100 and not chosen.value.rstrip().endswith(("…", "...")):
        return chosen
    for other in others:
        other_key = _key(other.value)
        if len(key) >= 60 and len(other_key) > len(key) and other_key.startswith(key):
            return other
    return chosen


def _without_kicker(chosen: Found, others: list[Found]) -> Found:
    # "Kicker: Headline" where another title says just "Headline": the kicker is a label.
    text = _plain(chosen.value)
    for other in others:
        rest = _plain(other.value)
        head = text[: len(text) - len(rest)]
        if len(rest.split()) >= 3 and text.endswith(rest) and _KICKER.fullmatch(head):
            return other
    return chosen


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


_KICKER = re.compile(r".{2,60}?[:|/]\s*")


def site_names(meta: Metadata, url: str | None) -> list[str]:
    """Names the site goes by: og:site_name, publisher names, application name, host."""
    names = [
        v
        for k in ("og:site_name", "application-name", "twitter:site")
        for v in meta.meta.get(k, ())
    ]
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
    title: str,
    sites: Iterable[str],
    suffixes: Iterable[str] = (),
    others: Iterable[str] = (),
    visible: Iterable[str] = (),
) -> str:
    """A declared title without the site name (or section, or byline) glued to either end.

    A segment goes when it names the site, when the rest is exactly the visible headline,
    or (for ``<title>``) when no other declared title carries it.
    """
    title = " ".join(title.split())
    for suffix in suffixes:
        title = title.removesuffix(suffix).strip()
    keys = [k for k in (_key(s) for s in sites) if k]
    shown = {_key(v) for v in visible}
    others = list(others)
    for separator in _SEPARATOR.finditer(title):
        head, tail = title[: separator.start()], title[separator.end() :]
        if _key(head) in shown or _key(tail) in shown:
            return head.strip() if _key(head) in shown else tail.strip()
    changed = True
    while changed:
        changed = False
        separators = list(_SEPARATOR.finditer(title))
        if not separators:
            break
        head, tail = title[: separators[-1].start()], title[separators[-1].end() :]
        if _is_site(tail, keys, others):
            title, changed = head.strip(), True
            continue
        head, tail = title[: separators[0].start()], title[separators[0].end() :]
        if _is_site(head, keys, others):
            title, changed = tail.strip(), True
    return title


def _is_site(part: str, keys: list[str], others: list[str]) -> bool:
    key = _key(part)
    if not key:
        return False
    squeezed = _ascii(key).replace(" ", "")
    for site in keys:
        site_squeezed = _ascii(site).replace(" ", "")
        if squeezed == site_squeezed or squeezed in site_squeezed.split("."):
            return True
        if len(squeezed) >= 4 and (squeezed in site_squeezed or site_squeezed in squeezed):
            return True
    # A segment every other declared title lacks is the site's, not the headline's.
    return bool(others) and len(key.split()) <= 4 and all(key not in _key(o) for o in others)


def _ascii(text: str) -> str:
    # "börsen" and "boersen" are the same site name; compare without accents or "e" marks.
    text = text.replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ae", "a")
    text = text.replace("oe", "o").replace("ue", "u").replace("-", "")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _declared(meta: Metadata) -> Iterator[tuple[str, str, list[str]]]:
    headline = meta.article_value("headline")
    values: list[tuple[str, str]] = []
    if isinstance(headline, str):
        values.append((headline, "jsonld.headline"))
    for key, evidence in (
        ("og:title", "og:title"),
        ("twitter:title", "twitter:title"),
        ("dc.title", "meta[dc.title]"),
    ):
        found = meta.first_meta(key)
        if found:
            values.append((found[0], evidence))
    if meta.title_tag:
        values.append((meta.title_tag, "title"))
    for title, evidence in values:
        # Only the <title> reliably carries extra segments (section, site) the others lack.
        others = [t for t, _ in values if t != title] if evidence == "title" else []
        yield html.unescape(title), evidence, others


def _headings(root: HtmlElement) -> Iterator[Found]:
    for element in root.xpath("//body//h1 | //body//*[@itemprop='headline']"):
        text = heading_text(element)
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
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").casefold()
    return " ".join(re.sub(r"[^\w\s.]", " ", text).split())


def heading_text(element: HtmlElement) -> str:
    """Text of a headline whose kicker and title sit in separate spans."""
    pieces: list[str] = []
    for piece in element.xpath(".//text()[not(ancestor::script or ancestor::style)]"):
        piece = str(piece)
        # A space where two spans meet, unless the second opens with punctuation.
        if pieces and piece[:1] not in _NO_SPACE_BEFORE and not pieces[-1][-1:].isspace():
            pieces.append(" ")
        pieces.append(piece)
    return " ".join("".join(pieces).split())


_NO_SPACE_BEFORE = frozenset(":,.;!?)»“”\"' \n\t")
