"""The best the scaling comparison's crawls could do: list-scheduled on a number of places.

Each crawl is its requests at its host's pace, and two crawls of one host at once share that
pace. Crawls take places in the order they were submitted, as places free up; each costs
``start_s`` before its first request and ``close_s`` after its last. Time moves in small steps:
the result is a bound to set the measured speed-up against, not a model of Prefect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["makespan"]


@dataclass
class _Crawl:
    host: str
    requests: float  # left to send
    wait: float  # seconds left in its start or its close
    phase: str = "start"  # start | crawl | close


def makespan(
    crawls: Sequence[tuple[str, float]],
    places: int,
    delay: float,
    start_s: float = 0.0,
    close_s: float = 0.0,
    step: float = 0.01,
) -> float:
    """Seconds until the last of ``crawls`` ((host, requests), in submission order) ends."""
    queue, running, steps = list(crawls), list[_Crawl](), 0
    while queue or running:
        while queue and len(running) < places:
            host, requests = queue.pop(0)
            running.append(_Crawl(host, requests, start_s))
        sharing = Counter(c.host for c in running if c.phase == "crawl")
        for crawl in running:
            _advance(crawl, step, delay * sharing[crawl.host], close_s)
        running = [c for c in running if not (c.phase == "close" and c.wait <= 0)]
        steps += 1
    return steps * step  # counted, not summed: a sum of steps drifts


def _advance(crawl: _Crawl, step: float, seconds_a_request: float, close_s: float) -> None:
    if crawl.phase == "crawl":
        crawl.requests -= step / seconds_a_request
        if crawl.requests <= 0:
            crawl.phase, crawl.wait = "close", close_s
    else:
        crawl.wait -= step
        if crawl.phase == "start" and crawl.wait <= 0:
            crawl.phase = "crawl"
