"""What grading costs, measured side by side in one run.

    .venv/bin/python -m benchmarks.grading [--rounds 3] [--container]   # writes benchmarks/GRADING_RESULTS.md

- ``grade`` of the reference against a bare ``otter run`` of a trivial one-test
  autograder, alternated ``--rounds`` times: wall time, CPU time and peak memory
  of each whole process tree, and their ratios (medians);
- the student's self-check (``python -m checker``) on the untouched stubs and on
  the reference, in the unpacked student release;
- the whole corpus (every correct variant, degenerate file and mutant, in-process);
- with ``--container``: one grading of the reference in Docker with Gradescope's
  defaults (``scripts/container_check.py``: half a CPU, 768 MB).
"""

import argparse
import json
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat

from autograder.build import build, driver_notebook
from autograder.paths import DIST, ROOT, SOLUTIONS
from benchmarks.measure import Run, load, machine, measure
from checker.registry import QUESTIONS

RECORD = ROOT / "benchmarks" / "GRADING_RESULTS.md"
TRIVIAL_TEST = 'OK_FORMAT = False\nfrom otter.test_files import test_case\nname = "q"\n\n@test_case(points=1)\ndef t():\n    assert True\n'


def trivial_autograder(folder: Path) -> Path:
    """Otter's smallest useful autograder: a one-cell notebook, one passing test."""
    notebook = driver_notebook()
    notebook.cells[0].source = "x = 1"
    path = folder / "trivial.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("tests/q.py", TRIVIAL_TEST)
        zf.writestr("otter_config.json", json.dumps({"logo": False}))
        zf.writestr("files/driver.ipynb", nbformat.writes(notebook))
    return path


def row(label: str, run: Run) -> str:
    parts = ", ".join(f"{k} {v}" for k, v in sorted(run.at_peak.items(), key=lambda kv: -kv[1]))
    return f"| {label} | {run.wall_seconds:.1f} | {run.cpu_seconds:.1f} | {run.peak_pss_mb:.0f} ({parts}) | {run.peak_rss_mb:.0f} | {run.returncode} |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--container", action="store_true", help="also one run in Docker with Gradescope's defaults (needs root)")
    args = parser.parse_args()
    python = sys.executable
    rows, ratios = [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dist = work / "dist"
        build(dist)
        submission = work / "submission.zip"
        with zipfile.ZipFile(submission, "w") as zf:
            for q in QUESTIONS:
                zf.write(SOLUTIONS / q.file, q.file)
        (work / "out").mkdir()
        grade = [
            python,
            "-m",
            "autograder",
            "grade",
            str(submission),
            "--results",
            str(work / "r.json"),
            "--autograder",
            str(dist / "autograder.zip"),
        ]
        otter = [python, "-m", "otter", "run", "-a", str(trivial_autograder(work)), "-o", str(work / "out"), str(submission)]
        for i in range(args.rounds):  # alternated, so both see the same machine
            ours, bare = measure(grade), measure(otter)
            rows += [
                row(f"`grade` of the reference, round {i + 1}", ours),
                row(f"bare `otter run`, trivial autograder, round {i + 1}", bare),
            ]
            ratios.append((ours.wall_seconds / bare.wall_seconds, ours.cpu_seconds / bare.cpu_seconds, ours.peak_pss_mb / bare.peak_pss_mb))
            print(rows[-2], rows[-1], sep="\n", flush=True)
        release = work / "release"
        with zipfile.ZipFile(dist / "student.zip") as zf:
            zf.extractall(release)
        rows.append(row("self-check `python -m checker` on the stubs", measure([python, "-m", "checker"], cwd=release)))
        for q in QUESTIONS:
            (release / q.file).write_text((SOLUTIONS / q.file).read_text())
        rows.append(row("self-check `python -m checker` on the reference", measure([python, "-m", "checker"], cwd=release)))
        rows.append(row("the corpus, in-process (`python -m tests.kill_matrix`)", measure([python, "-m", "tests.kill_matrix"])))
        print("\n".join(rows[-3:]), flush=True)
    median = [statistics.median(r[i] for r in ratios) for i in range(3)]
    text = [
        "# Grading benchmark",
        "",
        f"Machine: {machine()}; load average at start {load()}.",
        "",
        f"Command: `.venv/bin/python -m benchmarks.grading --rounds {args.rounds}{' --container' if args.container else ''}` "
        "(every row in the same run; grading and bare Otter alternated).",
        "",
        f"**Ratios, `grade` of the reference over a bare `otter run` (medians of {args.rounds} rounds): wall {median[0]:.2f}x, "
        f"CPU {median[1]:.2f}x, peak PSS {median[2]:.2f}x.**",
        "",
        "| run | wall (s) | CPU (s) | peak PSS sum (MB, by process at the peak) | peak RSS sum (MB) | exit |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
        *rows,
        "",
        "PSS splits pages shared between processes (torch's libraries, the zygote's pages its workers share): the footprint a "
        "memory cgroup such as Gradescope's charges. RSS counts them once per process. CPU sums user and system time of every "
        "process seen in the tree.",
    ]
    if args.container:
        sys.path.insert(0, str(ROOT / "scripts"))
        from container_check import cases, ensure_environment, run_case, table

        ensure_environment()
        build(DIST)
        run = run_case(next(c for c in cases() if c.name == "reference-1"), DIST / "autograder.zip")
        text += ["", "One run in Docker with Gradescope's defaults (half a CPU, 768 MB, `scripts/container_check.py`):", "", table([run])]
    RECORD.write_text("\n".join(text) + "\n")
    print(f"wrote {RECORD}")


if __name__ == "__main__":
    main()
