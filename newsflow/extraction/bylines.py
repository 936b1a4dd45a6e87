"""Bylines to people: role words stripped, credits split, organisations and desks dropped."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newsflow.extraction.credits import is_agency, is_desk, is_own_credit
from newsflow.extraction.evidence import Found
from newsflow.extraction.metadata import Metadata
from newsflow.extraction.pages import visible_text

__all__ = [
    "OWN_CREDIT",
    "clean_name",
    "find_authors",
    "is_person",
    "names_in_byline",
    "split_byline",
    "take_lead_credit",
]

# Role words that introduce a byline, in the languages of the sites we crawl.
_ROLE_PREFIX = re.compile(
    r"^(?:(?:written|reported|reporting|text|texte|words|story|interview|edited|compiled)\s+by"
    r"|by|von|vom|par|por|door|av|af"
    r"|autor(?:in|en)?|author(?:s)?|auteur|text|texte|foto(?:s|grafie)?|photos?|bild(?:er)?"
    r"|redakteur(?:in)?|reporter(?:in)?|kommentar|ein kommentar von|eine analyse von|analyse von"
    r"|от|автор|بقلم|كتب|كتبت|yazan|muhabir)\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_ROLE_SUFFIX = re.compile(
    r"\s*(?:[,|\-–—(]\s*)?(?:reporter|correspondent|staff writer|redakteur(?:in)?"
    r"|korrespondent(?:in)?|editor|chefredakteur(?:in)?|기자|특파원|記者|特派員|編集委員|論説委員)\)?\s*$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(
    r"\s*(?:,|;|&|/|\||·|•|“|”|\+|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bog\b|\boch\b|\bve\b"
    r"|\ben\b|\bi\b|\bи\b|\bsowie\b|\bwith\b)\s*",
    re.IGNORECASE,
)
# Words that mark a credit as an organisation, desk or service rather than a person.
_ORG_WORDS = re.compile(
    r"\b(?:redaktion|redaktionen|rédaction|redacción|redazione|redação|redaksjon|redaktionen"
    r"|staff|team|desk|newsroom|editorial|editors|agency|agencies|agentur|agenturen|agence|agencia"
    r"|ajansı|ajans|press|presse|prensa|associated|news|nachrichten|online|media|medien|zeitung"
    r"|times|daily|magazine|magazin|tv|radio|digital|web|service|dienst|wire|bureau|newsdesk"
    r"|verlag|gmbh|ltd|inc|llc|group|gruppe|network|sport|sports|partner|anzeige|sponsored"
    r"|ministry|university|foundation|institut|institute|council|government"
    r"|twitter|facebook|instagram|linkedin|whatsapp|telegram|share|follow|email|e-mail)\b",
    re.IGNORECASE,
)
_CJK_ORG = re.compile(r"新聞|通信|放送|日刊|日報|編集部|신문|일보|방송|뉴스|통신|편집")
_DOMAIN = re.compile(r"\w\.(?:[a-z]{2,4})(?:/|$)|https?:|www\.|@", re.IGNORECASE)
# Marks evidence whose credit is an organisation (the publisher or a desk), not a person.
OWN_CREDIT = "(organisation)"
_URL = re.compile(r"https?:|www\.|@")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def split_byline(text: str) -> list[str]:
    """Split a byline into the names it credits, role words removed."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    text = re.sub(r"\((?:[^()]{0,40})\)", " ", text)  # "(dpa)", "(Photos)" and the like
    parts = _SEPARATORS.split(text)
    return [name for name in (clean_name(p) for p in parts) if name]


def clean_name(text: str) -> str:
    """One credited name without role words, punctuation or surrounding space."""
    text = " ".join(text.split()).strip(" .,:;-–—|•·\"'")
    previous = None
    while previous != text:
        previous = text
        text = _ROLE_PREFIX.sub("", text, count=1) if _ROLE_PREFIX.match(text) else text
        text = _ROLE_SUFFIX.sub("", text).strip(" .,:;-–—|•·\"'")
    return text


def is_person(name: str, organisations: Iterable[str] = ()) -> bool:
    """Whether a credited name looks like a person, not a publisher, desk or agency."""
    if not name or len(name) > 60 or any(ch.isdigit() for ch in name) or _DOMAIN.search(name):
        return False
    if _ORG_WORDS.search(name) or _CJK_ORG.search(name):
        return False
    if _names_organisation(name, organisations):
        return False
    if _CJK.search(name):
        return 2 <= len(name.replace(" ", "")) <= 6
    words = name.split()
    if len(words) < 2 or len(words) > 5:
        return False
    if name.isupper() and any(len(w) <= 3 and "." not in w for w in words):
        return False  # "MDR THÜRINGEN": a broadcaster's acronym, not a shouted name
    # Initials like "R.A" are names; an all-capital single word ("AFP") was dropped above.
    return all(w[:1].isupper() or w.lower() in _PARTICLES for w in words)


def _names_organisation(name: str, organisations: Iterable[str]) -> bool:
    # "Ilanga D", an account named after the site, shares a word with the site's name.
    key = _key(name)
    words = {w for w in key.split() if len(w) >= 4}
    for org in organisations:
        org_words = _key(org).split()
        if key and (key == _key(org) or key in org_words or words & set(org_words)):
            return True
    return False


