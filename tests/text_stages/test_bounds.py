"""The harness itself: a call that loops, waits, allocates, raises or dies is caught as such."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

_SECONDS, _MEGABYTES = 0.1, 50


def _spin() -> None:
    while True:
        pass


def _allocate() -> bytes:
    return bytes(10 * _MEGABYTES * 2**20)


def _raise() -> None:
    raise KeyError("gone")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(
    ("call", "verdict"),
    [
        (_spin, "timeout"),
        (lambda: time.sleep(60), "timeout"),  # no CPU used: the clock's bound
        (_allocate, "memory"),
        (_raise, "raised"),
        (_die, "crashed"),
    ],
    ids=["spins", "sleeps", "allocates", "raises", "dies"],
)
def test_each_ending_gets_its_verdict(call: Any, verdict: str, within: Any) -> None:
    outcome = within(call, _SECONDS, _MEGABYTES)
    assert outcome.verdict == verdict, outcome.describe()
    assert outcome.seconds < 10 * _SECONDS + 2  # the clock's bound is STALL_FACTOR (10) times


def test_a_returned_value_comes_back(within: Any) -> None:
    outcome = within(lambda: {"done": (1, "ü")}, _SECONDS, _MEGABYTES)
    assert (outcome.verdict, outcome.value) == ("ok", {"done": (1, "ü")})


def test_a_documented_error_passes(within: Any) -> None:
    outcome = within(_raise, _SECONDS, _MEGABYTES, (KeyError,))
    assert (outcome.verdict, outcome.passed) == ("error", True)
    assert outcome.detail == "KeyError: 'gone'"
