"""Prefect's zombie-flow detection for newsflow's runs: created once, watching only them."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from newsflow.flows.crashes import (
    AUTOMATION,
    HEARTBEAT_SECONDS,
    START_AUTOMATION,
    crash_detection,
    ensure_crash_detection,
    heartbeat_env,
    start_detection,
)
from prefect.automations import Automation
from pydantic import ValidationError

from newsflow.settings import RunSettings, get_settings


def test_the_automations_are_created_once_per_server(prefect_harness: None) -> None:
    for name in (AUTOMATION, START_AUTOMATION):
        with contextlib.suppress(ValueError):  # an earlier test's `newsflow deploy` made it
            Automation.read(name=name).delete()
    first, again = ensure_crash_detection(), ensure_crash_detection()
    assert (first, again) == (True, False)
    for name in (AUTOMATION, START_AUTOMATION):
        stored = Automation.read(name=name)
        assert stored.enabled
        assert [action.type for action in stored.actions] == ["change-flow-run-state"]


def test_it_watches_tagged_runs_for_three_missed_heartbeats() -> None:
    trigger = crash_detection().trigger
    # Running arms it too: a run killed before its first heartbeat arrived is crashed as well
    assert trigger.after == {"prefect.flow-run.heartbeat", "prefect.flow-run.Running"}
    assert "prefect.flow-run.Completed" in trigger.expect
    assert trigger.within == timedelta(seconds=3 * HEARTBEAT_SECONDS)
    assert trigger.match_related.root == {  # type: ignore[union-attr]
        "prefect.resource.role": "tag",
        "prefect.resource.id": "prefect.tag.newsflow",
    }
    assert heartbeat_env() == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}


def test_it_watches_tagged_runs_taken_but_never_started() -> None:
    """A run its worker took (Pending) and that neither started nor went back to wait."""
    trigger = start_detection().trigger
    assert trigger.after == {"prefect.flow-run.Pending"}
    assert {"prefect.flow-run.Running", "prefect.flow-run.Crashed"} <= trigger.expect
    assert "prefect.flow-run.AwaitingConcurrencySlot" in trigger.expect
    assert not {"prefect.flow-run.Pending", "prefect.flow-run.Submitting"} & trigger.expect
    assert trigger.within == timedelta(seconds=120)
    assert trigger.match_related == crash_detection().trigger.match_related  # type: ignore[union-attr]


def test_an_automation_watching_otherwise_is_replaced(prefect_harness: None) -> None:
    """An older newsflow's automation (armed by heartbeats alone) gives way to this one."""
    with contextlib.suppress(ValueError):
        Automation.read(name=AUTOMATION).delete()
    older = crash_detection()
    older.trigger.after = {"prefect.flow-run.heartbeat"}  # type: ignore[union-attr]
    older.create()
    assert ensure_crash_detection()
    stored = Automation.read(name=AUTOMATION)
    assert "prefect.flow-run.Running" in stored.trigger.after  # type: ignore[union-attr]
    assert not ensure_crash_detection()


def test_the_start_grace_is_a_setting_under_prefects_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow starts (a pod pulling its image) raise it; it stays under Prefect's 300 s lease,
    past which Prefect's repossessor gives the slot back itself (twice, with a crash after)."""
    monkeypatch.setenv("NEWSFLOW_RUNS__START_GRACE_SECONDS", "240")
    get_settings.cache_clear()
    try:
        assert start_detection().trigger.within == timedelta(seconds=240)  # type: ignore[union-attr]
    finally:
        get_settings.cache_clear()
    with pytest.raises(ValidationError, match="less than 300"):
        RunSettings(start_grace_seconds=300)
