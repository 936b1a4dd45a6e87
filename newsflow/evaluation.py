"""Extraction quality on a labelled page set, scored the way the dev-set README prescribes."""

from __future__ import annotations

import gzip
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trafilatura
from trafilatura.settings import Document

from newsflow.article import Article
from newsflow.extraction import extract_article

__all__ = [
    "CaseResult",
    "EvalReport",
    "body_scores",
    "dates_match",
    "evaluate",
    "fold",
    "format_report",
    "library_article",
]

_WORD = re.compile(r"\w+")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_QUOTES_DASHES = str.maketrans(
    {**dict.fromkeys(map(ord, "‘’‚‛′`"), "'"), **dict.fromkeys(map(ord, "“”„‟″«»"), '"'),
     **dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")}
)  # fmt: skip
_TOLERANCE = timedelta(seconds=60)

Extractor = Callable[[str, str | None], Article | None]


@dataclass(frozen=True)
class CaseResult:
    """Scores and values for one page of the set."""

    id: str
    body_precision: float | None
    body_recall: float | None
    title_ok: bool
    title: str | None
    expected_title: str
    authors: tuple[str, ...]
    expected_authors: tuple[str, ...] | None
    published: str | None
    expected_published: str | None
    date_ok: bool
    same_day: bool

    @property
    def body_f1(self) -> float:
        """Harmonic mean of this page's body precision and recall (0 when nothing matched)."""
        return _f1(self.body_precision or 0.0, self.body_recall or 0.0)

    @property
    def author_errors(self) -> int:
        """Missing plus spurious author names on this page."""
        if self.expected_authors is None:
            return 0
        got, want = Counter(map(fold, self.authors)), Counter(map(fold, self.expected_authors))
        return sum(((got - want) + (want - got)).values())


@dataclass(frozen=True)
class EvalReport:
    """Figures for a whole set, plus the per-page results behind them."""

    pages: int
    body_precision: float
    body_recall: float
    body_f1: float
    title_accuracy: float
    authors_precision: float
    authors_recall: float
    authors_f1: float
    date_accuracy: float
    same_day: float
    pages_per_second: float
    not_extracted: int
    results: tuple[CaseResult, ...] = field(default=(), repr=False)

    def worst(self, name: str, count: int) -> list[CaseResult]:
        """The pages doing worst on one field: body, title, authors or date."""
        keys: dict[str, Callable[[CaseResult], Any]] = {
            "body": lambda r: r.body_f1,
            "title": lambda r: r.title_ok,
            "authors": lambda r: -r.author_errors,
            "date": lambda r: r.date_ok,
        }
        ranked = sorted(self.results, key=keys[name])
        bad: dict[str, Callable[[CaseResult], bool]] = {
            "body": lambda r: r.body_f1 < 1,
            "title": lambda r: not r.title_ok,
            "authors": lambda r: r.author_errors > 0,
            "date": lambda r: not r.date_ok,
        }
        return [r for r in ranked if bad[name](r)][:count]


def fold(text: str) -> str:
    """Comparison form of a title or name: NFKC, ASCII quotes and dashes, folded space and case."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_QUOTES_DASHES)
    return " ".join(text.split()).casefold()


def body_scores(extracted: str, expected: str) -> tuple[float | None, float | None]:
    """Precision and recall of word 4-gram multisets (None where a side has no 4-grams)."""
    got, want = _fourgrams(extracted), _fourgrams(expected)
    matched = sum((got & want).values())
    precision = matched / sum(got.values()) if got else None
    recall = matched / sum(want.values()) if want else None
    return precision, recall


def dates_match(extracted: datetime | None, expected: str | None, offset_known: bool) -> bool:
    """Within 60 s; wall clock when the expected value has no offset, else an offset is required."""
    if extracted is None or not expected:
        return False
    want = datetime.fromisoformat(expected)
    if want.tzinfo is None:
        return abs(extracted.replace(tzinfo=None) - want) <= _TOLERANCE
    return offset_known and abs(extracted - want) <= _TOLERANCE


def evaluate(
    directory: Path, limit: int | None = None, extractor: Extractor | None = None
) -> EvalReport:
    """Run the extractor over every case of a set directory and score it.

    Speed is CPU time of this process (one core), so other work on the machine does not
    change the figure.
    """
    run = extractor or (lambda html, url: extract_article(html, url))
    results, elapsed = [], 0.0
    for case in _cases(directory, limit):
        html = gzip.decompress((directory / case["html"]).read_bytes()).decode("utf-8", "replace")
        started = time.process_time()
        article = run(html, case.get("url"))
        elapsed += time.process_time() - started
        results.append(_score_case(case, article))
    return _summarise(results, elapsed)


# The library's most thorough date search, asked for a time and an offset.
_LIBRARY_DATES = {
    "extensive_search": True,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


def library_article(html: str, url: str | None) -> Article | None:
    """trafilatura 2 alone, as a user would call it (comments left out): the baseline."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params=_LIBRARY_DATES,
    )
    if not isinstance(document, Document) or not document.text:
        return None
    authors = tuple(a.strip() for a in (document.author or "").split(";") if a.strip())
    published, evidence = None, "trafilatura"
    if document.date:
        published = datetime.fromisoformat(document.date)
        if published.tzinfo is None:  # a day without a time: UTC assumed, and said so
            published, evidence = published.replace(tzinfo=UTC), "trafilatura (offset assumed)"
    return Article(
        url=url or "",
        title=document.title or "",
        body=document.text,
        authors=authors,
        published_at=published,
        provenance={"published_at": evidence},
    )


