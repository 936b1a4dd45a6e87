"""Article extraction: one function from HTML to an Article.

The page is parsed once with lxml; declared metadata, agency rules and the general methods
(title reconciliation, byline parsing, date choice, trafilatura for the body) each fill the
fields they are best at, and every field records the evidence it came from.
"""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement

from newsflow.article import Article
from newsflow.extraction.body import generic_paragraphs, with_lead
from newsflow.extraction.bylines import OWN_CREDIT, find_authors, take_lead_credit
from newsflow.extraction.cleaning import drop_furniture
from newsflow.extraction.credits import publisher_names
from newsflow.extraction.dateline import find_dateline
from newsflow.extraction.dates import find_modified, find_published
from newsflow.extraction.embedded import embedded_paragraphs, needs_embedded
from newsflow.extraction.evidence import Found
from newsflow.extraction.metadata import Metadata, read_metadata
from newsflow.extraction.pages import PageKind, classify_page, classify_tree, parse_html
from newsflow.extraction.rules import LAST_PARAGRAPH, RulePage, take_credit_line
from newsflow.extraction.titles import find_title
from newsflow.registry import Source, get_source
from newsflow.registry.models import Rules

__all__ = ["PageKind", "classify_page", "extract_article"]


def extract_article(html: str, url: str | None, source: str | None = None) -> Article | None:
    """Extract the article on a page, or None when the page is not an article."""
    agency = get_source(source) if source else None
    root = parse_html(html)
    if root is None or classify_tree(root, url) is not PageKind.ARTICLE:
        return None
    page = RulePage(root, agency.agency.rules if agency else Rules.model_validate({}))
    meta = read_metadata(root, url)
    fields = _header_fields(root, page, meta, url, agency)
    title: Found | None = fields.pop("title")
    body = _body_fields(root, page, meta, url)
    if title is None or body is None:
        return None
    paragraphs, provenance = body.pop("paragraphs"), body.pop("provenance")
    provenance.update(fields.pop("provenance"), title=title.evidence)
    if not body.get("authors") and fields.get("authors"):
        body["authors"] = fields["authors"]
        provenance["authors"] = fields.pop("authors_evidence")
    fields.pop("authors", None)
    fields.pop("authors_evidence", None)
    paragraphs = _lead_credit(paragraphs, body, provenance, publisher_names(meta, url))
    paragraphs = _without_credit(_without_title(paragraphs, title.value), body.get("authors"))
    if not paragraphs:
        return None
    return Article(
        url=url or "",
        title=title.value,
        body="\n\n".join(paragraphs),
        source=source,
        provenance=provenance,
        **fields,
        **body,
    )


def _header_fields(
    root: HtmlElement, page: RulePage, meta: Metadata, url: str | None, agency: Source | None
) -> dict[str, Any]:
    """Fields read from the whole page before boilerplate is dropped."""
    zone = agency.tz if agency else None
    rules = page.rules
    title = page.title() or find_title(root, meta, url, rules.title_suffixes)
    language = agency.language if agency else _language(root, meta)
    published = find_published(root, meta, zone, page.first("date"), language)
    modified = find_modified(root, meta, zone)
    section = page.first("section") or _section(meta)
    authors = _rule_byline(page) or find_authors(root, meta, publisher_names(meta, url))
    provenance = {
        name: found.evidence
        for name, found in (
            ("published_at", published),
            ("modified_at", modified),
            ("section", section),
        )
        if found is not None
    }
    return {
        "title": title,
        "published_at": published.value if published else None,
        "modified_at": modified.value if modified else None,
        "section": section.value if section else None,
        "tags": page.tags() or _tags(meta),
        "language": language,
        "authors": authors.value if authors else (),
        "authors_evidence": authors.evidence if authors else None,
        "provenance": provenance,
    }


