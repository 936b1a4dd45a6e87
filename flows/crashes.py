"""A flow run whose worker died is marked crashed by Prefect itself, from missed heartbeats.

A killed worker (or its machine) cannot report its runs' end: Prefect keeps them ``Running``,
and a scheduled ingest keeps its deployment's one concurrency slot until that slot's lease
lapses (five minutes), so the source's next runs wait behind a run that will never end. The
cure is Prefect's own: flow runs send heartbeat events, and an automation marks a run crashed
when its heartbeats stop. A crashed run gives back its slot, and shows in the UI for what it is.

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

__all__ = ["AUTOMATION", "HEARTBEAT_SECONDS", "TAG", "ensure_crash_detection", "heartbeat_env"]

TAG = "newsflow"
AUTOMATION = "newsflow: crash flow runs whose heartbeat stopped"
HEARTBEAT_SECONDS = 30  # Prefect's shortest; its default (180 s) would leave a slot 9 min
_FINAL = ("Completed", "Failed", "Cancelled", "Crashed")


def heartbeat_env() -> dict[str, str]:
    """The job variables' ``env`` a deployment's flow runs need to beat at the watched pace."""
    return {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}


def crash_detection() -> Automation:
    """After a newsflow run's heartbeat, expect another (or its end) within the setting's
    ``runs.crashed_after_seconds`` (three beats by default)."""
    silent = get_settings().runs.crashed_after_seconds
    return Automation(
        name=AUTOMATION,
        description="A newsflow flow run that stopped sending heartbeats lost its worker.",
        trigger=EventTrigger(
            match=ResourceSpecification({"prefect.resource.id": "prefect.flow-run.*"}),
            match_related=ResourceSpecification(
                {"prefect.resource.role": "tag", "prefect.resource.id": f"prefect.tag.{TAG}"}
            ),
            # Running arms it too: a run killed after it started but before its first
            # heartbeat reached the server (a worker warm-started it, then died within the
            # second) would otherwise stay Running for good, its slot held until the lease lapses.
            after={"prefect.flow-run.heartbeat", "prefect.flow-run.Running"},
            expect={"prefect.flow-run.heartbeat", *(f"prefect.flow-run.{s}" for s in _FINAL)},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=silent),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"No heartbeat for {silent} s: its worker is gone.",
            )
        ],
    )


def ensure_crash_detection() -> bool:
    """Create the automation on the Prefect server unless it is there as this one would be; True
    when created (an older one, with another trigger, is replaced)."""
    wanted = crash_detection()
    try:
        stored = cast(Automation, Automation.read(name=AUTOMATION))  # sync here, as below
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
