"""Revisits in the store: which articles are due, what a revisit found, an article's history.

Every query is keyed: due articles by ``ix_articles_source_published`` (a window of recent
articles, never the whole store), lastmod triggers by ``uq_articles_source_id`` on the listed
URLs, versions by ``uq_article_versions_article_id``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from newsflow.db import models
from newsflow.db.store import keep_version
from sqlalchemy import Select, func, select, union_all, update
from sqlalchemy.orm import Session

from newsflow.edits import RESTORED, removal_marker
from newsflow.registry import Revisit

_CHUNK = 500
Article = models.Article


@dataclass(frozen=True, slots=True)
class Due:
    """A stored article to fetch again, with the validators of its last fetch."""

    article_id: int
    url: str  # where to fetch it: its last page's address, or its canonical URL
    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The conditional-GET headers: a 304 answers that nothing changed."""
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in found.items() if value}


def last_check() -> Any:
    """When an article was last fetched or revisited (a refetch sets ``checked_at`` too)."""
    return func.coalesce(Article.checked_at, Article.first_seen_at)


def due_query(source_id: str, policy: Revisit, now: datetime) -> Select[tuple[int]]:
    """Ids of the source's recent articles not checked for ``every_hours``, oldest check first.

    Recent: published within ``within_hours``, or undated and first seen within it. Each
    half reads one range of ``ix_articles_source_published``; at most ``max_per_run``.
    """
    recent = now - timedelta(hours=policy.within_hours)
    stale = last_check() <= now - timedelta(hours=policy.every_hours)
    columns = (Article.id, last_check().label("checked"))
    dated = select(*columns).where(
        Article.source_id == source_id, Article.published_at >= recent, stale
    )
    undated = select(*columns).where(
        Article.source_id == source_id,
        Article.published_at.is_(None),
        Article.first_seen_at >= recent,
        stale,
    )
    both = union_all(dated, undated).subquery()
    return select(both.c.id).order_by(both.c.checked, both.c.id).limit(policy.max_per_run)


def due_ids(
    session: Session, source_id: str, policy: Revisit, now: datetime | None = None
) -> list[int]:
    """The ids ``due_query`` selects, now (or at ``now``)."""
    query = due_query(source_id, policy, now or datetime.now(UTC))
    return [row.id for row in session.execute(query)]


def due_revisits(
    session: Session, source_id: str, policy: Revisit, now: datetime | None = None
) -> list[Due]:
    """The articles a revisit run fetches again, with their conditional-GET validators."""
    ids = due_ids(session, source_id, policy, now)
    chosen = _with_validators(session, Article.id.in_(ids), at_page=True)
    found = {due.article_id: due for due in chosen}
    return [found[i] for i in ids if i in found]


def changed_since_fetch(
    session: Session, source_id: str, modified: Mapping[str, datetime | date]
) -> dict[str, Due]:
    """Stored articles whose sitemap ``lastmod`` / feed ``updated`` is newer than their fetch.

    ``modified`` maps listed URLs (canonical URLs of stored articles) to that date; a bare
    day counts from its midnight UTC. The page's own ``modified_at`` counts as fetched too.
    """
    stale: dict[str, Due] = {}
    urls = sorted(modified)
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start : start + _CHUNK]
        where = (Article.source_id == source_id, Article.url.in_(chunk))
        rows = session.execute(
            select(
                Article.url, Article.checked_at, Article.last_seen_at, Article.modified_at
            ).where(*where)
        ).all()
        newer = {
            url
            for url, *times in rows
            if _instant(modified[url]) > max(t for t in times if t is not None)
        }
        if newer:
            pick = (Article.source_id == source_id, Article.url.in_(sorted(newer)))
            stale.update({due.url: due for due in _with_validators(session, *pick)})
    return stale


def _with_validators(session: Session, *where: Any, at_page: bool = False) -> Iterator[Due]:
    """The matching articles, each with the validators its last stored page was sent with.

    ``at_page``: to be fetched where that page was, an address known to answer (agencies serve
    one article on several hosts; the canonical one may only redirect). Otherwise at the
    canonical URL, which is what a sitemap or feed lists, so the fetch settles that discovery.
    """
    page = models.Page
    rows = session.execute(
        select(Article.id, Article.url, page.url, page.headers)
        .outerjoin(page, page.id == Article.page_id)  # by primary key
        .where(*where)
    ).all()
    for article_id, url, page_url, headers in rows:
        address = (page_url or url) if at_page else url
        yield Due(article_id, address, *_validators(headers or {}))


