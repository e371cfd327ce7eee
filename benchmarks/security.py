"""Memory and time of grading hostile submissions, with the sandbox's limits in place.

    .venv/bin/python -m benchmarks.security      # writes benchmarks/SECURITY_RESULTS.md

Each run grades one submission through ``python -m autograder grade`` (the CLI,
Otter, its kernel, the workers) and, for the two memory runs, also through
``otter run`` alone, which is the process tree Gradescope runs (its 768 MB
limit applies to that tree). The whole process tree is polled every 50 ms:

- RSS summed over the tree, as ``ps`` shows it (pages shared between processes,
  such as the torch libraries every Python process maps, count once per process);
- PSS summed over the tree (each shared page split between the processes that
  map it): the tree's actual footprint, what a memory cgroup charges for it.
"""

import shutil
import sys
import tempfile
import zipfile
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


def zipped(folder: Path) -> Path:
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, path.name)
    return archive


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
            "hangs in all four questions": folder_with(work, "hang", {q.id: "infinite_loop" for q in QUESTIONS}),
        }
        for label, folder in submissions.items():
            grade = [python, "-m", "autograder", "grade", str(folder), "--results", str(work / "r.json"), "--autograder", autograder]
            runs = [("`python -m autograder grade`", grade)]
            if label != "hangs in all four questions":
                out = work / f"out-{folder.name}"
                out.mkdir()
                runs.append(
                    (
                        "`otter run` (Gradescope's tree)",
                        [python, "-m", "otter", "run", "-a", autograder, "-o", str(out), str(zipped(folder))],
                    )
                )
            for how, command in runs:
                run = measure(command)
                parts = ", ".join(
                    f"{k} {run.at_peak[k]}"
                    for k in ("CLI", "entry point", "Otter", "kernel", "zygote and workers", "other")
                    if run.at_peak.get(k)
                )
                rows.append(
                    f"| {label} | {how} | {run.wall_seconds:.1f} | {run.peak_rss_mb:.0f} | {run.peak_pss_mb:.0f} | {parts} | {run.returncode} |"
                )
                print(rows[-1], flush=True)
    RECORD.write_text(
        "# Security benchmark: grading hostile submissions\n\n"
        f"Machine: {machine()}. Load average (1, 5, 15 min) {started} at the start and {load()} at the end: "
        "the machine is shared with other developers' test runs, so wall times are noisy.\n\n"
        f"Worker limits: RLIMIT_DATA = what Python and torch use + {limits.memory_bytes // 2**20} MiB, {limits.cpu_seconds} s RLIMIT_CPU, "
        f"{limits.threads} threads, {limits.file_bytes // 2**20} MiB files, {limits.open_files} open files; "
        f"deadlines {limits.load_seconds:g} s per import, {limits.call_seconds:g} s per call.\n\n"
        "Peak memory of the whole process tree, polled every 50 ms: RSS summed over the processes (shared "
        "library pages counted once per process) and PSS summed (shared pages split: the tree's real footprint). "
        f"Gradescope's default limit is {BUDGET_MB} MB for the tree it runs, which is the `otter run` row "
        "(the CLI process is the instructor's, on top).\n\n"
        "| submission | command | wall (s) | peak RSS sum (MB) | peak PSS sum (MB) | PSS by process at the peak (MB) | exit |\n"
        "| --- | --- | ---: | ---: | ---: | --- | ---: |\n" + "\n".join(rows) + "\n\n"
        "Reading the numbers: three processes import torch (the CLI, Otter's kernel, the worker), and each maps "
        "the same ~80 MB of torch's libraries from disk, which an RSS sum counts three times; PSS counts them "
        "once. The worker's own share is torch plus its warm-up (about 250 MB of data) plus at most "
        f"{limits.memory_bytes // 2**20} MiB for the student: a memory bomb fails inside its own call, so the bomb "
        "costs little more than the reference. The CLI's process imports torch only because `autograder.cli` "
        "imports `autograder.build` (and through `checker.registry` the whole checker) at start-up.\n\n"
        "Reproduce: `.venv/bin/python -m benchmarks.security`.\n"
    )
    print(f"wrote {RECORD}")


if __name__ == "__main__":
    main()
