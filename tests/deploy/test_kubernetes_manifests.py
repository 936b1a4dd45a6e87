"""deploy/kubernetes, checked without a cluster: the manifests load, are the kinds meant, name
only settings newsflow (or Prefect) reads, run the Dockerfile's image and entry points, and
size the flow-run pods from the settings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from newsflow.cli import main
from newsflow.settings import Settings

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "deploy" / "kubernetes"
NAMESPACE = "newsflow"
POOL = "newsflow-k8s"
IMAGE = "newsflow:latest"  # compose.yaml's name for the Dockerfile's image
WORKER_IMAGE = "newsflow-k8s-worker:latest"  # worker.Dockerfile
# A flow-run pod's fixed part (README, Performance and Enrichment): the flow process with
# Prefect imported, and each enrichment worker holding the gazetteers and name models.
FLOW_PROCESS_MB = 270
ENRICH_WORKER_MB = 380
# What the worker puts in a flow-run job without a command of its own.
FLOW_RUN_COMMAND = ["prefect", "flow-run", "execute"]


def _documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(HERE.glob("*.yaml")):
        found += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return found


def _one(kind: str, name: str) -> dict[str, Any]:
    (found,) = [d for d in _documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def _template() -> dict[str, Any]:
    return json.loads((HERE / "base-job-template.json").read_text(encoding="utf-8"))


def _pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every pod these files start: the Deployment's, the Jobs', and the flow runs' jobs."""
    for doc in _documents():
        if doc["kind"] in ("Deployment", "Job"):
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]
    yield "flow run", _template()["job_configuration"]["job_manifest"]["spec"]["template"]["spec"]


def _containers() -> Iterator[tuple[str, dict[str, Any]]]:
    for pod, spec in _pod_specs():
        for container in spec.get("initContainers", []) + spec["containers"]:
            yield f"{pod}/{container['name']}", container


def _environment(container: dict[str, Any]) -> set[str]:
    """The names a container's environment holds: its own, and its ConfigMaps' and Secrets'."""
    env = container.get("env", [])
    # The flow run's is "{{ env }}": filled by the worker (Prefect's own, the job variables').
    names = {entry["name"] for entry in env} if isinstance(env, list) else set()
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names |= set(_one("ConfigMap", source["configMapRef"]["name"])["data"])
        else:
            names |= set(_one("Secret", source["secretRef"]["name"])["stringData"])
    return names


