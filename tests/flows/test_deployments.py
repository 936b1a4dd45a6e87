"""Deployments the Prefect way: registered by `newsflow deploy`, run by a process worker.

The worker test is the slow one (a worker, a flow-run process and a crawl child start); it
has a budget of 180 s and usually takes 30-60 s on two busy cores.
"""

from __future__ import annotations

import pickle
import time
from datetime import date
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
import yaml
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows import runs
from newsflow.flows.backfill import backfill
from newsflow.flows.deployments import deployments, prefect_yaml
from newsflow.flows.ingest import ingest
from sqlalchemy import select

from newsflow.registry import get_source
from newsflow.runs import RunKind, RunParameterError
from newsflow.settings import RunSettings

REPO = Path(__file__).resolve().parents[2]
WINDOW = ("2016-10-18", "2016-10-19")


def test_the_committed_prefect_yaml_is_current() -> None:
    assert (REPO / "prefect.yaml").read_text(encoding="utf-8") == prefect_yaml(), (
        "run `newsflow deploy --write-prefect-yaml prefect.yaml`"
    )


def test_one_scheduled_deployment_per_enabled_source_and_three_on_demand() -> None:
    found = {d.name: d for d in deployments()}
    sana = found["ingest-sana-en"]
    assert (sana.parameters, sana.concurrency_limit) == ({"source": "sana-en"}, 1)
    schedule = sana.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("*/30 * * * *", "Asia/Damascus")
    assert sana.entrypoint == "newsflow.flows.ingest.ingest"  # a module path: no code to pull
    assert {"backfill", "revisit", "reprocess"} <= set(found)
    assert not any(found[name].schedules for name in ("backfill", "revisit", "reprocess"))


def test_parameters_are_typed_for_the_api_to_check() -> None:
    schema = {d.name: d._parameter_openapi_schema for d in deployments([get_source("sana-en")])}
    window = schema["backfill"]
    assert set(window.required) == {"source", "since", "until"}
    assert window.properties["since"]["format"] == "date"
    kind = schema["ingest-sana-en"].definitions["RunKind"]
    assert kind["enum"] == [k.value for k in RunKind]


def test_the_compose_file_runs_server_database_and_one_worker() -> None:
    """One worker by default, and as many as `docker compose up --scale worker=N` asks for:
    nothing that two replicas could not both have, the same settings for each."""
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"prefect-server", "postgres", "worker"} <= set(services)
    worker = services["worker"]
    assert "--pool" in worker["command"] and "newsflow-process" in worker["command"]
    assert worker["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert worker["environment"]["NEWSFLOW_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert not {"container_name", "hostname", "ports"} & set(worker)  # each replica its own
    run_settings = {f"NEWSFLOW_RUNS__{name.upper()}" for name in RunSettings.model_fields}
    asked = {name for name in worker["environment"] if name.startswith("NEWSFLOW_RUNS__")}
    assert "NEWSFLOW_RUNS__PARALLEL_SOURCES" in asked and asked <= run_settings
    published = [port for s in services.values() for port in s.get("ports", [])]
    assert published and all(port.startswith("127.0.0.1:") for port in published)
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install" in dockerfile and "newsflow" in dockerfile


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: backfill("sana-en", date(2016, 10, 31), date(2016, 10, 1)), "is after until"),
        (lambda: backfill("reuters-en", date(2016, 10, 1), date(2016, 10, 2)), "known sources"),
        (lambda: ingest("sana-en", kind="backfill"), "needs both since and until"),
    ],
)
def test_a_bad_parameter_fails_at_once_and_is_never_retried(call: Any, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(RunParameterError, match=message):
        call()
    assert time.monotonic() - started < 20  # a retry would wait 5 s, then 30 s more


def test_an_unknown_kind_is_refused_before_the_flow_runs() -> None:
    from prefect.exceptions import ParameterTypeError

    with pytest.raises(ParameterTypeError, match=r"kind: Input should be 'scheduled', 'manual'"):
        ingest("sana-en", kind="nightly")


def test_kinds_are_stored_truthfully(monkeypatch: pytest.MonkeyPatch) -> None:
    assert runs.this_run_kind(None) is RunKind.MANUAL
    monkeypatch.setattr(runs, "from_schedule", lambda: True)
    assert runs.this_run_kind(None) is RunKind.SCHEDULED  # a schedule created the flow run
    assert runs.this_run_kind("backfill") is RunKind.BACKFILL


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_a_backfill_deployment_completes_on_a_process_worker(
    database_url: str, replay, deployed
) -> None:
    env = {"NEWSFLOW_DATABASE_URL": database_url, "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0"}
    parameters = {"source": "sana-en", "since": WINDOW[0], "until": WINDOW[1]}
    flow_run_id = deployed.run(
        "backfill/backfill", {**parameters, "base_url": replay.base_url}, env
    )
    flow_run = deployed.wait(flow_run_id)
    assert flow_run.state.is_completed(), deployed.log_tail()
    with session_scope(database_url) as session:
        run = session.execute(select(models.CrawlRun)).scalar_one()
        articles = session.execute(select(models.Article.url)).scalars().all()
        lease = session.get(models.SourceLease, "sana-en")
    assert (run.kind, run.status, run.flow_run_id) == ("backfill", "completed", str(flow_run_id))
    assert (str(run.window_start), str(run.window_end)) == WINDOW
    assert run.counts["articles_new"] == len(articles) >= 4
    assert lease is None  # the source is free again
    assert _artifact("run-sana-en", flow_run_id).startswith(f"### sana-en: run {run.id} completed")


def _artifact(key: str, flow_run_id: Any) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )
    mine = [a for a in found if a.flow_run_id == flow_run_id]
    assert mine, f"no artifact {key} for flow run {flow_run_id}"
    return str(mine[0].data)


@pytest.mark.parametrize(
    ("flow_name", "parameters"),
    [
        ("ingest", {"source": "sana-en", "kind": "scheduled"}),
        ("backfill", {"source": "sana-en", "since": "2024-10-01", "until": "2024-10-02"}),
        ("revisit", {"source": "sana-en"}),
        ("reprocess", {"source": "sana-en"}),
        ("reenrich", {"source": "sana-en"}),
    ],
)
def test_a_flow_shipped_by_value_still_validates_its_parameters(
    flow_name: str, parameters: dict[str, Any]
) -> None:
    """The runner of `newsflow serve` pickles a flow by value into the run's process (only the
    globals its code uses go along); its parameters are then checked against the signature."""
    import importlib

    flow = getattr(importlib.import_module(f"newsflow.flows.{flow_name}"), flow_name)
    shipped = pickle.loads(cloudpickle.dumps(flow))
    assert shipped.fn is not flow.fn  # by value, as the runner ships it
    assert shipped.validate_parameters(parameters)["source"] == "sana-en"