def _validators(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    lower = {name.lower(): value for name, value in headers.items()}
    return lower.get("etag"), lower.get("last-modified")


def _instant(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def reopen_discoveries(session: Session, source_id: str, urls: Collection[str]) -> int:
    """Queue stored URLs again: a lastmod trigger survives a kill like a new discovery.

    ``discovered_at`` moves to now, so a restarted crawl tells a trigger still to fetch (queued
    after the article's last check) from a URL merely listed again (settled at once).
    """
    found, count = models.Discovery, 0
    wanted = sorted(urls)
    for start in range(0, len(wanted), _CHUNK):
        result = session.execute(
            update(found)
            .where(found.source_id == source_id, found.url.in_(wanted[start : start + _CHUNK]))
            .values(done_at=None, attempts=0, discovered_at=datetime.now(UTC))
        )
        count += result.rowcount or 0  # type: ignore[attr-defined]
    return count


def pending_refetches(session: Session, source_id: str, urls: Collection[str]) -> dict[str, Due]:
    """Of these queued, stored URLs, the ones reopened by a lastmod trigger and not yet fetched."""
    found, wanted = models.Discovery, sorted(urls)
    due: dict[str, Due] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        reopened = (
            select(found.url)
            .join(Article, (Article.source_id == found.source_id) & (Article.url == found.url))
            .where(
                found.source_id == source_id,
                found.url.in_(chunk),
                found.done_at.is_(None),
                found.discovered_at > func.coalesce(Article.checked_at, Article.last_seen_at),
            )
        )
        pick = (Article.source_id == source_id, Article.url.in_(reopened))
        due.update({item.url: item for item in _with_validators(session, *pick)})
    return due


def mark_checked(session: Session, article_id: int, seen_at: datetime) -> None:
    """A revisit found the article unchanged (304) or stored what it found."""
    article = session.get(Article, article_id)
    if article is not None:
        article.checked_at = max(article.checked_at or seen_at, seen_at)
        article.last_seen_at = max(article.last_seen_at, seen_at)


def mark_removed(session: Session, article_id: int, reason: str, seen_at: datetime) -> bool:
    """Mark an article removed from its site (its text stays); True if it was not already.

    The version row it leaves (``changed_fields`` ``["removed:<reason>"]``) keeps the removal
    in the article's history after it is found again.
    """
    article = session.get(Article, article_id, with_for_update=True)
    if article is None:
        return False
    article.checked_at = max(article.checked_at or seen_at, seen_at)
    if article.removed_at is not None:
        return False
    keep_version(session, article, [removal_marker(reason)], seen_at)
    article.removed_at, article.removed_reason = seen_at, reason
    return True


def restore(session: Session, article_id: int, seen_at: datetime) -> bool:
    """Clear the removal of an article a revisit found again; True if it was removed."""
    article = session.get(Article, article_id, with_for_update=True)
    if article is None or article.removed_at is None or seen_at <= article.removed_at:
        return False
    keep_version(session, article, [RESTORED], seen_at)
    article.removed_at = article.removed_reason = None
    return True


@dataclass(frozen=True)
class History:
    """An article as stored now and its earlier versions, oldest first."""

    article: models.Article
    versions: list[models.ArticleVersion]


def find_article(session: Session, url: str, source_ids: Collection[str]) -> models.Article | None:
    """The article stored under this URL, or under the address a page fetched at it ended at."""
    page = models.Page
    redirected = select(page.final_url).where(page.url == url, page.kind == "article")
    candidates = {url, *session.execute(redirected).scalars()}
    return session.execute(
        select(Article)
        .where(Article.source_id.in_(sorted(source_ids)), Article.url.in_(sorted(candidates)))
        .order_by(Article.url != url, Article.id)
        .limit(1)
    ).scalar_one_or_none()


def history(session: Session, url: str, source_ids: Collection[str]) -> History | None:
    """An article's versions (``article_versions``) and current row, or None if not stored."""
    article = find_article(session, url, source_ids)
    if article is None:
        return None
    versions = session.execute(
        select(models.ArticleVersion)
        .where(models.ArticleVersion.article_id == article.id)
        .order_by(models.ArticleVersion.version)
    ).scalars()
    return History(article, list(versions))
