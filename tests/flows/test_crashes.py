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
    assert trigger.after == {"prefect.flow-run.heartbeat"}
    assert "prefect.flow-run.Completed" in trigger.expect
    assert trigger.within == timedelta(seconds=3 * HEARTBEAT_SECONDS)
    assert trigger.match_related.root == {  # type: ignore[union-attr]
        "prefect.resource.role": "tag",
        "prefect.resource.id": "prefect.tag.newsflow",
    }
    assert heartbeat_env() == {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}
