"""Enrich labelled documents as articles, score the names, time the enrichers."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from newsflow.article import Article
from newsflow.enrichment import (
    Enricher,
    Result,
    article_text,
    default_enrichers,
    enrich_article,
    warm_up,
)
from newsflow.ner_eval.readers import TYPES, Document
from newsflow.ner_eval.scoring import Counts, Name, meets, name, score_document

__all__ = ["Report", "evaluate", "format_report"]


@dataclass(slots=True)
class Report:
    """Counts per type, how many documents and how long all enrichers took on them."""

    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in TYPES})
    documents: int = 0
    seconds: float = 0.0
    errors: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in TYPES})

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def evaluate(
    documents: Iterable[Document],
    language: str,
    prefix: int | None = None,
    enrichers: Sequence[Enricher] | None = None,
) -> Report:
    """Score every document; ``prefix`` cuts words to their first letters (5 for Russian)."""
    enrichers = enrichers or default_enrichers()
    warm_up()  # gazetteers and models load once per worker, before its first article
    report = Report()
    for document in documents:
        article = Article(
            url=f"https://eval.invalid/{document.id}",
            title=document.title,
            body=document.body,
            language=language,
        )
        started = time.perf_counter()
        results = enrich_article(article, enrichers)
        report.seconds += time.perf_counter() - started
        report.documents += 1
        predicted = _predictions(article, results, prefix)
        for kind in TYPES:
            gold = {name(g, prefix) for g in document.gold.get(kind, ())}
            report.counts[kind].add(score_document(predicted[kind], gold))
            report.errors[kind].extend(_errors(document.id, predicted[kind], gold))
    return report


def _predictions(
    article: Article, results: Iterable[Result], prefix: int | None
) -> dict[str, list[set[Name]]]:
    """Each annotation of a scored kind, as the set of its forms: value and text read."""
    text = article_text(article)
    found: dict[str, list[set[Name]]] = {kind: [] for kind in TYPES}
    for result in results:
        for annotation in result.annotations:
            if annotation.kind not in found:
                continue
            forms = {name(annotation.value, prefix)}
            if annotation.start is not None and annotation.end is not None:
                forms.add(name(text[annotation.start : annotation.end], prefix))
            found[annotation.kind].append(forms)
    return found


def _errors(document: str, predicted: list[set[Name]], gold: set[Name]) -> list[str]:
    wrong = [
        f"{document}: + {' '.join(min(forms))}"
        for forms in predicted
        if not any(meets(f, g) for f in forms for g in gold)
    ]
    missed = [
        f"{document}: - {' '.join(g)}"
        for g in sorted(gold)
        if not any(meets(f, g) for forms in predicted for f in forms)
    ]
    return wrong + missed


def format_report(report: Report, title: str, errors: int = 0) -> str:
    """A table of P/R/F1 per type, then the speed; with ``errors``, that many per type."""
    lines = [title, f"{'type':<14}{'P':>7}{'R':>7}{'F1':>7}{'gold':>8}{'found':>8}"]
    total = Counts()
    for kind in TYPES:
        counts = report.counts[kind]
        total.add(counts)
        lines.append(_row(kind, counts))
    lines.append(_row("overall", total))
    lines.append(
        f"{report.documents} articles in {report.seconds:.2f} s: "
        f"{report.per_second:.1f} articles/s (all enrichers, one process)"
    )
    for kind in TYPES if errors else ():
        lines.append(f"\n{kind}: first {errors} errors (+ wrong, - missed)")
        lines.extend(report.errors[kind][:errors])
    return "\n".join(lines)


def _row(label: str, counts: Counts) -> str:
    return (
        f"{label:<14}{counts.precision:>7.3f}{counts.recall:>7.3f}{counts.f1:>7.3f}"
        f"{counts.gold:>8}{counts.predicted:>8}"
    )