def test_every_manifest_loads_as_the_kinds_meant_in_one_namespace() -> None:
    documents = _documents()
    kinds = {d["kind"] for d in documents}
    assert kinds == {
        *("Namespace", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding"),
        *("Deployment", "Job", "Kustomization"),
    }
    for doc in documents:
        if doc["kind"] not in ("Namespace", "Kustomization"):
            assert doc["metadata"]["namespace"] == NAMESPACE, doc["metadata"]["name"]
    defaults = _template()["variables"]["properties"]
    assert defaults["namespace"]["default"] == NAMESPACE  # where the flow runs' jobs go


def test_the_kustomization_applies_every_manifest_and_names_their_images() -> None:
    kustomization = _one_kustomization()
    others = {p.name for p in HERE.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == others
    (generated,) = kustomization["configMapGenerator"]
    assert generated["files"] == ["base-job-template.json"]
    assert kustomization["generatorOptions"]["disableNameSuffixHash"]  # mounted by this name
    images = {i["name"]: f"{i['newName']}:{i['newTag']}" for i in kustomization["images"]}
    assert images == {"newsflow": IMAGE, "newsflow-k8s-worker": WORKER_IMAGE}
    # kustomize does not look inside the template: its image is kept the same by hand
    assert _template()["variables"]["properties"]["image"]["default"] == images["newsflow"]


def _one_kustomization() -> dict[str, Any]:
    (found,) = [d for d in _documents() if d["kind"] == "Kustomization"]
    return found


def test_every_env_name_is_a_setting_newsflow_or_prefect_reads(
    monkeypatch: pytest.MonkeyPatch, newsflow_settings: set[str]
) -> None:
    names = set().union(*(_environment(c) for _, c in _containers()))
    assert {"NEWSFLOW_DATABASE_URL", "PREFECT_API_URL"} <= names
    for name in names:
        if name.startswith("NEWSFLOW_"):
            assert name in newsflow_settings, f"{name} is no field of newsflow/settings.py"
        elif name.startswith("PREFECT_INTEGRATIONS_KUBERNETES_"):
            pass  # prefect-kubernetes' own settings, in the worker's image
        else:
            import prefect.settings

            getattr(prefect.settings, name)  # AttributeError: "… is not a Prefect setting"
    values = _one("ConfigMap", "newsflow-settings")["data"]
    values |= _one("Secret", "newsflow-database")["stringData"]
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings()  # the values parse, and are taken
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.runs.parallel_sources >= 1  # 0 would size by the node's memory
    assert settings.enrich.workers >= 1  # 0 would start one per core of the node


def test_every_container_has_what_its_command_reads() -> None:
    api, database = "PREFECT_API_URL", "NEWSFLOW_DATABASE_URL"
    needs = {
        ("prefect", "worker"): {api},
        ("prefect", "work-pool"): {api},
        ("newsflow", "db"): {database},
        ("newsflow", "deploy"): {api},
        ("prefect", "flow-run"): {api, database},
    }
    for name, container in _containers():
        command = tuple(container.get("command", FLOW_RUN_COMMAND))
        assert needs[command[:2]] <= _environment(container), name


def test_images_and_commands_are_the_dockerfiles() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "RUN pip install ." in dockerfile  # the `newsflow` script, and prefect with it
    user = re.search(r"--uid (\d+)", dockerfile)
    assert user
    assert "PREFECT_HOME=/data/prefect" in dockerfile
    worker_dockerfile = (HERE / "worker.Dockerfile").read_text(encoding="utf-8")
    assert f"ARG NEWSFLOW_IMAGE={IMAGE}\nFROM ${{NEWSFLOW_IMAGE}}" in worker_dockerfile
    for name, container in _containers():
        command = container.get("command", FLOW_RUN_COMMAND)
        if command is FLOW_RUN_COMMAND:
            assert name == "flow run/prefect-job"  # no other container goes without
        assert command[0] in ("newsflow", "prefect"), name
        if command[0] == "newsflow":
            _parses_as_newsflow(command[1:])
            assert container["image"] == IMAGE, name
        if command[:2] in (["prefect", "worker"], ["prefect", "work-pool"]):
            assert container["image"] == WORKER_IMAGE, name  # knows the kubernetes type
            assert command[command.index("--type") + 1] == "kubernetes", name
        if "--pool" in command or "work-pool" in command:
            assert POOL in command, name
    assert f'"--pool", "{POOL}", "--type", "kubernetes"' in worker_dockerfile
    assert _template()["variables"]["properties"]["image"]["default"] == IMAGE
    for name, spec in _pod_specs():
        assert spec["securityContext"]["runAsUser"] == int(user[1]), name


def _parses_as_newsflow(arguments: list[str]) -> None:
    """The arguments name a newsflow command and give it options it has."""
    command: click.Command = main
    while isinstance(command, click.Group):
        name, *arguments = arguments
        command = command.commands[name]
    command.make_context(command.name, arguments)  # click.UsageError if not


def test_flow_run_pods_are_sized_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in _one("ConfigMap", "newsflow-settings")["data"].items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    runs = settings.runs
    defaults = _template()["variables"]["properties"]
    request = _mebibytes(defaults["memory_request"]["default"])
    limit = _mebibytes(defaults["memory_limit"]["default"])
    needed = FLOW_PROCESS_MB + settings.enrich.workers * ENRICH_WORKER_MB
    needed += runs.parallel_sources * runs.source_memory_mb
    assert request >= needed, f"memory_request: {needed} MiB at least"
    spikes = settings.extract.page_memory_mb + settings.enrich.article_memory_mb
    assert limit >= request + spikes, f"memory_limit: {request + spikes} MiB at least"
    assert "cpu_limit" not in defaults  # a throttled worker trips the time budgets


def _mebibytes(quantity: str) -> int:
    found = re.fullmatch(r"(\d+)(Mi|Gi)", quantity)
    assert found, f"{quantity}: write it in Mi or Gi"
    return int(found[1]) * (1024 if found[2] == "Gi" else 1)


def test_the_base_job_template_is_one_prefect_accepts_for_the_pool() -> None:
    from prefect.server.schemas.actions import WorkPoolCreate

    template = _template()
    WorkPoolCreate(name=POOL, type="kubernetes", base_job_template=template)  # raises if not
    container = template["job_configuration"]["job_manifest"]["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert container["env"] == "{{ env }}"  # Prefect's own variables still reach the run
    assert container["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_folder() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(HERE)], capture_output=True, text=True, check=True
    ).stdout
    documents = list(yaml.safe_load_all(rendered))
    pool = next(d for d in documents if d["metadata"]["name"] == "newsflow-work-pool")
    assert json.loads(pool["data"]["base-job-template.json"]) == _template()
    written = {(d["kind"], d.get("metadata", {}).get("name")) for d in _documents()}
    written ^= {("Kustomization", None), ("ConfigMap", "newsflow-work-pool")}
    assert {(d["kind"], d["metadata"]["name"]) for d in documents} == written
