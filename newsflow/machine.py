"""What this process may use of the machine: its cores and free memory, inside a container too.

A container (a Kubernetes worker, a compose service with limits) sees the node's cores and
memory in /proc; its own share is in its cgroup. Pools and the number of sources run at once
are sized from these, so a worker sized for 2 cores on a 64-core node starts 2 workers, not 64.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import psutil

__all__ = ["free_memory_bytes", "usable_cores"]

CGROUP = Path("/sys/fs/cgroup")


def free_memory_bytes(cgroup: Path = CGROUP) -> int:
    """Memory free for this process: the machine's, or less where a cgroup caps it."""
    free = psutil.virtual_memory().available
    for limit, usage in (
        ("memory.max", "memory.current"),  # cgroup v2
        ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes"),  # v1
    ):
        try:
            cap = int((cgroup / limit).read_text().strip())
            used = int((cgroup / usage).read_text().strip())
        except (OSError, ValueError):  # no such controller, or "max": no cap
            continue
        return max(0, min(free, cap - used))
    return free


def usable_cores(cgroup: Path = CGROUP) -> int:
    """Cores this process may run on: its CPU affinity, less where a cgroup quota caps it."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _cpu_quota(cgroup)
    return max(1, min(cores or 1, math.ceil(quota) if quota else cores or 1))


def _cpu_quota(cgroup: Path) -> float | None:
    """The cgroup's CPU quota in cores, or None when there is none."""
    try:
        quota, period = (
            (cgroup / "cpu.max").read_text().split()
        )  # v2: "max 100000" or "200000 100000"
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())  # v1: -1 for none
        period_us = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 else None
