"""The evaluation scores a labelled set the way the dev-set README prescribes."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsflow.article import Article
from newsflow.cli.evaluation import eval_command
from newsflow.evaluation import (
    body_scores,
    dates_match,
    evaluate,
    fold,
    format_report,
    library_article,
)

BODY = (
    "The city council approved the new budget on Tuesday after a long debate.\n\n"
    "Supporters said the plan would repair ageing bridges and hire more teachers."
)
PAGE = (
    "<html lang='en'><head><title>Budget passes | Example Daily</title>"
    "<meta property='og:site_name' content='Example Daily'>"
    "<meta property='article:published_time' content='2024-05-07T09:30:00+02:00'>"
    "<meta name='author' content='Jane Doe'></head><body><article><h1>Budget passes</h1>"
    + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
    + "</article></body></html>"
)


def _write_set(directory: Path, cases: list[dict]) -> Path:
    (directory / "pages").mkdir()
    lines = []
    for number, case in enumerate(cases):
        path = f"pages/case{number}.html.gz"
        (directory / path).write_bytes(gzip.compress(case.pop("page").encode("utf-8")))
        lines.append(
            json.dumps({"id": f"xx/Site/V{number}", "url": "https://x.org/a", "html": path, **case})
        )
    (directory / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def _case(**changes: object) -> dict:
    case = {"page": PAGE, "title": "Budget passes", "authors": ["Jane Doe"],
            "published": "2024-05-07 07:30:00+00:00", "body": BODY}  # fmt: skip
    return {**case, **changes}


def test_real_extractor_on_a_tiny_set(tmp_path: Path) -> None:
    directory = _write_set(tmp_path, [
        _case(),
        _case(title="Another headline", authors=["Jane Doe", "John Smith"],
              published="2024-05-07 09:30:00"),
    ])  # fmt: skip
    report = evaluate(directory)
    assert report.pages == 2
    assert report.body_f1 == pytest.approx(1.0)
    assert report.title_accuracy == pytest.approx(0.5)
    assert report.authors_precision == pytest.approx(1.0)
    assert report.authors_recall == pytest.approx(2 / 3)
    assert report.date_accuracy == pytest.approx(1.0)  # wall clock when no offset is expected
    assert [r.id for r in report.worst("title", 5)] == ["xx/Site/V1"]
    assert "title            0.500" in format_report(report)


def test_scores_with_a_stub_extractor(tmp_path: Path) -> None:
    directory = _write_set(tmp_path, [_case(), _case(), _case()])
    first = Article(
        url="u",
        title="budget  PASSES",
        body=BODY + "\n\nextra words in here now",
        authors=("Jane Doe", "Acme"),
        published_at=datetime.fromisoformat("2024-05-07T07:30:59+00:00"),
    )
    late = datetime.fromisoformat("2024-05-07T07:32:00+00:00")
    answers = iter(
        [first, Article(url="u", title="Budget passes", body="", published_at=late), None]
    )
    report = evaluate(directory, extractor=lambda html, url: next(answers))
    # Page 1: 25 expected words (22 4-grams) plus 5 extra words, so precision 22/27 and
    # recall 1; pages 2 and 3 extracted no text and count for recall only, with 0.
    assert report.body_precision == pytest.approx(22 / 27)
    assert report.body_recall == pytest.approx(1 / 3)
    assert report.title_accuracy == pytest.approx(2 / 3)
    assert (report.authors_precision, report.authors_recall) == pytest.approx((0.5, 1 / 3))
    assert report.date_accuracy == pytest.approx(1 / 3)
    assert report.not_extracted == 1


def test_folding_and_helpers() -> None:
    assert fold("„Quote“ – here\u00ad") == fold('"quote" - HERE')
    assert body_scores("a b c d e", "a b c d") == (0.5, 1.0)
    assert body_scores("", "a b c d") == (None, 0.0)
    offset = datetime.fromisoformat("2024-05-07T09:30:00+02:00")
    assert dates_match(offset, "2024-05-07 07:30:30+00:00", offset_known=True)
    assert not dates_match(offset, "2024-05-07 07:30:30+00:00", offset_known=False)


def test_cli_command(tmp_path: Path) -> None:
    directory = _write_set(tmp_path, [_case()])
    result = CliRunner().invoke(
        eval_command, ["extraction", str(directory), "--worst", "2", "--limit", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "body F1          1.000" in result.output
    assert "Example:" in eval_command.help  # type: ignore[operator]


def test_library_alone_through_the_same_scorer(tmp_path: Path) -> None:
    directory = _write_set(tmp_path, [_case()])
    article = library_article(PAGE, "https://x.org/a")
    assert article is not None
    assert article.title == "Budget passes"
    # The library keeps the headline as the first line of its text.
    assert article.body.split("\n") == ["Budget passes", *BODY.split("\n\n")]
    assert article.authors == ("Jane Doe",)
    report = evaluate(directory, extractor=library_article)
    assert report.body_recall == pytest.approx(1.0)
    assert report.body_precision == pytest.approx(22 / 24)  # two 4-grams span the headline
    assert report.pages_per_second > 0


def test_cli_baseline_prints_both_columns(tmp_path: Path) -> None:
    directory = _write_set(tmp_path, [_case()])
    result = CliRunner().invoke(eval_command, ["extraction", str(directory), "--baseline"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["newsflow", "trafilatura", "alone"]
    body = next(line for line in lines if line.startswith("body F1"))
    newsflow, library = "1.000  (P 1.000, R 1.000)", "0.957  (P 0.917, R 1.000)"
    assert body.split() == ["body", "F1", *newsflow.split(), *library.split()]
