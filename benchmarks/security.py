"""Memory and time of grading hostile submissions, with the sandbox's limits in place.

    .venv/bin/python -m benchmarks.security      # writes benchmarks/SECURITY_RESULTS.md

Each run grades one submission through ``python -m autograder grade``: the CLI,
then the autograder zip's own entry point (what Gradescope's ``run_autograder``
runs), Otter, its kernel, the zygote and the workers. The whole process tree is
polled every 50 ms:

- RSS summed over the tree, as ``ps`` shows it (pages shared between processes,
  such as the torch libraries the kernel shares with the zygote and its workers,
  count once per process);
- PSS summed over the tree (each shared page split between the processes that
  map it): the tree's actual footprint, what a memory cgroup charges for it.

Gradescope's tree is this one without the CLI (its share is listed apart);
``scripts/container_check.py`` measures the same gradings in a real memory cgroup.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from autograder.build import build
from autograder.paths import ROOT, SOLUTIONS
from benchmarks.measure import load, machine, measure
from checker.registry import QUESTIONS
from checker.sandbox import Limits

RECORD = ROOT / "benchmarks" / "SECURITY_RESULTS.md"
ADVERSARIAL = ROOT / "tests" / "adversarial"
BUDGET_MB = 768


def folder_with(work: Path, name: str, attacks: dict[str, str]) -> Path:
    folder = work / name
    folder.mkdir()
    for q in QUESTIONS:
        source = ADVERSARIAL / q.id / f"{attacks[q.id]}.py" if q.id in attacks else SOLUTIONS / q.file
        shutil.copy(source, folder / q.file)
    return folder


def main():
    limits = Limits()
    python = sys.executable
    rows, started = [], load()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dist = work / "dist"
        build(dist)
        autograder = str(dist / "autograder.zip")
        submissions = {
            "reference": folder_with(work, "reference", {}),
            "memory bomb (q4)": folder_with(work, "memory_bomb", {"q4_mae": "memory_bomb"}),
            "mmap bomb (q4)": folder_with(work, "mmap_bomb", {"q4_mae": "mmap_bomb"}),
            "hangs in all four questions": folder_with(work, "hang", {q.id: "infinite_loop" for q in QUESTIONS}),
        }
        for label, folder in submissions.items():
            command = [python, "-m", "autograder", "grade", str(folder), "--results", str(work / "r.json"), "--autograder", autograder]
            run = measure(command)
            parts = ", ".join(
                f"{k} {run.at_peak[k]}"
                for k in ("CLI", "entry point", "Otter", "kernel", "zygote and workers", "other")
                if run.at_peak.get(k)
            )
            rows.append(
                f"| {label} | {run.wall_seconds:.1f} | {run.peak_rss_mb:.0f} | {run.peak_pss_mb:.0f} | {parts} | {run.returncode} |"
            )
            print(rows[-1], flush=True)
    RECORD.write_text(
        "# Security benchmark: grading hostile submissions\n\n"
        f"Machine: {machine()}. Load average (1, 5, 15 min) {started} at the start and {load()} at the end.\n\n"
        f"Worker limits (`checker.sandbox.Limits`): address space {limits.memory_bytes // 2**20} MiB above what the zygote's fork maps, "
        f"{limits.cpu_seconds} s RLIMIT_CPU, {limits.threads} threads, {limits.file_bytes // 2**20} MiB files, "
        f"{limits.open_files} open files; deadlines {limits.load_seconds:g} s per import, {limits.call_seconds:g} s per call, "
        f"{limits.budget_seconds:g} s of worker time per question; no sockets and no new processes (seccomp).\n\n"
        "Each row: `python -m autograder grade` of the submission, the whole process tree polled every 50 ms. RSS sums "
        "the processes (pages shared between them counted once per process); PSS splits shared pages (the tree's real "
        f"footprint, what a memory cgroup charges). Gradescope's {BUDGET_MB} MB apply to the tree without the CLI.\n\n"
        "| submission | wall (s) | peak RSS sum (MB) | peak PSS sum (MB) | PSS by process at the peak (MB) | exit |\n"
        "| --- | ---: | ---: | ---: | --- | ---: |\n" + "\n".join(rows) + "\n\n"
        "Reading the numbers: torch is imported once, in Otter's kernel, and the zygote and its workers share those pages "
        "(copy-on-write), so the RSS sum counts them many times and PSS once. A memory bomb fails inside its own call, "
        "under the worker's address-space cap, and costs about what the reference costs; a submission that hangs "
        "everywhere ends with each question's time budget. The CLI reads results only and never imports torch.\n\n"
        "Reproduce: `.venv/bin/python -m benchmarks.security`; in Gradescope's container: `scripts/container_check.py`.\n"
    )
    print(f"wrote {RECORD}")


if __name__ == "__main__":
    main()
