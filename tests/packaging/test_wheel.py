"""Installable anywhere: the wheel, installed into a fresh virtualenv, works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from newsflow.replay import ReplayServer, load_routes
from newsflow.settings import REPO_ROOT

TOP_LEVEL = {"crawlers": "newsflow.crawlers", "flows": "newsflow.flows", "db": "newsflow.db"}


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed, folders = set(config["packages"]), config["package-dir"]
    found = set()
    for name, folder in folders.items():
        for init in (REPO_ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(REPO_ROOT / folder).parts
            found.add(".".join((name, *relative)))
    assert found - listed == set(), "add these packages to pyproject's [tool.setuptools] packages"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel; dependencies come from this venv, not the index."""
    root = tmp_path_factory.mktemp("wheel")
    build = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(root)]
    built = subprocess.run([*build, str(REPO_ROOT)], cwd=root, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    (root / "build.log").write_text(built.stdout + built.stderr)
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    site = next((env_dir / "lib").glob("python*/site-packages"))
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_newsflow_deps.pth").write_text("\n".join(deps) + "\n")
    wheel = next(root.glob("newsflow-*.whl"))
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps"]
    subprocess.run([*pip, str(wheel)], check=True, cwd=root)
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    clean.update(HOME=str(cwd), XDG_DATA_HOME=str(cwd / "data"), PREFECT_HOME=str(cwd / "prefect"))
    clean.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", **env)
    clean["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # a loaded CI machine
    return subprocess.run(
        [str(env_dir / "bin" / args[0]), *args[1:]],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_wheel_builds_without_setuptools_warnings(installed: Path) -> None:
    # pip's own "WARNING:" lines (an unreachable index, say) are the machine's, not ours.
    log = (installed.parent / "build.log").read_text()
    warned = [line for line in log.splitlines() if "Warning" in line or "would be ignored" in line]
    assert warned == [], log


def test_the_wheel_installs_no_generic_top_level_package(installed: Path) -> None:
    site = next((installed / "lib").glob("python*/site-packages"))
    assert not {name for name in TOP_LEVEL if (site / name).exists()}
    assert all((site / "newsflow" / name.split(".")[1]).is_dir() for name in TOP_LEVEL.values())
    assert list((site / "newsflow" / "migrations" / "versions").glob("*.py"))


def test_installed_commands_work_from_any_directory(installed: Path, tmp_path: Path) -> None:
    upgraded = _run(installed, tmp_path, "newsflow", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "data" / "newsflow" / "newsflow.sqlite3").is_file()  # the user's data dir
    listed = _run(installed, tmp_path, "newsflow", "sources", "list")
    assert listed.returncode == 0 and "sana-en" in listed.stdout
    count = "import newsflow.replay as r; print(len(r.load_routes()))"
    routes = _run(installed, tmp_path, "python", "-c", count)
    # The recorded sites ship for the demo and `newsflow replay`.
    assert int(routes.stdout) == len(load_routes()) > 0


def test_an_installed_ingest_runs_against_the_replay(
    installed: Path, tmp_path: Path, replay: ReplayServer
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    upgraded = _run(installed, tmp_path, "newsflow", "db", "upgrade", NEWSFLOW_DATABASE_URL=url)
    assert upgraded.returncode == 0, upgraded.stderr
    ingest = _run(
        installed,
        tmp_path,
        "newsflow",
        "ingest",
        "sana-en",
        "--base-url",
        replay.base_url,
        NEWSFLOW_DATABASE_URL=url,
        NEWSFLOW_CRAWL__DELAY_OVERRIDE="0",
    )
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    out = tmp_path / "out.jsonl"
    export = _run(
        installed,
        tmp_path,
        "newsflow",
        "export",
        "--source",
        "sana-en",
        "-o",
        str(out),
        NEWSFLOW_DATABASE_URL=url,
    )
    assert export.returncode == 0, export.stderr
    assert "Kremlin waiting for US and European response" in out.read_text()
