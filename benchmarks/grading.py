"""Grading one submission: this grader beside a trivial one-test Otter autograder.

    .venv/bin/python -m benchmarks.grading      # writes benchmarks/GRADING_RESULTS.md

Both are measured in the same run, on the same machine: wall time and the peak
resident memory of the whole process tree (CLI, Otter, its kernel, workers).
"""

import json
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat

from autograder.build import build, driver_notebook
from benchmarks.measure import load, machine, measure
from checker.registry import QUESTIONS

ROOT = Path(__file__).resolve().parents[1]
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


def main():
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dist = work / "dist"
        build(dist)
        submission = work / "submission.zip"
        with zipfile.ZipFile(submission, "w") as zf:
            for q in QUESTIONS:
                zf.write(ROOT / "solutions" / q.file, q.file)
        (work / "out").mkdir()
        python = sys.executable
        runs = {
            "`python -m autograder grade` (reference submission, 4 questions)": [
                python,
                "-m",
                "autograder",
                "grade",
                str(submission),
                "--results",
                str(work / "r.json"),
                "--autograder",
                str(dist / "autograder.zip"),
            ],
            "`otter run` on a trivial one-test autograder": [
                python,
                "-m",
                "otter",
                "run",
                "-a",
                str(trivial_autograder(work)),
                "-o",
                str(work / "out"),
                str(submission),
            ],
        }
        rows = []
        for label, command in runs.items():
            m = measure(command)
            rows.append(f"| {label} | {m.wall_seconds:.1f} | {m.peak_rss_mb:.0f} | {m.peak_pss_mb:.0f} | {m.returncode} |")
            print(rows[-1])
    RECORD.write_text(
        "# Grading benchmark\n\n"
        f"Machine: {machine()}; load average at start {load()}.\n\n"
        "Command: `.venv/bin/python -m benchmarks.grading` (both rows measured in the same run).\n\n"
        "| run | wall (s) | peak RSS sum of the process tree (MB) | peak PSS sum (MB) | exit |\n| --- | ---: | ---: | ---: | ---: |\n"
        + "\n".join(rows)
        + "\n\nRSS counts the torch libraries once per process that maps them (CLI, kernel, worker); PSS splits them: "
        "the footprint a memory cgroup such as Gradescope's 768 MB limit charges.\n"
    )
    print(f"wrote {RECORD}")


if __name__ == "__main__":
    main()
