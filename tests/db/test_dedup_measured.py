"""Near-duplicate precision and recall on a labelled set built from the recorded agency sites.

Every article page of tests/fixtures/sites is extracted (real bodies, 37–473 words). From each:
an exact copy under another URL; near copies with 0.5–6 % of their words replaced, inserted or
deleted (seeded; shingle Jaccard about 0.6–0.97), every other one filed by a second agency; and
the text re-published by a second agency (its dateline and a credit line instead of the first
agency's). The SANA archive articles share one page template and a stock closing sentence; they
are all dated one day, so each pair of them is a same-template same-day pair. Everything is
stored in shuffled order through the real store and deduplicated source by source; a pair counts
as linked when both end under one original.

Truth: a pair is a duplicate when its shingle Jaccard (normalised bodies) is at least 0.8 —
"strict" — or, as a clustering is judged, when a chain of such pairs joins them within one
article's family ("closure": two edits of one text can each be 0.8-close to a third copy and
not to each other). Articles of different families are never duplicates.
"""

from __future__ import annotations

import itertools
import random
import zlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from newsflow.db import models, store
from newsflow.db.session import session_scope
from newsflow.flows.dedup import dateline_rules, deduplicate_source
from sqlalchemy import select

from newsflow.article import Article
from newsflow.dedup.fingerprint import NEAR_THRESHOLD, fingerprint
from newsflow.dedup.normalise import split_paragraphs, strip_dateline
from newsflow.dedup.shingles import jaccard
from newsflow.extraction import extract_article
from newsflow.registry import load_registry
from newsflow.replay import load_routes

RATES = (0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06)
SEED = 8
# How a second agency files a copy: its dateline in front, its credit line at the end.
DATELINES = {
    "tass-en": "MOSCOW, May 14. /TASS/. ",
    "sana-en": "Damascus, SANA – ",
    "xinhua-en": "BEIJING, May 14 (Xinhua) -- ",
    "irna-en": "TEHRAN, May 14 (IRNA) - ",
    "anadolu-en": "",
    "ria-ru": "МОСКВА, 14 мая — РИА Новости. ",
    "sana-ar": "دمشق-سانا ",
}


@dataclass(frozen=True)
class Pair:
    """Two stored articles, whether they are duplicates, and what kind of pair they are."""

    a: str
    b: str
    duplicate: bool
    kind: str


def test_near_duplicates_precision_and_recall(database_url: str) -> None:
    rng = random.Random(SEED)
    bases = _bases()
    families = [_copies(base, rng, _vocabulary(bases)) for base in bases]
    articles = [article for family in families for article, _ in family]
    rng.shuffle(articles)
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        for article in articles:
            store.save_article(session, article, None)
    for source in sorted({a.source or "" for a in articles}):
        deduplicate_source(source)
    root = _roots()
    unrelated = [
        Pair(a.url, b.url, False, "same-template" if _same_template(a, b) else "unrelated")
        for a, b in itertools.combinations(bases, 2)
    ]
    strict = [p for family in families for p in _base_pairs(family)] + unrelated
    closure = [p for family in families for p in _family_pairs(family)] + unrelated

    for name, pairs in (("strict", strict), ("closure", closure)):
        precision, recall = _score(pairs, root)
        print(f"{name}: precision {precision:.4f} recall {recall:.4f} over {len(pairs)} pairs")
    _report(strict, root)
    assert sum(p.kind == "same-template" for p in unrelated) >= 100
    assert not any(root[p.a] == root[p.b] for p in unrelated)
    assert all(root[p.a] == root[p.b] for p in strict if p.kind in ("exact", "second-agency"))
    precision, recall = _score(closure, root)
    assert precision >= 0.99 and recall >= 0.95
    assert _score(strict, root)[1] >= 0.95


def _score(pairs: list[Pair], root: dict[str, int]) -> tuple[float, float]:
    linked = [root[p.a] == root[p.b] for p in pairs]
    tp = sum(p.duplicate and hit for p, hit in zip(pairs, linked, strict=True))
    fp = sum(not p.duplicate and hit for p, hit in zip(pairs, linked, strict=True))
    fn = sum(p.duplicate and not hit for p, hit in zip(pairs, linked, strict=True))
    return tp / (tp + fp), tp / (tp + fn)


def _bases() -> list[Article]:
    """Every recorded article page, extracted once (SANA's archive articles on one day)."""
    sources = list(load_registry().values())
    found: dict[str, Article] = {}
    for url, route in sorted(load_routes().items()):
        source = next((s for s in sources if s.is_article_url(url)), None)
        if route.status != 200 or source is None:
            continue
        article = extract_article(route.body.decode("utf-8"), url, source.id)
        if article is None or len(article.body.split()) < 30:
            continue
        article = article.evolve(source=source.id, language=source.language, url=url)
        if "archive.sana.sy" in url and article.published_at:
            day = article.published_at.replace(year=2016, month=10, day=19)
            article = article.evolve(published_at=day)
        found.setdefault(article.content_hash, article)
    assert len(found) >= 25
    return list(found.values())


