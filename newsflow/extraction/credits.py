"""Organisations in bylines: the publisher itself, its desks, and the agencies it credits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from newsflow.extraction.metadata import Metadata, types_of

__all__ = ["is_agency", "is_desk", "is_own_credit", "publisher_names"]

# Desk and role words: a credit made only of these (plus the site's name) names no one.
_DESK = re.compile(
    r"\b(?:redaktion|redaktionen|rédaction|redacción|redazione|redação|redaksjon|redactie"
    r"|staff|team|desk|newsroom|newsdesk|editorial(?: board)?|editors?|board|online|digital"
    r"|web|nachrichten|news|reporters?|correspondents?|writers?|autor(?:en)?|author|admin"
    r"|administrator|contributors?|guest|gast|sport|sports|service|dienst)\b",
    re.IGNORECASE,
)
# Words that name a news agency or wire service in the languages we crawl.
_AGENCY = re.compile(
    r"\b(?:agency|agencies|agentur|agenturen|agence|agencia|agenzia|agência|ajansı|ajans"
    r"|press|presse|prensa|stampa|wire|nachrichtenagentur|news service|agenturmeldung)\b"
    r"|presse-agentur|агентство|وكالة|通信社|통신",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_PUBLISHER_TYPES = frozenset({"website", "organization", "newsmediaorganization", "corporation"})


def publisher_names(meta: Metadata, url: str | None) -> list[str]:
    """Names the publisher goes by: site name, publisher node, website node, host."""
    names = [
        v
        for k in ("og:site_name", "application-name", "twitter:site")
        for v in meta.meta.get(k, ())
    ]
    credited = {_key(n) for n in _author_node_names(meta)}
    declared: list[str] = []
    for node in meta.nodes:
        # Nested organisations are often photo credits or agencies, not the site itself.
        if types_of(node) & _PUBLISHER_TYPES and (node.get("logo") or "website" in types_of(node)):
            declared.append(str(node.get("name") or ""))
    for node in (*meta.articles, *meta.pages):
        publisher = node.get("publisher")
        if isinstance(publisher, dict):
            declared.append(str(publisher.get("name") or ""))
    names += [n for n in declared if _key(n) not in credited]
    host = urlsplit(url).hostname if url else None
    if host:
        names.append(host.removeprefix("www."))
    return [n.strip().lstrip("@") for n in names if n and n.strip()]


def is_desk(name: str) -> bool:
    """Whether a credit is a desk or role ("Redaktion", "Staff", "Newsroom") naming no one."""
    return bool(_DESK.search(name))


def is_agency(name: str, declared: bool = False) -> bool:
    """Whether a credit looks like a news agency: an acronym ("AFP", "dpa") or agency words.

    Lower-case acronyms ("dpa", "sid") count only where the page declares them as authors:
    in visible text they are as often a word of page furniture.
    """
    if _ACRONYM.match(name):
        return True
    if declared and name.islower() and name.isalpha() and 2 <= len(name) <= 4:
        return True
    return bool(_AGENCY.search(name)) and len(name.split()) <= 5 and not is_desk(name)


def is_own_credit(name: str, publishers: Iterable[str]) -> bool:
    """Whether a credit is the publisher itself, alone or with a desk word ("MND Staff")."""
    rest = _squeeze(_DESK.sub(" ", name))
    if not rest:
        return True
    for publisher in publishers:
        whole = _squeeze(publisher)
        labels = _key(publisher).replace(".", " ").split()
        if rest == whole or rest in labels or (len(rest) >= 3 and rest in whole):
            return True
        if len(rest) >= 2 and rest == "".join(w[0] for w in _key(publisher).split()):
            return True  # initials: "MND" for "Mexico News Daily"
    return False


def _author_node_names(meta: Metadata) -> list[str]:
    found: list[str] = []
    for node in meta.articles:
        authors = node.get("author")
        for item in authors if isinstance(authors, list) else [authors]:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                found.append(item["name"])
    return found


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s.]", " ", text).split())


def _squeeze(text: str) -> str:
    return re.sub(r"[\W_]+", "", _key(text))
