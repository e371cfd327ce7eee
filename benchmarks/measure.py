"""Wall time and peak memory of a command's whole process tree."""

import os
import platform
import subprocess
import time
from dataclasses import dataclass

import psutil
import torch

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Measurement:
    wall_seconds: float
    peak_tree_rss_mb: float
    returncode: int


def tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(command: list[str], cwd=None) -> Measurement:
    start = time.monotonic()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(watched))
        time.sleep(POLL_SECONDS)
    return Measurement(time.monotonic() - start, peak / 2**20, child.returncode)


def machine() -> str:
    memory = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {memory:.0f} GiB RAM, "
        f"load average at start {load}; Python {platform.python_version()}, torch {torch.__version__}"
    )
