"""Real news pages in the bench site: the extraction dev set's pages, replicated to size.

The pages are read at run time from the dev set folder (``--devset``, ``NEWSFLOW_DEVSET``, or
``../shared/extraction-devset`` beside the repo), never copied into the repo, and served by a
third agency, ``benchreal.example``, with one edition per language the pages are in: an
agency's declared language is the one extraction and enrichment use, so each page is read in
its own, as its publisher's edition would be.

The first time a page is served it is served as recorded. Each further replica has about 15 %
of the words of its visible text replaced by other words of the same page (same language and
script; markup, scripts and metadata untouched). Exact copies would all be linked by dedup to
the first and never enriched (a duplicate reads its original's results), hiding a slow stage
behind one run per page; at 15 % a replica's shingle Jaccard with the page is about 0.35 (dedup
links at 0.8), so each is deduplicated and enriched as a text of its own.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from benchmarks.stories import START, Story
from newsflow.settings import REPO_ROOT

AGENCY = "benchreal"
DEVSET_ENV = "NEWSFLOW_DEVSET"
DEFAULT_DEVSET = REPO_ROOT.parent / "shared" / "extraction-devset"
CHANGED = 0.15  # share of a replica's words replaced
SECTION = "world"
# Markup whose text is not the page's visible text, or one tag: passed through untouched.
_MARKUP = re.compile(
    r"<(script|style|noscript|template|textarea|svg)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
# Character references are kept; words are letters only (numbers and dates stay as they are).
_WORD = re.compile(r"&#?\w+;|([^\W\d_]{2,})")
_BODY = re.compile(r"<body\b", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


@dataclass(frozen=True)
class RealPage:
    """One dev set page: its recorded HTML and what the feeds and listings say of it."""

    case: str  # the dev set's id, country/publisher/version
    html: str
    language: str
    title: str
    lead: str
    author: str


@dataclass(frozen=True)
class RealCorpus:
    """The dev set's pages and the share of a site's articles they make up."""

    path: Path
    pages: tuple[RealPage, ...]
    share: float

    @property
    def languages(self) -> list[str]:
        """The editions of the real-page agency, one per language of its pages."""
        return sorted({page.language for page in self.pages})

    def count(self, articles: int) -> int:
        """How many of ``articles`` are real pages."""
        return round(articles * self.share)


def devset_path(given: Path | None) -> tuple[Path, bool]:
    """The dev set folder, and whether it was asked for (option or environment) or defaulted."""
    if given is not None:
        return given, True
    if os.environ.get(DEVSET_ENV):
        return Path(os.environ[DEVSET_ENV]), True
    return DEFAULT_DEVSET, False


def load_corpus(path: Path, share: float) -> RealCorpus | None:
    """The dev set's pages, or None when ``path`` holds no ``cases.jsonl``."""
    cases = path / "cases.jsonl"
    if not cases.is_file():
        return None
    pages = [
        _page(path, json.loads(line))
        for line in cases.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return RealCorpus(path, tuple(pages), share)


def _page(folder: Path, case: dict[str, object]) -> RealPage:
    html = gzip.decompress((folder / str(case["html"])).read_bytes()).decode("utf-8", "replace")
    body = str(case.get("body") or "")
    authors = case.get("authors") or []
    return RealPage(
        case=str(case["id"]),
        html=html,
        language=_language(html, body),
        title=str(case.get("title") or case["id"]),
        lead=body.split("\n\n", 1)[0],
        author=str(authors[0]) if isinstance(authors, list) and authors else "",
    )


def _language(html: str, body: str) -> str:
    """The language the page declares, else (none declared, or one the language identifier
    does not know) the one its text is in.

    An edition language py3langid does not know (``nb``, Bokmål, which it files as ``no``)
    makes the language enricher fail on every article of every source.
    """
    identifier = _identifier()
    declared = _HTML_LANG.search(html[:20_000])
    code = declared.group(1).lower()[:2] if declared else ""
    if code in identifier.nb_classes:
        return code
    return str(identifier.classify(body)[0])


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE)


def real_stories(
    corpus: RealCorpus, count: int, first_n: int, span: timedelta, seed: int
) -> list[tuple[Story, str]]:
    """``count`` real-page stories numbered from ``first_n``, spread over ``span`` from START,
    each with its page's HTML: every page once as recorded before any is served twice."""
    rng = random.Random(seed)
    order = list(corpus.pages)
    rng.shuffle(order)
    out = []
    for i in range(count):
        page, replica = order[i % len(order)], i // len(order)
        published = START + span * (i + rng.random()) / count
        story = _story(page, first_n + i, published.replace(second=0, microsecond=0), replica)
        html = page.html if replica == 0 else replicate(page.html, random.Random(story.origin))
        out.append((story, html))
    return out


def _story(page: RealPage, n: int, published: datetime, replica: int) -> Story:
    return Story(
        n=n,
        agency=AGENCY,
        language=page.language,
        section=SECTION,
        title=page.title,
        paragraphs=(page.lead,),
        published=published,
        author=page.author,
        kind="real",
        origin=f"{page.case}#{replica}",
    )


def replicate(html: str, rng: random.Random, changed: float = CHANGED) -> str:
    """The page with about ``changed`` of the words of its body's visible text replaced by
    other words of that text; everything else as it was."""
    body = _BODY.search(html)
    start = body.start() if body else 0
    pieces: list[str] = []
    texts: list[int] = []  # indexes of the text pieces in ``pieces``
    last = start
    for markup in _MARKUP.finditer(html, start):
        if markup.start() > last:
            texts.append(len(pieces))
            pieces.append(html[last : markup.start()])
        pieces.append(markup.group())
        last = markup.end()
    texts.append(len(pieces))
    pieces.append(html[last:])
    words = [w for i in texts for w in _WORD.findall(pieces[i]) if w]
    if not words:
        return html

    def swap(match: re.Match[str]) -> str:
        if match.group(1) and rng.random() < changed:
            return rng.choice(words)
        return match.group()

    for i in texts:
        pieces[i] = _WORD.sub(swap, pieces[i])
    return html[:start] + "".join(pieces)
