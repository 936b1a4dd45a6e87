"""`newsflow eval`: measure extraction and enrichment quality on labelled sets."""

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


@eval_command.command("enrichment")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "set_format",
    type=click.Choice(["conll", "factrueval"]),
    required=True,
    help="conll: a CoNLL file (token first, tag last); factrueval: a factRuEval-2016 folder.",
)
@click.option(
    "--language",
    default=None,
    help="The texts' language (ISO 639-1); default en for conll, ru for factrueval.",
)
@click.option("--limit", type=int, default=None, help="Score only the first N documents.")
@click.option("--errors", default=0, show_default=True, help="Errors to list per type.")
def enrichment_command(
    path: Path, set_format: str, language: str | None, limit: int | None, errors: int
) -> None:
    """Score the people, organisations and places found in a labelled news set.

    Each document is enriched as an article (its first sentence the title) by all enrichers
    in this process; names are compared case-folded, a surname meeting the full name
    (Russian words by their first five letters). Prints P/R/F1 per type and articles/s.

    \b
    Example: newsflow eval enrichment --format conll ../shared/ner-devset/conll2003-en/valid.txt
    Example: newsflow eval enrichment --format factrueval factrueval2016-ru/devset
    """
    import gc
    from itertools import islice

    from newsflow.enrichment import warm_up
    from newsflow.ner_eval import evaluate, format_report, read_conll, read_factrueval

    if set_format == "conll":
        if not path.is_file():
            raise click.ClickException(f"{path} is not a CoNLL file")
        documents, language = read_conll(path), language or "en"
    else:
        if not any(path.glob("*.objects")):
            raise click.ClickException(f"{path} has no factRuEval-2016 *.objects files")
        documents, language = read_factrueval(path), language or "ru"
    prefix = 5 if language == "ru" else None
    warm_up()
    gc.freeze()  # as the enrichment workers do once warmed up (newsflow/budget.py)
    report = evaluate(islice(documents, limit), language, prefix)
    if not report.documents:
        raise click.ClickException(f"{path} holds no documents")
    click.echo(format_report(report, f"{path} ({set_format}, {language})", errors))