def names_in_byline(text: str, organisations: Iterable[str] = ()) -> list[str]:
    """The people and agencies a byline credits, in order, without duplicates."""
    return _credits([text], list(organisations), trusted=False)["kept"]


_PARTICLES = frozenset(
    {"de", "da", "del", "der", "den", "di", "du", "van", "von", "la", "le", "bin", "al", "el",
     "zu", "ter", "dos"}
)  # fmt: skip


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def find_authors(
    root: HtmlElement, meta: Metadata, publishers: Iterable[str], own_fallback: bool = True
) -> Found | None:
    """The people and agencies credited on a page, from the first evidence that names any.

    A credit of the publisher itself (or one of its desks) only stands when the page credits
    no one else: it is then the publisher's own credit, marked as an organisation.
    """
    names = list(publishers)
    own: Found | None = None
    for texts, evidence in _author_sources(root, meta):
        credits = _credits(texts, names, trusted=evidence == "jsonld.author")
        if credits["kept"]:
            return Found(tuple(credits["kept"]), evidence)
        # Link titles next to visible bylines repeat the site's name in long strings.
        short = [n for n in credits["own"] if evidence != "byline" or len(n.split()) <= 4]
        if own is None and short:
            own = Found(tuple(short), f"{evidence} {OWN_CREDIT}")
    return own if own_fallback else None


def take_lead_credit(
    paragraphs: list[str], publishers: Iterable[str] = ()
) -> tuple[list[str], list[str]]:
    """Split a name-only line ("Jane Doe", "A Smith/B Jones") off the top of the body.

    Small sites often type the byline as the first lines of the article text.
    """
    publishers = list(publishers)
    for index, paragraph in enumerate(paragraphs[:3]):
        names = split_byline(paragraph)
        if len(paragraph) <= 80 and names and all(is_person(n, publishers) for n in names):
            return names, paragraphs[:index] + paragraphs[index + 1 :]
    return [], paragraphs


def _credits(texts: list[str], publishers: list[str], trusted: bool) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"kept": [], "own": []}
    for text in texts:
        for name in split_byline(text):
            kind = credit_kind(name, publishers, trusted)
            if kind and _key(name) not in {_key(n) for n in found[kind]}:
                found[kind].append(name)
    return found


def credit_kind(name: str, publishers: Iterable[str] = (), trusted: bool = False) -> str | None:
    """ "kept" for a person or agency, "own" for the publisher or a desk, None for noise.

    Declared (trusted) credits may be any organisation; a visible byline's only when it
    looks like an agency, since page furniture near bylines is full of other names.
    """
    publishers = list(publishers)
    if is_person(name, publishers):
        return "kept"
    if not name or len(name) > 60 or _SOCIAL.search(name):
        return None
    if is_own_credit(name, publishers) or is_desk(name) or _names_organisation(name, publishers):
        return "own"
    if any(ch.isdigit() for ch in name) or _DOMAIN.search(name):
        return None
    if is_agency(name, trusted) or (trusted and _looks_like_name(name)):
        return "kept"
    return None


def _looks_like_name(name: str) -> bool:
    # Scripts without case (Devanagari, kana, hangul) have no capital to look for.
    words = name.split()
    first = words[0][:1] if words else ""
    return 1 <= len(words) <= 5 and first.isalpha() and not first.islower()


_SOCIAL = re.compile(
    r"\b(?:twitter|facebook|instagram|linkedin|whatsapp|telegram|share|follow|email|e-mail"
    r"|anzeige|sponsored|advertisement)\b",
    re.IGNORECASE,
)


def _author_sources(root: HtmlElement, meta: Metadata) -> Iterator[tuple[list[str], str]]:
    for node in meta.articles[:1]:
        yield _jsonld_people(node.get("author")), "jsonld.author"
    for key in _AUTHOR_META:
        values = [v for v in meta.meta.get(key, ()) if not _URL.search(v)]
        yield values, f"meta[{key}]"
    yield [_itemprop_name(e) for e in meta.microdata.get("author", ())], "microdata.author"
    yield [visible_text(e) for e in _BYLINE_XPATH(root)], "byline"


def _jsonld_people(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            names.extend(_jsonld_people(name) if isinstance(name, list) else [str(name or "")])
    return names


def _itemprop_name(element: HtmlElement) -> str:
    inner = element.xpath(".//*[@itemprop='name']")
    target = inner[0] if inner else element
    return str(target.get("content") or " ".join(target.text_content().split()))


_AUTHOR_META = (
    "author", "article:author", "byl", "dc.creator", "dcterms.creator", "parsely-author",
    "sailthru.author", "cxenseparse:author", "og:article:author", "twitter:misc:written by",
)  # fmt: skip
_BYLINE_XPATH = etree.XPath(
    "//body//*[@rel='author' or contains(@class, 'byline') or contains(@class, 'author')]"
    "[string-length(normalize-space()) < 150][not(ancestor::*[@rel='author'])]"
)
