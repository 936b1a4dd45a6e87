"""A flow run whose worker died is marked crashed by Prefect itself: its heartbeat or start missed.

A killed worker (or its machine) cannot report its runs' end: Prefect keeps them ``Running``,
and a scheduled ingest keeps its deployment's one concurrency slot until that slot's lease
lapses (five minutes), so the source's next runs wait behind a run that will never end. The
cure is Prefect's own: flow runs send heartbeat events, and an automation marks a run crashed
when its heartbeats stop. A crashed run gives back its slot, and shows in the UI for what it is.

A run its worker took but had not started yet when it died (``Pending``: the worker had
claimed its slot, the run's process had not reported ``Running``) sends no heartbeat. Prefect
gives its slot back only when the slot's lease lapses (300 s) and the server's repossessor
service revokes it, which an ephemeral server (``prefect_test_harness``) never runs. A second
automation crashes such a run when it has not started within ``runs.start_grace_seconds``.

Only newsflow's runs (tag ``newsflow``) beat at this pace, so only they are watched.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from prefect.automations import Automation
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.events.schemas.events import ResourceSpecification

from newsflow.settings import get_settings

__all__ = [
    "AUTOMATION",
    "HEARTBEAT_SECONDS",
    "START_AUTOMATION",
    "TAG",
    "ensure_crash_detection",
    "heartbeat_env",
]

TAG = "newsflow"
AUTOMATION = "newsflow: crash flow runs whose heartbeat stopped"
START_AUTOMATION = "newsflow: crash flow runs whose worker died before they started"
HEARTBEAT_SECONDS = 30  # Prefect's shortest; its default (180 s) would leave a slot 9 min
_FINAL = ("Completed", "Failed", "Cancelled", "Crashed")
# Where a run leaves Pending while its worker lives: started, put back to wait, cancelled, ended.
_LEFT_PENDING = (
    "Running",
    "Retrying",
    "Scheduled",
    "AwaitingRetry",
    "AwaitingConcurrencySlot",
    "Late",
    "Cancelling",
    *_FINAL,
)


def heartbeat_env() -> dict[str, str]:
    """The job variables' ``env`` a deployment's flow runs need to beat at the watched pace."""
    return {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}


def crash_detection() -> Automation:
    """After a newsflow run's heartbeat, expect another (or its end) within the setting's
    ``runs.crashed_after_seconds`` (three beats by default)."""
    silent = get_settings().runs.crashed_after_seconds
    return _crashing(
        AUTOMATION,
        "A newsflow flow run that stopped sending heartbeats lost its worker.",
        # Running arms it too: a run killed after it started but before its first
        # heartbeat reached the server (a worker warm-started it, then died within the
        # second) would otherwise stay Running for good, its slot held until the lease lapses.
        after={"prefect.flow-run.heartbeat", "prefect.flow-run.Running"},
        expect={"prefect.flow-run.heartbeat", *(f"prefect.flow-run.{s}" for s in _FINAL)},
        within=silent,
        message=f"No heartbeat for {silent} s: its worker is gone.",
    )


def start_detection() -> Automation:
    """After a worker took a newsflow run (Pending), expect it to start, wait again or end
    within the setting's ``runs.start_grace_seconds``.

    A run reports Running seconds after its worker took it (warm, in the many-workers test: 1 to
    7 s), a cold one after ~11 CPU s of start. The grace stays below Prefect's own (300 s): a
    run crashed after Prefect's repossessor revoked its lease would give its slot back a second
    time, freeing the slot of the run that took it next.
    """
    grace = get_settings().runs.start_grace_seconds
    return _crashing(
        START_AUTOMATION,
        "A newsflow flow run that never started lost its worker while it was starting it.",
        after={"prefect.flow-run.Pending"},
        expect={f"prefect.flow-run.{s}" for s in _LEFT_PENDING},
        within=grace,
        message=f"Not started {grace} s after it was taken: its worker is gone.",
    )


def _crashing(
    name: str, description: str, after: set[str], expect: set[str], within: int, message: str
) -> Automation:
    """An automation crashing a newsflow run that got an ``after`` event and then no
    ``expect`` event for ``within`` seconds."""
    return Automation(
        name=name,
        description=description,
        trigger=EventTrigger(
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "tag", "prefect.resource.id": f"prefect.tag.{TAG}"}
            ),
            after=after,
            expect=expect,
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=within),
        ),
        actions=[ChangeFlowRunState(state=StateType.CRASHED, message=message)],
    )


def ensure_crash_detection() -> bool:
    """Create both automations on the Prefect server unless they are there as these would be;
    True when one was created (an older one, with another trigger, is replaced)."""
    created = [_ensure(wanted) for wanted in (crash_detection(), start_detection())]
    return any(created)


def _ensure(wanted: Automation) -> bool:
    """Create ``wanted`` unless an automation of its name has its trigger; True when created."""
    try:
        stored = cast(Automation, Automation.read(name=wanted.name))  # sync here, as below
    except ValueError:  # Prefect's "not found"
        stored = None
    if stored is not None and _trigger(stored) == _trigger(wanted):
        return False
    if stored is not None:
        stored.delete()
    cast(Automation, wanted.create())  # sync here: sync_compatible
    return True


def _trigger(automation: Automation) -> dict[str, Any]:
    """What the automation watches for, less the trigger's own id."""
    return automation.trigger.model_dump(exclude={"id"})