def format_report(report: EvalReport, worst: int = 5, baseline: EvalReport | None = None) -> str:
    """A plain-text report: the figures (beside a baseline's, if given), then the worst pages."""
    ours = _figures(report)
    if baseline is None:
        lines = [f"{label:<17}{value}" for label, value in ours]
    else:
        theirs = dict(_figures(baseline))
        lines = [f"{'':<17}{'newsflow':<28}trafilatura alone"]
        lines += [f"{label:<17}{value:<28}{theirs[label]}" for label, value in ours]
    for name, describe in _DESCRIBE.items():
        cases = report.worst(name, worst)
        if cases:
            lines.append(f"\nworst {name}:")
            lines.extend(f"  {r.id}: {describe(r)}" for r in cases)
    return "\n".join(lines)


def _figures(report: EvalReport) -> list[tuple[str, str]]:
    return [
        ("pages", f"{report.pages} ({report.not_extracted} not extracted)"),
        ("body F1", f"{report.body_f1:.3f}  (P {report.body_precision:.3f}, "
         f"R {report.body_recall:.3f})"),
        ("title", f"{report.title_accuracy:.3f}"),
        ("authors F1", f"{report.authors_f1:.3f}  (P {report.authors_precision:.3f}, "
         f"R {report.authors_recall:.3f})"),
        ("date ±60 s", f"{report.date_accuracy:.3f}  (same day {report.same_day:.3f})"),
        ("pages/s", f"{report.pages_per_second:.1f}  (CPU time, one core)"),
    ]  # fmt: skip


_DESCRIBE: dict[str, Callable[[CaseResult], str]] = {
    "body": lambda r: (
        f"F1 {r.body_f1:.3f} (P {r.body_precision or 0:.3f}, R {r.body_recall or 0:.3f})"
    ),
    "title": lambda r: f"got {r.title!r}, expected {r.expected_title!r}",
    "authors": lambda r: f"got {list(r.authors)}, expected {list(r.expected_authors or [])}",
    "date": lambda r: f"got {r.published}, expected {r.expected_published}",
}


def _cases(directory: Path, limit: int | None) -> Iterable[dict[str, Any]]:
    with (directory / "cases.jsonl").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            if line.strip():
                yield json.loads(line)


def _score_case(case: dict[str, Any], article: Article | None) -> CaseResult:
    body = article.body if article else ""
    precision, recall = body_scores(body, case.get("body") or "")
    published = article.published_at if article else None
    # An offset the extractor had to assume is no offset at all.
    assumed = bool(article) and "assumed" in article.provenance.get("published_at", "")  # type: ignore[union-attr]
    expected_date = case.get("published")
    authors = case.get("authors")
    return CaseResult(
        id=case["id"],
        body_precision=precision,
        body_recall=recall,
        title_ok=bool(article) and fold(article.title) == fold(case.get("title") or ""),  # type: ignore[union-attr]
        title=article.title if article else None,
        expected_title=case.get("title") or "",
        authors=article.authors if article else (),
        expected_authors=tuple(authors) if authors is not None else None,
        published=published.isoformat() if published else None,
        expected_published=expected_date,
        date_ok=dates_match(published, expected_date, not assumed),
        same_day=bool(published and expected_date)
        and published.date() == datetime.fromisoformat(expected_date).date(),  # type: ignore[arg-type, union-attr]
    )


def _summarise(results: list[CaseResult], elapsed: float) -> EvalReport:
    precisions = [r.body_precision for r in results if r.body_precision is not None]
    recalls = [r.body_recall for r in results if r.body_recall is not None]
    body_p, body_r = _mean(precisions), _mean(recalls)
    matched = spurious = missing = 0
    for r in results:
        if r.expected_authors is None:
            continue
        got, want = Counter(map(fold, r.authors)), Counter(map(fold, r.expected_authors))
        matched += sum((got & want).values())
        spurious += sum((got - want).values())
        missing += sum((want - got).values())
    authors_p = matched / (matched + spurious) if matched + spurious else 0.0
    authors_r = matched / (matched + missing) if matched + missing else 0.0
    return EvalReport(
        pages=len(results),
        body_precision=body_p,
        body_recall=body_r,
        body_f1=_f1(body_p, body_r),
        title_accuracy=_mean([float(r.title_ok) for r in results]),
        authors_precision=authors_p,
        authors_recall=authors_r,
        authors_f1=_f1(authors_p, authors_r),
        date_accuracy=_mean([float(r.date_ok) for r in results]),
        same_day=_mean([float(r.same_day) for r in results]),
        pages_per_second=len(results) / elapsed if elapsed else 0.0,
        not_extracted=sum(r.title is None for r in results),
        results=tuple(results),
    )


def _fourgrams(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