def _body_fields(
    root: HtmlElement, page: RulePage, meta: Metadata, url: str | None
) -> dict[str, Any] | None:
    """Body paragraphs, the editor line and the dateline, read after boilerplate is dropped."""
    page.drop()
    provenance: dict[str, str] = {}
    paragraphs = page.body()
    provenance["body"] = "rule:body" if paragraphs else "trafilatura"
    if not paragraphs:
        drop_furniture(root)
        paragraphs = with_lead(generic_paragraphs(root, url), root, _descriptions(meta))
        paragraphs = _embedded_fallback(paragraphs, root, meta, provenance)
    if not paragraphs:
        return None
    fields: dict[str, Any] = {}
    if page.rules.author == LAST_PARAGRAPH:
        names, paragraphs = take_credit_line(paragraphs)
        if names:
            fields["authors"] = tuple(names)
            provenance["authors"] = "rule:last_paragraph"
    dateline = find_dateline(paragraphs[0], page.rules.dateline) if paragraphs else None
    if dateline is not None:
        fields["dateline"] = dateline.place
        provenance["dateline"] = dateline.evidence
        if dateline.whole_paragraph:
            paragraphs = paragraphs[1:]
    return {**fields, "paragraphs": paragraphs, "provenance": provenance}


def _embedded_fallback(
    paragraphs: list[str], root: HtmlElement, meta: Metadata, provenance: dict[str, str]
) -> list[str]:
    # Script-rendered pages ship the text only in JSON-LD or hydration data.
    if not needs_embedded(paragraphs):
        return paragraphs
    found = embedded_paragraphs(root, meta.article_value("articleBody"))
    if sum(map(len, found)) > 2 * sum(map(len, paragraphs)):
        provenance["body"] = "script data"
        return found
    return paragraphs


def _descriptions(meta: Metadata) -> list[str]:
    found = [meta.article_value("description")]
    found += [
        v
        for k in ("og:description", "description", "twitter:description")
        for v in meta.meta.get(k, ())
    ]
    return list(dict.fromkeys(d for d in found if isinstance(d, str) and d.strip()))


def _rule_byline(page: RulePage) -> Found | None:
    names = page.byline_authors()
    return Found(tuple(names), "rule:author") if names else None


def _lead_credit(
    paragraphs: list[str], body: dict[str, Any], provenance: dict[str, str], publishers: list[str]
) -> list[str]:
    # Only when no one else is credited: a name line atop the text is then the byline.
    if OWN_CREDIT not in provenance.get("authors", OWN_CREDIT) or not paragraphs:
        return paragraphs
    names, paragraphs = take_lead_credit(paragraphs, publishers)
    if names:
        body["authors"], provenance["authors"] = tuple(names), "body:lead_credit"
    return paragraphs


def _without_title(paragraphs: list[str], title: str) -> list[str]:
    # trafilatura sometimes keeps the headline as the first line of the text.
    if (
        paragraphs
        and " ".join(paragraphs[0].split()).casefold() == " ".join(title.split()).casefold()
    ):
        return paragraphs[1:]
    return paragraphs


def _without_credit(paragraphs: list[str], authors: tuple[str, ...] | None) -> list[str]:
    # An editor line that only repeats the credited names is not article text.
    if paragraphs and authors and paragraphs[-1].strip() in {", ".join(authors), *authors}:
        return paragraphs[:-1]
    return paragraphs


def _section(meta: Metadata) -> Found | None:
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


def _tags(meta: Metadata) -> tuple[str, ...]:
    tags = [t.strip() for t in meta.meta.get("article:tag", ())]
    keywords = meta.article_value("keywords")
    if not tags and isinstance(keywords, str):
        tags = [k.strip() for k in keywords.split(",")]
    elif not tags and isinstance(keywords, list):
        tags = [str(k).strip() for k in keywords]
    return tuple(dict.fromkeys(t for t in tags if t))


def _language(root: HtmlElement, meta: Metadata) -> str | None:
    declared = root.get("lang") or meta.article_value("inLanguage")
    if not isinstance(declared, str) or not declared.strip():
        found = meta.first_meta("og:locale", "content-language", "language", "dc.language")
        declared = found[0] if found else None
    if not declared:
        return None
    code = declared.strip().replace("_", "-").split("-")[0].lower()
    return code if 2 <= len(code) <= 3 and code.isalpha() else None
