"""Proof of a route: a sample of the articles it lists, fetched and extracted as the crawl will."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsflow.crawlers.polite import PoliteClient
from newsflow.crawlers.scout.findings import Route, Sample

from newsflow.article import Article
from newsflow.extraction import PageKind as Kind
from newsflow.extraction import classify_page, extract_article
from newsflow.page import PageKind
from newsflow.registry import Source

SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Tried:
    """One sampled URL's outcome: the article, or why there is none."""

    article: Article | None = None
    blocked: bool = False
    problem: str | None = None


class Prover:
    """Samples routes' articles; a URL two routes share is fetched once."""

    def __init__(self, client: PoliteClient, source: Source, size: int = SAMPLE_SIZE) -> None:
        self.client, self.source, self.size = client, source, size
        self.tried: dict[str, Tried] = {}

    def prove(self, route: Route) -> Sample:
        """Fetch and extract up to ``size`` of the route's articles, spread over its list."""
        urls = [d.url for d in route.listed if self.source.is_article_url(d.url)]
        sample = Sample()
        for url in spread(list(dict.fromkeys(urls)), self.size):
            outcome = self.try_url(url)
            sample.tried += 1
            if outcome.article is not None and outcome.article.published_at is not None:
                sample.proven += 1
            elif outcome.article is not None:
                sample.undated += 1
                sample.failed.append(f"{url}: no publication date found")
            else:
                sample.blocked += outcome.blocked
                sample.failed.append(f"{url}: {outcome.problem}")
        route.sample = sample
        return sample

    def try_url(self, url: str) -> Tried:
        """One article URL fetched and extracted (once)."""
        if url not in self.tried:
            self.tried[url] = self._try(url)
        return self.tried[url]

    def articles(self) -> list[Article]:
        """Every article the samples gave."""
        return [t.article for t in self.tried.values() if t.article is not None]

    def _try(self, url: str) -> Tried:
        answer = self.client.get(url, PageKind.ARTICLE)
        if answer.page is None:
            return Tried(problem=answer.problem)
        text = answer.text()
        if answer.status != 200:
            blocked = classify_page(text, url) is Kind.BLOCKED
            what = "a bot-defence challenge" if blocked else "no article"
            return Tried(blocked=blocked, problem=f"HTTP {answer.status}, {what}")
        article = extract_article(text, answer.final_url, self.source)
        return Tried(article) if article else Tried(problem="not an article page")


def spread(items: Sequence[str], size: int) -> list[str]:
    """At most ``size`` items evenly spaced from first (newest) to last (oldest)."""
    if len(items) <= size:
        return list(items)
    step = (len(items) - 1) / (size - 1)
    return [items[round(i * step)] for i in range(size)]
