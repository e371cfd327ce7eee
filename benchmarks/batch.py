"""Batch grading: throughput and parallel efficiency of ``grade --jobs 1`` against ``--jobs 2``.

    .venv/bin/python -m benchmarks.batch            # about 8 minutes here; writes benchmarks/BATCH_RESULTS.md
    nohup .venv/bin/python -m benchmarks.batch > benchmarks/out/batch.log 2>&1 &

One run, one machine, one freshly built autograder: a class of 40 submissions
(2 reference, the untouched stubs, 36 mutants from tests/corpus spread over the
four questions, and one whose ``nt_xent_loss`` never returns) is graded through
the CLI with ``--jobs 1`` and then ``--jobs 2`` into separate folders. Recorded:
wall time, submissions per minute, parallel efficiency ``t1 / (2 * t2)``, the
CPU time of the process tree, the machine's load average during each run (the
machine may be shared: a load above the core count means the numbers are not
clean), and the per-submission overhead of batch mode over a single ``grade``
(a sample graded one by one through the CLI, compared with the same submissions'
in-batch time from ``results/<key>/meta.json`` plus the batch's own bookkeeping).
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from autograder.build import build
from autograder.paths import ASSIGNMENT, ROOT, SOLUTIONS
from benchmarks.measure import machine
from checker.registry import QUESTIONS
from tests.corpus import corpus

RECORD = ROOT / "benchmarks" / "BATCH_RESULTS.md"
HANG = "def nt_xent_loss(*a, **k):\n    while True:\n        pass\n"
SAMPLE = ("reference_a", "stubs", "hang_nt_xent", "mutant_q2_nt_xent_no_self_mask", "mutant_q4_mae_inverted_mask")
PER_QUESTION = 9


def make_class(folder: Path) -> list[str]:
    """40 submission folders: 2 reference, stubs, 1 hang, 9 mutants of each question."""

    def submission(name: str, replacements: dict[str, str] | None = None, base: Path = SOLUTIONS):
        target = folder / name
        target.mkdir(parents=True)
        for q in QUESTIONS:
            (target / q.file).write_text((replacements or {}).get(q.file, (base / q.file).read_text()))
        return name

    names = [submission("reference_a"), submission("reference_b"), submission("stubs", base=ASSIGNMENT)]
    names.append(submission("hang_nt_xent", {"nt_xent.py": HANG}))
    for q in QUESTIONS:
        mutants = [m for m in corpus("mutants") if m.question == q.id]
        chosen = [m for m in mutants if f"mutant_{q.id}_{m.name}" in SAMPLE]
        chosen += [m for m in mutants if m not in chosen][: PER_QUESTION - len(chosen)]
        names += [submission(f"mutant_{q.id}_{m.name}", {q.file: m.source()}) for m in chosen]
    return names


class LoadSampler:
    """The 1-minute load average, sampled every few seconds while a run lasts."""

    def __init__(self, every: float = 5.0):
        self.samples, self.every, self._stop = [os.getloadavg()[0]], every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        return statistics.mean(self.samples), max(self.samples)


def timed(command: list[str], log: Path) -> dict:
    """Wall time, children's CPU time and load during one CLI run (its output appended to ``log``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler = LoadSampler()
    start = time.monotonic()
    with log.open("a") as f:
        f.write(f"$ {' '.join(command)}\n")
        f.flush()
        code = subprocess.run(command, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT).returncode
    wall = time.monotonic() - start
    load, peak = sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": load, "peak_load": peak, "returncode": code}


def in_batch_seconds(out: Path) -> dict[str, float]:
    return {p.parent.name: json.loads(p.read_text())["seconds"] for p in (out / "results").glob("*/meta.json")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "batch", help="scratch folder (emptied)")
    parser.add_argument("--record", type=Path, default=RECORD)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="job counts to compare (default 1 2)")
    args = parser.parse_args()

    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log = work / "runs.log"
    started_on = machine()
    autograder_zip = build(work / "dist")[0]
    names = make_class(work / "class")
    python = [sys.executable, "-m", "autograder", "grade"]
    print(f"{len(names)} submissions in {work / 'class'}; log in {log}", flush=True)

    singles = {}
    for name in SAMPLE:
        command = [
            *python,
            str(work / "class" / name),
            "--results",
            str(work / "single" / f"{name}.json"),
            "--autograder",
            str(autograder_zip),
        ]
        singles[name] = timed(command, log)
        print(f"single grade {name}: {singles[name]['wall']:.1f} s", flush=True)

    runs = {}
    for jobs in args.jobs:
        out = work / f"jobs{jobs}"
        command = [*python, str(work / "class"), "--out", str(out), "--jobs", str(jobs), "--autograder", str(autograder_zip)]
        runs[jobs] = {**timed(command, log), "out": out, "seconds": in_batch_seconds(out)}
        print(f"--jobs {jobs}: {runs[jobs]['wall']:.1f} s (mean load {runs[jobs]['load']:.1f})", flush=True)

    books = {jobs: (run["out"] / "gradebook.csv").read_text() for jobs, run in runs.items()}
    history = previous_runs(args.record) + [history_row(runs)]
    args.record.write_text(render(names, singles, runs, books, started_on, history))
    print(f"wrote {args.record}", flush=True)


HISTORY = "## Every run of this benchmark"
HISTORY_HEADER = (
    "| finished (UTC) | mean load, jobs 1 / jobs 2 | t1 (s) | t2 (s) | efficiency t1 / (2 t2) | CPU s per submission, jobs 1 / jobs 2 |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
)


