"""Article extraction: one function from HTML to an Article.

The page is parsed once with lxml; declared metadata, agency rules and the general methods
(title reconciliation, byline parsing, date choice, trafilatura for the body) each fill the
fields they are best at into a ``Draft``, and every field records the evidence it came from.
The body is never worse than the library's: when the cleaning left far less text than
trafilatura alone finds on the untouched page, or the classifier saw no article where the
library finds prose, the library's text is kept (provenance ``trafilatura:untouched`` rather
than ``newsflow:cleaned``; see ``fallback``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement

from newsflow.article import Article
from newsflow.extraction.body import generic_paragraphs, library_paragraphs, with_lead
from newsflow.extraction.bylines import OWN_CREDIT, find_authors, take_lead_credit
from newsflow.extraction.cleaning import drop_furniture
from newsflow.extraction.credits import publisher_names
from newsflow.extraction.dateline import find_dateline
from newsflow.extraction.dates import find_modified, find_published
from newsflow.extraction.draft import CREDIT_LINE, Draft
from newsflow.extraction.embedded import embedded_paragraphs, needs_embedded
from newsflow.extraction.evidence import Found
from newsflow.extraction.fallback import LIBRARY, OWN, has_prose, prefer_library, worth_checking
from newsflow.extraction.metadata import (
    Metadata,
    descriptions,
    find_language,
    find_section,
    find_tags,
    read_metadata,
)
from newsflow.extraction.pages import PageKind, classify_page, classify_tree, parse_html
from newsflow.extraction.rules import LAST_PARAGRAPH, RulePage, take_credit_line
from newsflow.extraction.titles import find_title
from newsflow.registry import Source, get_source
from newsflow.registry.models import Rules

__all__ = ["PageKind", "classify_page", "extract_article"]


@dataclass(frozen=True)
class _Page:
    """What the stages read: the parsed tree, the agency's rules, the declared metadata, the
    markup as fetched (for the library's look at the untouched page) and the page's kind."""

    root: HtmlElement
    by_rule: RulePage
    meta: Metadata
    url: str | None
    agency: Source | None
    markup: str
    kind: PageKind

    @property
    def rules(self) -> Rules:
        """The agency's extraction rules (empty for pages of no known agency)."""
        return self.by_rule.rules


def extract_article(
    html: str,
    url: str | None,
    source: str | Source | None = None,
    root: HtmlElement | None = None,
) -> Article | None:
    """Extract the article on a page, or None when the page is not an article.

    ``source``: a registry source id, or a Source not (yet) in the registry, as a site being
    looked at by ``sources add``. ``root``: the page already parsed with ``parse_html``, so it
    is not parsed twice; the stages change it (furniture is dropped), so it is not to be read
    afterwards.
    """
    agency = source if isinstance(source, Source) else get_source(source) if source else None
    root = parse_html(html) if root is None else root
    kind = classify_tree(root, url) if root is not None else PageKind.OTHER
    # A page of no known kind may still hold an article the classifier missed: the body
    # stage then keeps it only if trafilatura finds substantial prose on it.
    if root is None or kind not in (PageKind.ARTICLE, PageKind.OTHER):
        return None
    rules = agency.agency.rules if agency else Rules.model_validate({})
    meta = read_metadata(root, url)
    page = _Page(root, RulePage(root, rules), meta, url, agency, html, kind)
    draft = Draft(url=url or "", source=agency.id if agency else None)
    # The header is read from the whole page: the body stage drops boilerplate from it.
    _title(draft, page)
    _labels(draft, page)
    _dates(draft, page)
    _authors(draft, page)
    _body(draft, page)
    if draft.title is None or not draft.body:
        return None
    _credit_line(draft, page)
    _dateline(draft, page)
    _lead_credit(draft, page)
    _cleanup(draft)
    return draft.article() if draft.body else None


def _title(draft: Draft, page: _Page) -> None:
    suffixes = page.rules.title_suffixes
    draft.set("title", page.by_rule.title() or find_title(page.root, page.meta, page.url, suffixes))


def _labels(draft: Draft, page: _Page) -> None:
    # An agency's declared language beats whatever its pages claim.
    draft.language = page.agency.language if page.agency else find_language(page.root, page.meta)
    draft.set("section", page.by_rule.first("section") or find_section(page.meta))
    draft.tags = page.by_rule.tags() or find_tags(page.meta)


def _dates(draft: Draft, page: _Page) -> None:
    zone = page.agency.tz if page.agency else None
    rule = page.by_rule.first("date")
    draft.set("published_at", find_published(page.root, page.meta, zone, rule, draft.language))
    draft.set("modified_at", find_modified(page.root, page.meta, zone))


def _authors(draft: Draft, page: _Page) -> None:
    names = page.by_rule.byline_authors()
    if names:
        draft.set("authors", Found(tuple(names), "rule:author"))
    else:
        publishers = publisher_names(page.meta, page.url)
        draft.set("authors", find_authors(page.root, page.meta, publishers))


def _body(draft: Draft, page: _Page) -> None:
    if page.kind is not PageKind.ARTICLE:
        _unclassified_body(draft, page)
        return
    removed = page.by_rule.drop()
    paragraphs = page.by_rule.body()
    if paragraphs:
        draft.set("body", Found(paragraphs, "rule:body"))
    else:
        removed += drop_furniture(page.root)
        paragraphs = generic_paragraphs(page.root, page.url)
        paragraphs = with_lead(paragraphs, page.root, descriptions(page.meta))
        draft.set("body", Found(paragraphs, OWN))
    if worth_checking(draft.body, removed):
        _library_body(draft, page, removed)
    _script_body(draft, page)


def _library_body(draft: Draft, page: _Page, removed: list[str]) -> None:
    # The cleaning may have removed the article: compare with the library on the untouched page.
    untouched = parse_html(page.markup)
    if untouched is None:
        return
    paragraphs = library_paragraphs(untouched, page.url)
    if prefer_library(draft.body, paragraphs, removed):
        paragraphs = with_lead(paragraphs, untouched, descriptions(page.meta))
        draft.set("body", Found(paragraphs, LIBRARY))


def _unclassified_body(draft: Draft, page: _Page) -> None:
    # No article signs, but no other kind either: the library's prose decides (nothing is
    # removed first, so the page is as fetched).
    paragraphs = library_paragraphs(page.root, page.url)
    if has_prose(paragraphs):
        paragraphs = with_lead(paragraphs, page.root, descriptions(page.meta))
        draft.set("body", Found(paragraphs, LIBRARY))


def _script_body(draft: Draft, page: _Page) -> None:
    # Script-rendered pages ship the text only in JSON-LD or hydration data.
    if not needs_embedded(draft.body):
        return
    found = embedded_paragraphs(page.root, page.meta.article_value("articleBody"))
    if sum(map(len, found)) > 2 * sum(map(len, draft.body)):
        draft.set("body", Found(found, "script data"))


def _credit_line(draft: Draft, page: _Page) -> None:
    if page.rules.author == LAST_PARAGRAPH:
        names, draft.body = take_credit_line(draft.body)
        if names:
            draft.set("authors", Found(tuple(names), CREDIT_LINE))


def _dateline(draft: Draft, page: _Page) -> None:
    found = find_dateline(draft.body[0], page.rules.dateline) if draft.body else None
    if found is not None:
        draft.set("dateline", Found(found.place, found.evidence))
        if found.whole_paragraph:
            draft.body = draft.body[1:]


def _lead_credit(draft: Draft, page: _Page) -> None:
    # Only when no one else is credited: a name line atop the text is then the byline.
    if OWN_CREDIT not in draft.provenance.get("authors", OWN_CREDIT) or not draft.body:
        return
    names, draft.body = take_lead_credit(draft.body, publisher_names(page.meta, page.url))
    if names:
        draft.set("authors", Found(tuple(names), "body:lead_credit"))


def _cleanup(draft: Draft) -> None:
    paragraphs = draft.body
    # trafilatura sometimes keeps the headline as the first line of the text.
    if paragraphs and _folded(paragraphs[0]) == _folded(draft.title or ""):
        paragraphs = paragraphs[1:]
    # An editor line that only repeats the credited names is not article text.
    credits = {", ".join(draft.authors), *draft.authors}
    if paragraphs and draft.authors and paragraphs[-1].strip() in credits:
        paragraphs = paragraphs[:-1]
    draft.body = paragraphs


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()
