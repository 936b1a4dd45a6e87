"""`newsflow eval`: measure extraction quality on a labelled page set."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("eval")
def eval_command() -> None:
    """Measure the quality of newsflow's components on labelled data.

    Example: newsflow eval extraction /work/shared/extraction-devset --worst 5
    """


@eval_command.command("extraction")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@click.option("--worst", default=5, show_default=True, help="Worst pages to list per field.")
@click.option("--limit", type=int, default=None, help="Score only the first N cases.")
@click.option(
    "--baseline",
    is_flag=True,
    help="Also score trafilatura alone through the same scorer and print both side by side.",
)
def extraction_command(directory: Path, worst: int, limit: int | None, baseline: bool) -> None:
    """Score extract_article on DIRECTORY (cases.jsonl plus gzipped pages).

    Prints body F1 (word 4-grams), title accuracy, authors F1, date within 60 s,
    pages per second and the worst pages for each field; with --baseline, beside the
    figures of trafilatura alone.

    \b
    Example: newsflow eval extraction /work/shared/extraction-devset --worst 10 --limit 50
    Example: newsflow eval extraction /work/shared/extraction-devset --baseline
    """
    from newsflow.evaluation import evaluate, format_report, library_article

    if not (directory / "cases.jsonl").is_file():
        raise click.ClickException(f"{directory} has no cases.jsonl")
    report = evaluate(directory, limit=limit)
    library = evaluate(directory, limit=limit, extractor=library_article) if baseline else None
    click.echo(format_report(report, worst=worst, baseline=library))
