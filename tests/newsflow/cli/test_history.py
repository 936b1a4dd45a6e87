"""`newsflow history URL`: versions with word diffs, fields changed, removals, on both stores."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

from click.testing import CliRunner, Result
from newsflow.db import models, revisits, store
from newsflow.db.session import session_scope
from sqlalchemy import select

from newsflow.article import Article
from newsflow.cli import main
from newsflow.registry import load_registry

URL = "https://sana.sy/en/?p=92385"
FIRST = Article(
    url=URL,
    title="Kremlin waiting for US response",
    body=(
        "Moscow, SANA – Kremlin spokesman Dmitry Peskov said that the Kremlin is awaiting a "
        "response to the airstrikes carried out last night on Hassadjek village.\n\n"
        "The statement came after talks between Sergey Lavrov and John Kerry."
    ),
    authors=("Hazem Sabbagh",),
    published_at=datetime(2016, 10, 19, 15, 42, 10, tzinfo=timezone(timedelta(hours=3))),
    language="en",
    source="sana-en",
)
SECOND = FIRST.evolve(
    title="Kremlin still waiting for US response",
    body=FIRST.body.replace("Kremlin spokesman", "Kremlin press secretary"),
    authors=("Mazen Eyon",),
)
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["history", *args], prog_name="newsflow")


def _stored(database_url: str) -> None:
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
        store.save_article(session, FIRST, None, T0)
        store.save_article(session, SECOND, None, T0 + timedelta(hours=6))
        article_id = session.execute(select(models.Article.id)).scalar_one()
        revisits.mark_removed(session, article_id, "redirect_home", T0 + timedelta(hours=12))


def test_history_shows_each_edit_as_a_word_diff_then_the_removal(database_url: str) -> None:
    _stored(database_url)
    result = _run(URL)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        URL,
        "sana-en · article 1 · version 3 · removed since 2026-12-01 20:00 UTC (redirect_home)",
        "last checked 2026-12-01 20:00 UTC",
    ]
    assert "version 1  first seen 2026-12-01 08:00 UTC" in lines
    assert "  Kremlin waiting for US response" in lines
    assert "  Hazem Sabbagh · published 2016-10-19 12:42 UTC · 36 words" in lines
    assert "version 2  seen 2026-12-01 14:00 UTC  changed: title, body, authors" in lines
    assert "  title: Kremlin {+still+} waiting for US response" in lines
    assert "  authors: [-Hazem Sabbagh-] {+Mazen Eyon+}" in lines
    start = next(i for i, line in enumerate(lines) if line.startswith("  body: "))
    wrapped = [
        lines[start],
        *itertools.takewhile(lambda x: x.startswith(" " * 8), lines[start + 1 :]),
    ]
    assert all(len(line) <= 100 for line in wrapped)
    assert " ".join(line.strip() for line in wrapped) == (
        "body: Moscow, SANA – Kremlin [-spokesman-] {+press secretary+} Dmitry Peskov said that"
        " the Kremlin is awaiting …"
    )
    assert lines[-1] == (
        "removed  2026-12-01 20:00 UTC  redirect_home: the page redirected to the site's front page"
    )


def test_full_shows_the_whole_text_and_a_return_is_shown(database_url: str) -> None:
    _stored(database_url)
    with session_scope(database_url) as session:
        revisits.restore(session, 1, T0 + timedelta(hours=18))
    result = _run(URL, "--full")
    assert result.exit_code == 0, result.output
    assert "Sergey Lavrov and John Kerry." in result.output  # the unchanged end of the body
    assert result.output.rstrip().endswith(
        "found again  2026-12-02 02:00 UTC  the page answers again"
    )
    assert "on the site when last checked" in result.output.splitlines()[1]


def test_an_unknown_article_or_host_is_one_line(database_url: str) -> None:
    _stored(database_url)
    missing = _run("https://sana.sy/en/?p=1")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == (
        "newsflow: error: no article stored at https://sana.sy/en/?p=1 (sources sana-ar, sana-en,"
        " sana-es, sana-fa, sana-fr, sana-ru, sana-tr)"
    )
    elsewhere = _run("https://example.com/news/1")
    assert elsewhere.exit_code == 1
    assert "no source in the registry serves 'example.com'; use --source" in elsewhere.stderr
