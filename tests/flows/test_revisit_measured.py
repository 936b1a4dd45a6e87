"""Edit and deletion detection measured on a labelled set built from the recorded sites.

SANA (English), TASS and Anadolu are served by a test-local replay: every article page with
an ETag, a share-and-view counter and a "Read also" teaser in its text and a most-read box
beside it, as live pages have. After a first ingest, two rounds change the pages as agencies
do, each article one way per round, and the real revisit flow runs over all of them:

- edits: a word, a sentence, a paragraph added or removed, the headline, the byline, the date
  (a mutation counts only where the extractor reads exactly the field it meant to change);
- furniture only: the spacing, the counters, the teaser, the most-read box, new validators
  over the same page, or nothing at all (answered 304);
- deletions: 404, 410, a redirect to the front page or to a listing; in the second round the
  pages deleted in the first come back.

An edit is detected when the round left exactly one new version naming exactly its fields; a
furniture case when it left none; a deletion when the article is marked removed for its
reason; a return when the removal is cleared (and no version of the text is made).
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from newsflow.flows.revisit import revisit
from sqlalchemy import select

from newsflow.article import Article
from newsflow.edits import RESTORED, removal_reason
from newsflow.ingestion import article_from_page
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import AGENCIES_DIR, REGISTRY_PATH_ENV, Source, get_source
from newsflow.replay import ReplayServer, Route, load_routes

SOURCES = ("sana-en", "tass-en", "anadolu-en")
SEED = 11
EDITS = {
    "word": ["body"],
    "sentence": ["body"],
    "paragraph added": ["body"],
    "paragraph removed": ["body"],
    "headline": ["title"],
    "byline": ["authors"],
    "date": ["published_at"],
}
FURNITURE = ("spacing", "counters", "teaser", "most-read box", "new validators", "untouched")
DELETIONS = {
    "404": "not_found",
    "410": "gone",
    "redirect home": "redirect_home",
    "redirect listing": "redirect_listing",
}
KINDS = (*EDITS, *FURNITURE, *DELETIONS)
HTML = {"Content-Type": "text/html; charset=UTF-8"}
TEASERS = (
    "Syria and Russia sign an agreement on grain deliveries",
    "Damascus International Fair opens with 40 countries taking part",
    "New rail link between the two capitals to open next year",
)


@dataclass(frozen=True)
class Case:
    """One article changed one way in one round, and what the store should then show."""

    url: str
    kind: str
    round: int
    noisy: bool = False  # furniture that reached the extracted text (normalisation's work)

    @property
    def category(self) -> str:
        if self.kind in EDITS:
            return "edit"
        if self.kind in DELETIONS:
            return "deletion"
        return "return" if self.kind == "comes back" else "furniture only"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def _page(body: bytes) -> Route:
    return Route(200, body, {**HTML, "ETag": _etag(body)})


def _located(page: bytes, text: str) -> bytes | None:
    """The bytes ``text`` is written as in the page: as is, escaped, or with references."""
    for form in (
        text,
        html.escape(text, quote=False),
        text.encode("ascii", "xmlcharrefreplace").decode(),
    ):
        raw = form.encode()
        if raw in page:
            return raw
    return None


def _furnished(page: bytes, article: Article, shares: int, teaser: str) -> bytes | None:
    """The page with counters and a teaser after its first paragraph and a most-read box."""
    first = next(filter(None, (_located(page, p) for p in article.paragraphs)), None)
    if first is None:
        return None
    end = page.index(first) + len(first)
    close = page.find(b"</p>", end)
    if close < 0 or close - end > 40:
        return None
    extra = (
        f'<p class="meta">{shares:,} shares · {shares * 7:,} views</p>'
        f'<p class="also">Read also: <a href="/x">{teaser}</a></p>'
    ).encode()
    box = f'<aside class="most-read"><h4>Most read</h4><ul><li>{teaser}</li></ul></aside>'
    page = page[: close + 4] + extra + page[close + 4 :]
    return page.replace(b"</body>", box.encode() + b"</body>", 1)


def _site(sources: list[Source]) -> dict[str, Route]:
    """The recorded sites, article pages furnished and validated, with front pages."""
    routes = dict(load_routes())
    for source in sources:
        home = str(source.agency.homepage)
        routes.setdefault(home, _page(b"<html><body><h1>Front page</h1></body></html>"))
    for url, route in list(routes.items()):
        owner = next((s for s in sources if s.is_article_url(url)), None)
        if owner is None or route.status != 200:
            continue
        article = _extract(route.body, url, owner)
        furnished = _furnished(route.body, article, 1204, TEASERS[0]) if article else None
        routes[url] = _page(furnished or route.body)
    return routes


def _extract(body: bytes, url: str, source: Source) -> Article | None:
    page = FetchedPage(url, url, 200, PageKind.ARTICLE, datetime.now(UTC), body, HTML)
    return article_from_page(page, source)


def _changed(old: Article, new: Article | None) -> list[str]:
    if new is None:
        return ["?"]
    fields = ("title", "body", "authors", "published_at")
    return [f for f in fields if getattr(old, f) != getattr(new, f)]


def _sentence(text: str, rng: random.Random) -> str:
    words = [w for w in re.findall(r"[A-Za-z]{5,}", text) if w.lower() == w]
    return f"Officials said the {rng.choice(words) if words else 'matter'} would be reviewed."


def _edited(page: bytes, article: Article, kind: str, rng: random.Random) -> bytes | None:
    """The page with one field of the article edited, or None if this page cannot show it."""
    paragraphs = [(p, _located(page, p)) for p in article.paragraphs[1:] or article.paragraphs]
    found = [(p, raw) for p, raw in paragraphs if raw and len(p.split()) >= 8]
    if kind == "headline":
        raw = _located(page, article.title)
        words = article.title.split()
        new = " ".join([*words[:2], "reportedly", *words[2:]])
        return page.replace(raw, new.encode()) if raw else None
    if kind == "byline":
        raw = _located(page, article.authors[0]) if article.authors else None
        return page.replace(raw, b"Rami Haddad") if raw else None
    if kind == "date":
        day = article.published_at.strftime("%Y-%m-%d") if article.published_at else None
        later = (article.published_at + timedelta(days=1)).strftime("%Y-%m-%d") if day else ""
        return page.replace(day.encode(), later.encode()) if day and day.encode() in page else None
    if not found:
        return None
    text, raw = rng.choice(found)
    if kind == "word":
        words = sorted({w for w in re.findall(r"\b[a-z]{6,}\b", text)})
        return (
            page.replace(
                raw, re.sub(rf"\b{rng.choice(words)}\b", "reportedly", text, count=1).encode()
            )
            if words
            else None
        )
    if kind == "sentence":
        head = text.rsplit(". ", 1)[0] + ". " if ". " in text.rstrip(".") else ""
        return page.replace(raw, (head + _sentence(text, rng)).encode())
    if kind == "paragraph added":
        added = f"</p><p>{_sentence(text, rng)} The ministry gave no further details.</p>"
        return page.replace(raw + b"</p>", raw + added.encode(), 1)
    if kind == "paragraph removed" and len(article.paragraphs) >= 3:
        return re.sub(rb"<p[^>]*>" + re.escape(raw) + rb"</p>", b"", page, count=1)
    return None


def _furniture(page: bytes, kind: str, round_: int) -> bytes | None:
    if kind == "spacing":
        return re.sub(rb"(?<=[a-z,.]) (?=[a-z])", b"  ", page).replace(b"</p>", b"</p>\n   ")
    if kind == "counters":
        shares = 1204 + 173 * (round_ + 1)
        return re.sub(
            rb"[\d,]+ shares \xc2\xb7 [\d,]+ views",
            f"{shares:,} shares · {shares * 7:,} views".encode(),
            page,
        )
    if kind == "teaser":
        return re.sub(
            rb"Read also: <a href=\"/x\">[^<]*",
            b'Read also: <a href="/x">' + TEASERS[round_ + 1].encode(),
            page,
        )
    if kind == "most-read box":
        box = f"<li>{TEASERS[2]}</li><li>{TEASERS[round_]}</li>".encode()
        return re.sub(rb"(<h4>Most read</h4><ul>)", rb"\1" + box, page)
    return page


def _removed(source: Source, kind: str) -> Route:
    if kind in ("404", "410"):
        return Route(int(kind), b"<html><body><h1>Not Found</h1></body></html>", HTML)
    if kind == "redirect home":
        return Route(301, b"", {"Location": str(source.agency.homepage)})
    listing = source.edition.listings[0]
    return Route(301, b"", {"Location": listing.url.format(page=listing.first_page)})


def _served(routes: dict[str, Route], url: str) -> tuple[list[str], bytes]:
    """The 200 routes serving the article at ``url`` (after redirects), and their body."""
    for _ in range(5):
        route = routes[url]
        if "Location" not in route.headers:
            break
        url = route.headers["Location"]
    return [u for u, r in routes.items() if r.status == 200 and r.body == route.body], route.body


def _changed_route(body: bytes, case: Case, source: Source, rng: random.Random) -> Route | None:
    """What the site serves instead for one case; None when this page cannot show it."""
    if case.kind in DELETIONS:
        return _removed(source, case.kind)
    article = _extract(body, case.url, source)
    assert article is not None, case.url
    if case.kind in EDITS:
        edited = _edited(body, article, case.kind, rng)
        if (
            edited is None
            or _changed(article, _extract(edited, case.url, source)) != EDITS[case.kind]
        ):
            return None  # the extractor would not see exactly this field change
        return _page(edited)
    changed = _furniture(body, case.kind, case.round)
    if changed == body and case.kind not in ("new validators", "untouched"):
        return None  # this page carries no such furniture
    if case.kind == "new validators":
        return Route(200, body, {**HTML, "ETag": _etag(body + b"again")})
    return _page(changed or body)


def _noisy(old: bytes, new: bytes, url: str, source: Source) -> bool:
    """Whether the extracted text differs at all (a content-hash rule would see an edit)."""
    before, after = _extract(old, url, source), _extract(new, url, source)
    return before is not None and after is not None and before.content_hash != after.content_hash


def _plan(
    routes: dict[str, Route],
    stored: dict[str, tuple[str, str]],
    gone: dict[str, tuple[list[str], Route]],
    round_: int,
) -> list[Case]:
    """Each stored article changed one way (the deleted ones come back), seeded."""
    rng = random.Random(SEED + round_)
    urls = sorted(stored)
    rng.shuffle(urls)
    cases, turn = [], round_ * 5
    for url in urls:
        if url in gone:
            where, page = gone.pop(url)
            routes.update(dict.fromkeys(where, page))
            cases.append(Case(url, "comes back", round_))
            continue
        source, fetched = stored[url]
        where, body = _served(routes, fetched)
        for step in range(len(KINDS)):
            case = Case(url, KINDS[(turn + step) % len(KINDS)], round_)
            new = _changed_route(body, case, get_source(source), rng)
            if new is not None and case.category == "furniture only":
                case = replace(case, noisy=_noisy(body, new.body, url, get_source(source)))
            if new is not None:
                routes.update(dict.fromkeys(where, new))
                if case.kind in DELETIONS:
                    gone[url] = (where, _page(body))
                cases.append(case)
                turn += step + 1
                break
    return cases


def _outcome(url: str, since: datetime) -> tuple[list[list[str]], str | None, bool]:
    """The version rows a round left (changed fields), the removal reason, and any return."""
    with session_scope() as session:
        article = session.execute(
            select(models.Article).where(models.Article.url == url)
        ).scalar_one()
        rows = session.execute(
            select(models.ArticleVersion.changed_fields).where(
                models.ArticleVersion.article_id == article.id,
                models.ArticleVersion.replaced_at >= since,
            )
        ).scalars()
        fields = list(rows)
    returned = [RESTORED] in fields
    content = [f for f in fields if f != [RESTORED] and removal_reason(f) is None]
    reason = article.removed_reason
    return content, reason, returned


def _detected(case: Case, since: datetime) -> bool:
    content, reason, returned = _outcome(case.url, since)
    if case.kind in EDITS:
        return content == [EDITS[case.kind]] and reason is None
    if case.kind in DELETIONS:
        return content == [] and reason == DELETIONS[case.kind]
    if case.kind == "comes back":
        return content == [] and reason is None and returned
    return content == [] and reason is None


def _stored() -> dict[str, tuple[str, str]]:
    """Canonical URL → (source, the address its page was fetched at) of every stored article."""
    page, article = models.Page, models.Article
    with session_scope() as session:
        rows = session.execute(
            select(article.url, article.source_id, page.url).join(page, page.id == article.page_id)
        ).all()
    return {url: (source, fetched) for url, source, fetched in rows}


def _revisit_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stored article due at once (the fixture sites are years old)."""
    policy = "\n[revisit]\nwithin_hours = 1000000\nevery_hours = 0\nmax_per_run = 500\n"
    for source in SOURCES:
        name = get_source(source).agency.id + ".toml"
        (tmp_path / name).write_text((AGENCIES_DIR / name).read_text("utf-8") + policy, "utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))


@pytest.mark.soak_only  # 80 s: make soak measures it (README's figures), on both stores
def test_edits_furniture_and_deletions_are_told_apart(
    database_url: str, fast_crawl: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routes = _site([get_source(s) for s in SOURCES])
    results: list[tuple[Case, bool]] = []
    with ReplayServer(routes) as site:
        for source in SOURCES:
            assert ingest(source, base_url=site.base_url)["status"] == "completed"
        stored = _stored()
        _revisit_everything(tmp_path, monkeypatch)
        gone: dict[str, tuple[list[str], Route]] = {}
        for round_ in (0, 1):
            cases = _plan(routes, stored, gone, round_)
            since = datetime.now(UTC)
            for source in SOURCES:
                assert revisit(source, base_url=site.base_url)["status"] == "completed"
            results += [(case, _detected(case, since)) for case in cases]
    table = _table(results)
    print("\n" + table)
    missed = [f"{c.kind} {c.url} (round {c.round})" for c, ok in results if not ok]
    assert not missed, table
    assert Counter(c.category for c, _ in results)["edit"] >= 10


def _table(results: list[tuple[Case, bool]]) -> str:
    by_kind: dict[str, list[bool]] = {}
    for case, ok in results:
        by_kind.setdefault(f"{case.category}: {case.kind}", []).append(ok)
    lines = ["| case | labelled | detected correctly |", "|---|---:|---:|"]
    lines += [f"| {k} | {len(v)} | {sum(v)} |" for k, v in sorted(by_kind.items())]
    total = [ok for _, ok in results]
    lines.append(f"| **all** | {len(total)} | {sum(total)} |")
    noisy = sum(case.noisy for case, _ in results)
    lines.append(f"furniture cases whose extracted text changed (no version made): {noisy}")
    return "\n".join(lines)
