"""The Prefect deployments, in one place: what ``newsflow serve`` runs in one process, what
``newsflow deploy`` registers onto the ``newsflow-process`` work pool, and what the committed
``prefect.yaml`` (written from here, checked by a test) gives ``prefect deploy --all``.

One ``ingest-<source>`` deployment per enabled source, on its registry cron (the edition's
own, else the agency's) in the agency's time zone; plus ``backfill``, ``revisit`` and
``reprocess`` to run by hand with typed parameters. Entrypoints are module paths, so a worker
runs them from wherever newsflow is installed, without pulling code.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, cast

import yaml
from newsflow.flows.backfill import backfill
from newsflow.flows.crashes import TAG, ensure_crash_detection, heartbeat_env
from newsflow.flows.ingest import ingest
from newsflow.flows.reprocess import reprocess
from newsflow.flows.revisit import revisit
from newsflow.flows.worker import WORKER_TYPE, WarmProcessWorker
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from newsflow.registry import Source, load_registry

WORK_POOL = "newsflow-process"
TAGS = [TAG]


def enabled_sources() -> list[Source]:
    """The registry's enabled sources (bundled and NEWSFLOW_REGISTRY_PATH)."""
    return [s for s in load_registry().values() if s.edition.enabled]


def scheduled(source: Source) -> RunnerDeployment:
    """The source's ingest on its cron; one run at a time (the lease covers other starters)."""
    deployment = ingest.to_deployment(
        name=f"ingest-{source.id}",
        description=f"Ingest {source.name} ({source.id}) on its registry schedule.",
        schedule=Cron(source.schedule, timezone=source.agency.timezone),
        parameters={"source": source.id},
        concurrency_limit=1,
        tags=[*TAGS, source.id],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return cast(RunnerDeployment, deployment)  # sync here: to_deployment dispatches on context


def on_demand() -> list[RunnerDeployment]:
    """Backfill, revisit and reprocess: no schedule, run with parameters."""
    flows = (
        (backfill, "Every article of a source over a window (since, until)."),
        (revisit, "A source's recent articles checked again for edits and removals."),
        (reprocess, "A source's stored pages extracted again, nothing fetched."),
    )
    return [
        cast(
            RunnerDeployment,
            flow.to_deployment(
                name=flow.name,
                description=description,
                tags=TAGS,
                entrypoint_type=EntrypointType.MODULE_PATH,
            ),
        )
        for flow, description in flows
    ]


def deployments(sources: Iterable[Source] | None = None) -> list[RunnerDeployment]:
    """Every deployment: the sources' schedules (default: all enabled), then the on-demand ones."""
    chosen = enabled_sources() if sources is None else list(sources)
    return [scheduled(s) for s in chosen] + on_demand()


def ensure_work_pool(name: str = WORK_POOL) -> bool:
    """Create the work pool, of the newsflow worker's type, unless it exists; True when created.

    A pool created before that type, of Prefect's "process" type, keeps working with plain
    process workers, their runs started cold; a warning says how to move it.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    template = WarmProcessWorker.get_default_base_job_template()
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(
                WorkPoolCreate(name=name, type=WORKER_TYPE, base_job_template=template)
            )
        except ObjectAlreadyExists:
            kind = client.read_work_pool(name).type
            if kind != WORKER_TYPE:
                warnings.warn(
                    _OTHER_TYPE.format(name=name, kind=kind, ours=WORKER_TYPE), stacklevel=2
                )
            return False
    return True


_OTHER_TYPE = (
    "work pool {name!r} is of type {kind!r}: its workers start each flow run as a fresh "
    "interpreter. Start them with `prefect worker start --pool {name} --type {ours}`, or "
    "delete the pool and run `newsflow deploy` again to create it of type {ours!r}."
)


def deploy(
    sources: Sequence[Source] | None = None, work_pool: str = WORK_POOL
) -> list[RunnerDeployment]:
    """Register the deployments onto ``work_pool`` (created if missing); returns them."""
    ensure_work_pool(work_pool)
    ensure_crash_detection()  # a run whose worker died is crashed, its slot given back
    chosen = deployments(sources)
    for deployment in chosen:
        deployment.job_variables = {"env": heartbeat_env()}  # a worker's runs only: not serve
        deployment.apply(work_pool_name=work_pool)
    return chosen


def prefect_yaml(work_pool: str = WORK_POOL) -> str:
    """``prefect.yaml`` for ``prefect deploy --all``: the same deployments, bundled registry."""
    config: dict[str, Any] = {
        "name": "newsflow",
        "prefect-version": "3",
        "build": None,
        "push": None,
        "pull": [],  # flows load by module path from the installed package: nothing to pull
        "deployments": [_yaml_entry(d, work_pool) for d in deployments()],
    }
    header = (
        "# Written by `newsflow deploy --write-prefect-yaml` from flows/deployments.py and the\n"
        "# bundled registry (a test keeps it current). Deploy with:\n"
        f"#   prefect work-pool create {work_pool} --type {WORKER_TYPE}\n"
        "#   prefect deploy --all\n"
    )
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def _yaml_entry(deployment: RunnerDeployment, work_pool: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": deployment.name,
        "entrypoint": _module_entrypoint(str(deployment.entrypoint)),
        "description": deployment.description,
        "tags": list(deployment.tags),
        "parameters": dict(deployment.parameters),
    }
    cron = cron_of(deployment)
    if cron:
        entry["schedules"] = [{"cron": cron[0], "timezone": cron[1]}]
    if deployment.concurrency_limit:
        entry["concurrency_limit"] = deployment.concurrency_limit
    entry["work_pool"] = {"name": work_pool, "job_variables": {"env": heartbeat_env()}}
    return entry


def cron_of(deployment: RunnerDeployment) -> tuple[str, str | None] | None:
    """The deployment's cron and time zone, or None when it runs on demand."""
    for created in deployment.schedules or []:
        if isinstance(created.schedule, CronSchedule):
            return created.schedule.cron, created.schedule.timezone
    return None


def _module_entrypoint(entrypoint: str) -> str:
    """``flows.ingest.ingest`` as ``flows.ingest:ingest``, the form ``prefect deploy`` reads."""
    module, _, name = entrypoint.rpartition(".")
    return f"{module}:{name}"