def previous_runs(record: Path) -> list[str]:
    """The rows of the history table of an earlier record, so reruns add to it."""
    if not record.is_file() or HISTORY not in record.read_text():
        return []
    table = record.read_text().split(HISTORY, 1)[1]
    return [line for line in table.splitlines() if line.startswith("| 20")]


def history_row(runs) -> str:
    if not (1 in runs and 2 in runs):
        return ""
    r1, r2 = runs[1], runs[2]
    n1, n2 = len(r1["seconds"]) or 1, len(r2["seconds"]) or 1
    now = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    return (
        f"| {now} | {r1['load']:.1f} / {r2['load']:.1f} | {r1['wall']:.0f} | {r2['wall']:.0f} | "
        f"{r1['wall'] / (2 * r2['wall']):.1%} | {r1['cpu'] / n1:.1f} / {r2['cpu'] / n2:.1f} |"
    )


def _other_load(row: str) -> float:
    """The larger of the two runs' mean load minus their own jobs, from a history row."""
    loads = [float(x) for x in row.strip("|").split("|")[1].split("/")]
    return max(loads[0] - 1, loads[1] - 2)


def render(names, singles, runs, books, started_on, history) -> str:
    n = len(names)
    cores = os.cpu_count() or 1
    lines = [
        "# Batch grading benchmark",
        "",
        "`python -m benchmarks.batch`: one run, one machine, one freshly built autograder zip. "
        f"A class of {n} submissions (2 reference, the untouched stubs, 36 mutants from `tests/corpus/mutants.py` "
        "(9 per question), and one whose `nt_xent_loss` is an infinite loop), graded through the CLI "
        "(`python -m autograder grade CLASS_FOLDER --out OUT --jobs J`) into a fresh folder per job count.",
        "",
        f"Machine: {started_on}; load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}.",
        "",
        "| run | wall (s) | submissions / minute | CPU of the process tree (s) | load average during the run: mean / max | exit |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for jobs, run in runs.items():
        lines.append(
            f"| `--jobs {jobs}` | {run['wall']:.0f} | {n / run['wall'] * 60:.2f} | {run['cpu']:.0f} | "
            f"{run['load']:.1f} / {run['peak_load']:.1f} | {run['returncode']} |"
        )
    lines.append("")
    if 1 in runs and 2 in runs:
        t1, t2 = runs[1]["wall"], runs[2]["wall"]
        lines.append(
            f"**Parallel efficiency with 2 jobs: t1 / (2 t2) = {t1:.0f} / (2 x {t2:.0f}) = {t1 / (2 * t2):.1%}** (speed-up {t1 / t2:.2f}x)."
        )
        lines.append("")
    others = {jobs: run["load"] - jobs for jobs, run in runs.items()}
    if max(others.values()) > 0.5:
        shown = ", ".join(f"{o:.1f} during `--jobs {jobs}`" for jobs, o in others.items())
        lines.append(
            f"Caution: the mean load average minus the run's own jobs was {shown}, on {cores} cores: other work "
            "was competing for the CPUs, so these timings (the efficiency above all) are not a clean "
            "measurement; rerun `python -m benchmarks.batch` on an idle machine."
        )
        lines.append("")
    if 1 in runs and 2 in runs:
        c1, c2 = runs[1]["cpu"], runs[2]["cpu"]
        lines.append(
            f"CPU time of the process tree per submission: {c1 / n:.1f} s with 1 job, {c2 / n:.1f} s with 2 "
            f"(ratio {c1 / c2:.2f}). When a run's wall time is far above its CPU time, the grader was waiting for "
            "CPUs that other work held; on an idle machine the CPU ratio is roughly the best efficiency a CPU-bound batch can reach."
        )
        lines.append("")
    same = len(set(books.values())) == 1
    lines.append(f"Gradebooks of all runs identical: {'yes' if same else 'NO'}.")
    lines.append("")
    if 1 in runs:
        run = runs[1]
        seconds = run["seconds"]
        bookkeeping = (run["wall"] - sum(seconds.values())) / n
        lines += [
            "## Per-submission overhead of batch mode over a single `grade`",
            "",
            "Single: `python -m autograder grade SUBMISSION --results R` run alone (wall time of the CLI, "
            "Python start-up included). In batch (`--jobs 1`): the same submission's `grade()` time from "
            f"`meta.json`, plus the batch's bookkeeping spread over all {n} submissions "
            f"((wall - sum of per-submission times) / {n} = {bookkeeping:.1f} s: start-up, discovery, "
            "fingerprints, gradebook, report, histogram).",
            "",
            "| submission | single `grade` (s) | in batch (s) | overhead (s) |",
            "| --- | ---: | ---: | ---: |",
        ]
        overheads = []
        for name, single in singles.items():
            inside = seconds.get(name, float("nan")) + bookkeeping
            overheads.append(inside - single["wall"])
            lines.append(f"| {name} | {single['wall']:.1f} | {inside:.1f} | {overheads[-1]:+.1f} |")
        lines.append(f"| **mean** | | | **{statistics.mean(overheads):+.1f}** |")
        lines.append("")
        lines.append(
            f"Per-submission time in the `--jobs 1` batch: mean {statistics.mean(seconds.values()):.1f} s, "
            f"median {statistics.median(seconds.values()):.1f} s, max {max(seconds.values()):.1f} s "
            f"({max(seconds, key=seconds.get)})."
        )
    rows = [row for row in history if row]
    lines += ["", HISTORY, "", *HISTORY_HEADER, *rows]
    quietest = min(rows, key=_other_load, default=None)
    if quietest:
        cells = [c.strip() for c in quietest.strip("|").split("|")]
        lines += [
            "",
            f"Least disturbed run (mean load minus its own jobs, {_other_load(quietest):.1f}): the one finished {cells[0]}, "
            f"efficiency {cells[4]}.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
