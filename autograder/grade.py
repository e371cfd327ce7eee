"""Grade one submission locally, exactly as Gradescope does, with the built autograder zip.

The zip is unpacked into a temporary folder laid out like Gradescope's
``/autograder`` and its own ``grader.gradescope`` runs there, on the submission
as handed in: staging, Otter with its deadline, the final ``results.json``. The
CLI process itself never imports torch nor any student file.
"""

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.build import DIST, ENTRY_CODE, LIB_PREFIX, build, changed_sources, release_of
from grader import results_json
from grader.gradescope import OTTER_DEADLINE_SECONDS

TIMEOUT_SECONDS = OTTER_DEADLINE_SECONDS + 60  # staging and writing results around Otter's own deadline


def grade(submission: Path, results: Path, autograder_zip: Path | None = None) -> dict:
    autograder_zip = autograder_zip or built_autograder()
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        ag = Path(tmp) / "autograder"
        for folder in ("source", "submission", "results"):
            (ag / folder).mkdir(parents=True)
        with zipfile.ZipFile(autograder_zip) as zf:
            zf.extractall(ag / "source")
        log = _run(ag, Path(submission).resolve())
        data = results_json.read(ag / "results" / "results.json")
        if data is None:
            data = results_json.failure(f"the grader wrote no results.json.\n{log[-2000:]}", questions=release_of(autograder_zip))
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(data, indent=2))
    return data


def _run(ag: Path, submission: Path) -> str:
    """The zip's own entry point, as Gradescope's ``run_autograder`` calls it."""
    command = [sys.executable, "-I", "-c", ENTRY_CODE, str(ag / "source" / LIB_PREFIX), str(ag), str(submission)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env, cwd=ag)
    except subprocess.TimeoutExpired:
        return "grading timed out"
    return done.stdout + done.stderr


def built_autograder() -> Path:
    """``dist/autograder.zip``, built first if it is missing or its copy of the sources differs
    (rebuilt for the same questions)."""
    path = DIST / "autograder.zip"
    if not path.is_file():
        build()
    elif changed := changed_sources(path):
        print(f"{path} is out of date ({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''} changed): rebuilding", file=sys.stderr)
        build(questions=release_of(path))
    return path


def summary_table(data: dict) -> str:
    """Per question (those graded): score, maximum and the first problem, from the structured record."""
    questions = results_json.questions(data)
    scores = results_json.question_scores(data)
    record = results_json.record(data)
    outputs = results_json.question_outputs(data)
    lines = [f"{'question':<12} {'score':>6} {'max':>5}  first problem"]
    for q in questions:
        problem = record.question(q.id).first_problem or _first_line(outputs[q.id], scores[q.id] < q.points)
        lines.append(f"{q.id:<12} {scores[q.id]:>6g} {q.points:>5}  {_clip(problem) or '-'}")
    lines.append(f"{'total':<12} {sum(scores.values()):>6g} {sum(q.points for q in questions):>5}")
    if record.level:
        lines.append(f"isolation: {record.level} ({'; '.join(f'{k}: {v}' for k, v in record.isolation.items() if v)})")
    status = results_json.status(data)
    if status != "graded":
        lines.append(f"status: {status}: {data.get('output') or data.get('extra_data', {}).get('problem', '')}".rstrip(": "))
    return "\n".join(lines)


def _first_line(output: str, failed: bool) -> str:
    """Without a record (the upload was rejected, grading failed): the entry's own first line."""
    return output.splitlines()[0] if failed and output else ""


def _clip(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