Family = list[tuple[Article, str]]  # the base first (kind "base"), then its copies


def _copies(base: Article, rng: random.Random, vocabulary: list[str]) -> Family:
    """The base and its copies: exact, near at each rate, re-filed by a second agency."""
    later = base.published_at + timedelta(hours=2) if base.published_at else None
    other = _second_agency(base.source or "", base.language)
    family: Family = [(base, "base"), (base.evolve(url=base.url + "#exact"), "exact")]
    family.append((_refiled(base, other, base.body, later), "second-agency"))
    for n, rate in enumerate(RATES):
        body = _edited(base.body, rate, rng.choice("rid"), rng, vocabulary)
        copy = (
            _refiled(base, other, body, later)
            if n % 2
            else base.evolve(url=f"{base.url}#near{n}", body=body, published_at=later)
        )
        family.append((copy, f"near {rate:.1%}"))
    return family


def _base_pairs(family: Family) -> list[Pair]:
    (base, _), copies = family[0], family[1:]
    return [
        Pair(base.url, c.url, _similarity(base, c) >= NEAR_THRESHOLD, kind) for c, kind in copies
    ]


def _family_pairs(family: Family) -> list[Pair]:
    """Every pair of a family, a duplicate when a chain of 0.8-close pairs joins them."""
    group = list(range(len(family)))

    def find(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for (i, (a, _)), (j, (b, _)) in itertools.combinations(enumerate(family), 2):
        if _similarity(a, b) >= NEAR_THRESHOLD:
            group[find(i)] = find(j)
    return [
        Pair(a.url, b.url, find(i) == find(j), "family")
        for (i, (a, _)), (j, (b, _)) in itertools.combinations(enumerate(family), 2)
    ]


def _vocabulary(bases: list[Article]) -> list[str]:
    return sorted({w for a in bases for w in a.body.split()})


def _second_agency(source: str, language: str | None) -> str:
    same_language = [s for s in sorted(DATELINES) if s != source and s.endswith(f"-{language}")]
    return (same_language or [s for s in sorted(DATELINES) if s != source])[0]


def _refiled(base: Article, source: str, body: str, published: object) -> Article:
    """The text as another agency files it: its dateline, the original's credited at the end."""
    paragraphs = split_paragraphs(body)
    paragraphs[0] = DATELINES[source] + strip_dateline(paragraphs[0], dateline_rules())
    paragraphs.append(f"Source: {base.source}")
    return base.evolve(
        source=source,
        url=f"https://copies.example/{source}/{zlib.crc32(body.encode())}",
        body="\n\n".join(paragraphs),
        published_at=published,
    )


def _edited(body: str, rate: float, op: str, rng: random.Random, vocabulary: list[str]) -> str:
    """Replace (r), insert (i) or delete (d) ``rate`` of the words, paragraphs kept."""
    paragraphs = [p.split() for p in split_paragraphs(body)]
    spots = [(p, w) for p, words in enumerate(paragraphs) for w in range(len(words))]
    count = max(1, round(rate * len(spots)))
    for p, w in sorted(rng.sample(spots, count), reverse=True):
        if op == "r":
            paragraphs[p][w] = rng.choice(vocabulary)
        elif op == "i":
            paragraphs[p].insert(w, rng.choice(vocabulary))
        elif len(paragraphs[p]) > 1:
            del paragraphs[p][w]
    return "\n\n".join(" ".join(words) for words in paragraphs)


def _similarity(a: Article, b: Article) -> float:
    rules = dateline_rules()
    return jaccard(
        fingerprint(a.title, a.body, a.authors, rules).shingles,
        fingerprint(b.title, b.body, b.authors, rules).shingles,
    )


def _same_template(a: Article, b: Article) -> bool:
    return "archive.sana.sy" in a.url and "archive.sana.sy" in b.url


def _roots() -> dict[str, int]:
    article = models.Article
    with session_scope() as session:
        rows = session.execute(select(article.url, article.id, article.duplicate_of_id)).all()
    return {url: original or article_id for url, article_id, original in rows}


def _report(pairs: list[Pair], root: dict[str, int]) -> None:
    lines = []
    for kind in sorted({p.kind for p in pairs}):
        of_kind = [p for p in pairs if p.kind == kind]
        duplicates = [p for p in of_kind if p.duplicate]
        lines.append(
            f"  {kind:14} pairs {len(of_kind):4}  duplicates {len(duplicates):4}  "
            f"linked {sum(root[p.a] == root[p.b] for p in of_kind):4}  "
            f"duplicates linked {sum(root[p.a] == root[p.b] for p in duplicates):4}"
        )
    print("\n".join(lines))  # shown with -s


@pytest.fixture(autouse=True)
def _quiet_registry_cache() -> None:
    dateline_rules.cache_clear()
