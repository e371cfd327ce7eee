"""Grade one submission through ``otter run`` with the built autograder zip.

The submission is first staged (only the four student files, at the top level),
zipped, and handed to Otter exactly as Gradescope would: Otter unpacks the
autograder, executes the driver notebook and the per-question test files, and
writes ``results.json``. If Otter itself fails, a results file saying so is
written anyway, with zero scores, so a batch never stops on one submission.
"""

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.build import DIST, build, changed_sources
from autograder.stage import stage
from checker.registry import QUESTIONS

OTTER_TIMEOUT_SECONDS = 900


def grade(submission: Path, results: Path, autograder_zip: Path | None = None) -> dict:
    autograder_zip = autograder_zip or built_autograder()
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        work = Path(tmp)
        staged = stage(Path(submission), work / "staged")
        submission_zip = work / "submission.zip"
        with zipfile.ZipFile(submission_zip, "w") as zf:
            for name, path in staged.items():
                zf.write(path, name)
        output = work / "out"
        output.mkdir()
        log = _run_otter(submission_zip, autograder_zip, output)
        produced = output / "results.json"
        data = _read_results(produced) if produced.is_file() else None
        if data is None or not _has_every_question(data):
            data = failure_results(f"Otter did not produce a complete results.json.\n{log[-2000:]}")
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(data, indent=2))
    return data


def built_autograder() -> Path:
    """``dist/autograder.zip``, built first if it is missing or its copy of the sources differs."""
    path = DIST / "autograder.zip"
    if not path.is_file():
        build()
    elif changed := changed_sources(path):
        print(f"{path} is out of date ({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''} changed): rebuilding", file=sys.stderr)
        build()
    return path


def _run_otter(submission_zip: Path, autograder_zip: Path, output: Path) -> str:
    command = [
        sys.executable,
        "-m",
        "otter",
        "run",
        "--no-logo",
        "-a",
        str(autograder_zip.resolve()),
        "-o",
        str(output),
        str(submission_zip),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=OTTER_TIMEOUT_SECONDS, env=env, cwd=output)
    except subprocess.TimeoutExpired:
        return "otter run timed out"
    return done.stdout + done.stderr


def _read_results(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _has_every_question(data: dict) -> bool:
    names = [t.get("name") for t in data.get("tests", []) if isinstance(t, dict)]
    return all(names.count(q.id) == 1 for q in QUESTIONS)


def failure_results(reason: str) -> dict:
    tests = [{"name": q.id, "score": 0, "max_score": q.points, "output": f"Grading failed: {reason}"} for q in QUESTIONS]
    return {"score": 0, "tests": tests}


def question_rows(data: dict) -> list[dict]:
    """The per-question entries of a results.json, in question order."""
    by_name = {t.get("name"): t for t in data.get("tests", []) if isinstance(t, dict)}
    return [by_name[q.id] for q in QUESTIONS if q.id in by_name]


def summary_table(data: dict) -> str:
    rows = question_rows(data)
    lines = [f"{'question':<12} {'score':>6} {'max':>5}  first problem"]
    for row in rows:
        lines.append(f"{row['name']:<12} {row['score']:>6g} {row['max_score']:>5g}  {_first_problem(row.get('output', ''))}")
    total, possible = sum(r["score"] for r in rows), sum(r["max_score"] for r in rows)
    lines.append(f"{'total':<12} {total:>6g} {possible:>5g}")
    return "\n".join(lines)


def _first_problem(output: str) -> str:
    for line in output.splitlines():
        if line.strip().startswith("Problem:"):
            text = line.strip().removeprefix("Problem:").strip()
            return text if len(text) <= 70 else text[:67] + "..."
        if line.startswith("Grading failed"):
            return line[:70]
    return "-"
