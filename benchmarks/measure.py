"""Wall time and peak memory of a command's whole process tree, and the machine it ran on.

The tree is polled every 50 ms:
- RSS summed over the tree, as ``ps`` shows it (pages shared between processes,
  such as the torch libraries every Python process maps, count once per process);
- PSS summed over the tree (each shared page split between the processes that
  map it): the tree's actual footprint, what a memory cgroup charges for it.
"""

import os
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import torch

from autograder.paths import ROOT

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Run:
    wall_seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    returncode: int
    at_peak: dict  # PSS (MB) by kind of process when the PSS sum peaked
    cpu_seconds: float = 0.0  # user + system of every process seen in the tree (its last reading)


KINDS = (
    ("zygote", "zygote and workers"),
    ("ipykernel", "kernel"),
    ("otter", "Otter"),
    ("grader.gradescope", "entry point"),
    ("autograder", "CLI"),
)


def kind(process: psutil.Process) -> str:
    """What a process of the grading tree is; the zygote and its workers are forks of the kernel, or a spawned zygote."""
    command = " ".join(process.cmdline())
    try:
        parent = " ".join(process.parent().cmdline()) if process.parent() else ""
    except psutil.Error:
        parent = ""
    if "ipykernel" in command and ("ipykernel" in parent or "zygote" in parent):
        return "zygote and workers"
    return next((name for marker, name in KINDS if marker in command), "other")


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def measure(command: list[str], cwd: Path = ROOT) -> Run:
    start = time.monotonic()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root, peak_rss, peak_pss, at_peak, cpu = psutil.Process(child.pid), 0, 0, {}, {}
    while child.poll() is None:
        rss, by_kind = 0, {}
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            tree = []
        for process in tree:
            try:
                rss += process.memory_info().rss
                name = kind(process)
                times = process.cpu_times()
                cpu[process.pid] = times.user + times.system
            except psutil.Error:
                continue
            by_kind[name] = by_kind.get(name, 0) + pss_kb(process.pid) * 1024
        pss = sum(by_kind.values())
        peak_rss = max(peak_rss, rss)
        if pss > peak_pss:
            peak_pss, at_peak = pss, {k: round(v / 2**20) for k, v in by_kind.items()}
        time.sleep(POLL_SECONDS)
    return Run(time.monotonic() - start, peak_rss / 2**20, peak_pss / 2**20, child.returncode, at_peak, sum(cpu.values()))


def machine() -> str:
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    return (
        f"{platform.processor() or platform.machine()}, `nproc` = {os.cpu_count()}, {memory} RAM (`free -h`), "
        f"Python {platform.python_version()}, torch {torch.__version__}, running as {'root' if os.geteuid() == 0 else 'a normal user'}"
    )


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())
