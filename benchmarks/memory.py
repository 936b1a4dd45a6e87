"""Peak memory of a process tree (psutil, sampled) and the CPU time its processes used."""

from __future__ import annotations

import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from typing import Any

import psutil

PSS_EVERY_S = 2.0  # how often the tree's proportional set size is read


def role(process: psutil.Process) -> str:
    """What a process of the tree is: the crawl child, the flow process's workers, Prefect's
    server, or the flow process."""
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return "gone"
    if "newsflow.crawlers.run" in command:
        return "crawl child"
    if "multiprocessing" in command:  # re-processing's extraction pool, serve's forkserver
        return "flow workers"
    if "prefect" in command or "uvicorn" in command:
        return "prefect server"
    return "flow process"


def _pss_mb(process: psutil.Process) -> float:
    memory = process.memory_full_info()
    return float(getattr(memory, "pss", memory.rss)) / 2**20


class TreeSampler:
    """Samples the memory of a process and all its descendants every ``every`` seconds: their
    summed proportional set size (PSS, each shared page counted once), each one's RSS.

    ``also``: processes outside the tree that work for it (the bench's Prefect server); their
    CPU counts from when sampling starts.
    """

    def __init__(self, pid: int, every: float = 0.2, also: Sequence[int] = ()) -> None:
        self.root = psutil.Process(pid)
        self.also = [psutil.Process(p) for p in also]
        self.baseline = {p.pid: sum(p.cpu_times()[:2]) for p in self.also}
        self.every = every
        self.peak_mb = 0.0
        self.peak_by_role: dict[str, float] = {}
        self.cpu: dict[int, tuple[str, float]] = {}  # pid: role, CPU seconds last seen
        self.roles: dict[int, str] = {}
        self._pss: dict[int, float] = {}  # pid: PSS last read (MB)
        self._pss_at = float("-inf")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        """One reading of every process in the tree."""
        try:
            processes = [self.root, *self.root.children(recursive=True), *self.also]
        except psutil.Error:
            return
        # PSS walks each process's page tables: read every PSS_EVERY_S, not on every sample,
        # so that sampling sixty processes does not take a core from what it measures.
        now = time.monotonic()
        fresh = now - self._pss_at >= PSS_EVERY_S
        if fresh:
            self._pss_at = now
        total = 0.0
        for process in processes:
            try:
                rss = process.memory_info().rss / 2**20
                if fresh:
                    self._pss[process.pid] = _pss_mb(process)
                times = process.cpu_times()
            except psutil.Error:
                continue
            # The tree's total counts each shared page once, split among its sharers (PSS):
            # children forked from the warm forkserver share what it built (newsflow/warm.py).
            total += self._pss.get(process.pid, rss)
            # A process's role as first seen: once it has exited its command line is gone.
            name = self.roles.setdefault(process.pid, role(process))
            self.peak_by_role[name] = max(self.peak_by_role.get(name, 0.0), rss)
            spent = times.user + times.system - self.baseline.get(process.pid, 0.0)
            self.cpu[process.pid] = (name, spent)
        self.peak_mb = max(self.peak_mb, total)

    def report(self) -> dict[str, Any]:
        """Peak of the summed PSS and each kind of process's own peak RSS (MB); CPU by kind (s).

        CPU is as last sampled, so a process loses at most one interval's worth.
        """
        cpu: dict[str, float] = {}
        for name, seconds in self.cpu.values():
            cpu[name] = cpu.get(name, 0.0) + seconds
        return {
            "peak_rss_mb": round(self.peak_mb),
            "peak_rss_by_process_mb": {k: round(v) for k, v in sorted(self.peak_by_role.items())},
            "cpu_s_by_process": {k: round(v, 1) for k, v in sorted(cpu.items())},
        }


def run_measured(
    command: Sequence[str], env: dict[str, str], also: Sequence[int] = ()
) -> dict[str, Any]:
    """Run ``command`` to its end; its wall time, CPU time (whole tree and ``also``) and peak
    memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(list(command), env=env)
    with TreeSampler(child.pid, also=also) as sampler:
        code = child.wait()
        sampler.sample()  # the outside processes' CPU up to the end
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise RuntimeError(f"{' '.join(command[:4])} … exited with {code}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu += sum(sampler.cpu[p.pid][1] for p in sampler.also if p.pid in sampler.cpu)
    return {"process_wall_s": wall, "tree_cpu_s": cpu, **sampler.report()}
