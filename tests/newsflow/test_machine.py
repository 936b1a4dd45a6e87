"""Cores and free memory as a container's cgroup caps them, or the machine's without one."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

from newsflow.machine import free_memory_bytes, usable_cores

GIB = 1024**3


def _cgroup(root: Path, files: dict[str, str]) -> Path:
    for name, value in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(value + "\n")
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"memory.max": str(2 * GIB), "memory.current": str(GIB // 2)}, GIB + GIB // 2),  # v2
        ({"memory/memory.limit_in_bytes": str(GIB), "memory/memory.usage_in_bytes": "0"}, GIB),
        ({"memory.max": str(GIB), "memory.current": str(2 * GIB)}, 0),  # over its cap
    ],
)
def test_a_container_counts_its_own_memory_cap(
    tmp_path: Path, files: dict[str, str], expected: int
) -> None:
    assert free_memory_bytes(_cgroup(tmp_path, files)) == expected


def test_no_memory_cap_leaves_the_machine_s_free_memory(tmp_path: Path) -> None:
    cgroup = _cgroup(tmp_path, {"memory.max": "max", "memory.current": "1"})
    available = psutil.virtual_memory().available
    assert free_memory_bytes(cgroup) == pytest.approx(available, rel=0.2)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "150000 100000"}, 2),  # 1.5 cores: two processes, one often waiting
        ({"cpu.max": "100000 100000"}, 1),
        ({"cpu/cpu.cfs_quota_us": "50000", "cpu/cpu.cfs_period_us": "100000"}, 1),
    ],
)
def test_a_cpu_quota_caps_the_cores(tmp_path: Path, files: dict[str, str], expected: int) -> None:
    assert usable_cores(_cgroup(tmp_path, files)) == min(expected, len(os.sched_getaffinity(0)))


@pytest.mark.parametrize("files", [{"cpu.max": "max 100000"}, {"cpu/cpu.cfs_quota_us": "-1"}, {}])
def test_no_quota_leaves_the_affinity(tmp_path: Path, files: dict[str, str]) -> None:
    assert usable_cores(_cgroup(tmp_path, files)) == len(os.sched_getaffinity(0))
