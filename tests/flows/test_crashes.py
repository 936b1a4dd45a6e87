"""Prefect's zombie-flow detection for newsflow's runs: created once, watching only them."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from newsflow.flows.crashes import (
    AUTOMATION,
    HEARTBEAT_SECONDS,
    crash_detection,
    ensure_crash_detection,
    heartbeat_env,
)
from prefect.automations import Automation


def test_the_automation_is_created_once_per_server(prefect_harness: None) -> None:
    with contextlib.suppress(ValueError):  # an earlier test's `newsflow deploy` made it
        Automation.read(name=AUTOMATION).delete()
    first, again = ensure_crash_detection(), ensure_crash_detection()
    assert (first, again) == (True, False)
    stored = Automation.read(name=AUTOMATION)
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
