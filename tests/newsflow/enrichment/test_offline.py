"""Enrichment reaches no network: every gazetteer and model ships inside an installed package."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from newsflow.article import Article
    from newsflow.enrichment import default_enrichers, enrich_article

    article = Article(
        url="https://example.test/1",
        title="Kremlin waits",
        body="Moscow, SANA – Kremlin spokesman Dmitry Peskov said on Wednesday in Aleppo.",
        language="en",
        dateline="Moscow",
        source="sana-en",
    )
    results = enrich_article(article, default_enrichers())
    assert all(r.error is None for r in results), results
    print(sum(len(r.annotations) for r in results))
    """
)


def test_enrichers_load_and_run_with_the_network_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) >= 8
