"""Gradescope's ``results.json``: written from Otter's and the grader's record, and read back.

``finalize`` turns what Otter wrote (one entry per question id, with its score)
and the kernel's ``GradingRecord`` (every property's outcome as data, and the
isolation in force) into the file Gradescope reads: exactly one entry per
question, whatever Otter managed to write, its feedback rendered from the record
(``QuestionResult.feedback``, as the self-check shows it), the record in
``extra_data``, and a hidden ``isolation`` entry for the instructor. The
instructor's tools read scores and properties back with ``question_scores``
and ``record``, never from the feedback text; which questions a results.json
holds is read from its entries (``questions``), so the instructor's tools follow
whatever release graded it. ``read`` and ``write`` move any such JSON object to
and from a file (written whole or not at all).
"""

import json
from pathlib import Path

from checker.registry import QUESTIONS, Question, among
from checker.results import GradingRecord

GRADING_FAILED = "Grading failed"
ISOLATION_ENTRY = "isolation"


def read(path: Path) -> dict | None:
    """The JSON object in ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write(path: Path, data: dict):
    """Write ``data`` to ``path`` through a ``.partial`` file: a crash never leaves half a file."""
    partial = Path(path).with_name(Path(path).name + ".partial")
    partial.write_text(json.dumps(data, indent=2))
    partial.replace(path)


def _entry(question, score: float, output: str) -> dict:
    return {"name": question.id, "score": score, "max_score": question.points, "output": output}


def failure(reason: str, *, upload: bool = False, questions: tuple[Question, ...] = QUESTIONS) -> dict:
    """Results for a submission that could not be graded: every question 0, with the reason."""
    prefix = "Your upload could not be graded" if upload else GRADING_FAILED
    tests = [_entry(q, 0, f"{prefix}: {reason}") for q in questions]
    return {
        "score": 0,
        "output": f"{prefix}: {reason}",
        "tests": tests,
        "extra_data": {"status": "upload rejected" if upload else "failed"},
    }


def _valid(entry, question) -> bool:
    if not isinstance(entry, dict):
        return False
    score, possible = entry.get("score"), entry.get("max_score")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (score, possible))
    return numbers and possible == question.points and 0 <= score <= possible


def describe_isolation(record: GradingRecord) -> str:
    if record.refused:
        return f"Grading refused: {record.refused}"
    facts = "; ".join(f"{k}: {v}" for k, v in record.isolation.items() if v)
    return f"Student code ran with isolation '{record.level}' ({facts})" if record.level else "No student code ran."


def finalize(otter: dict | None, record: GradingRecord | None, notes: list[str], problem: str = "") -> dict:
    """The complete results: one entry per question (Otter's when valid), the record as data.

    ``problem``: why Otter's results may be missing (a timeout, a crash), for the questions it lacks.
    """
    record = record or GradingRecord()
    by_name = {t.get("name"): t for t in (otter or {}).get("tests", []) if isinstance(t, dict)}
    tests = []
    for q in QUESTIONS:
        entry = by_name.get(q.id)
        if _valid(entry, q):
            kept = {k: entry[k] for k in ("name", "score", "max_score", "output", "visibility") if k in entry}
            graded = record.question(q.id)
            if graded.properties and graded.score == kept["score"]:  # the record's own words, not Otter's "Error at line..."
                kept["output"] = f"{q.id}: {graded.score:g} / {q.points:g} points\n\n{graded.feedback()}"
            tests.append(kept)
        else:
            reason = problem or "the grader did not report this question"
            tests.append(_entry(q, 0, f"{GRADING_FAILED}: {reason}"))
    tests.append({"name": ISOLATION_ENTRY, "visibility": "hidden", "output": describe_isolation(record)})
    output = [*notes]
    if record.refused:
        output.append(f"Not graded: the grading machine could not isolate student code ({record.refused}). Your instructor has to fix it.")
    status = "refused" if record.refused else ("failed" if problem else "graded")
    data = {"score": sum(t["score"] for t in tests if "score" in t), "tests": tests}
    if output:
        data["output"] = "\n".join(output)
    data["extra_data"] = {"status": status, "problem": problem, **record.as_dict()}
    return data


def _by_name(data: dict) -> dict:
    tests = data.get("tests")
    return {t.get("name"): t for t in tests if isinstance(t, dict)} if isinstance(tests, list) else {}


def questions(data: dict) -> tuple[Question, ...]:
    """The questions ``data`` has an entry for, in the assignment's order (this package's release
    when it has none: a results.json written before any question was graded)."""
    return among(_by_name(data))


def question_scores(data: dict) -> dict[str, float]:
    """Question id -> score (0 where malformed)."""
    by_name = _by_name(data)
    return {q.id: float(by_name[q.id]["score"]) if _valid(by_name.get(q.id), q) else 0.0 for q in questions(data)}


def question_outputs(data: dict) -> dict[str, str]:
    by_name = _by_name(data)
    return {q.id: str(by_name.get(q.id, {}).get("output", "")) for q in questions(data)}


def status(data: dict) -> str:
    """``graded``, ``failed`` (grading did not complete), ``refused`` or ``upload rejected``."""
    extra = data.get("extra_data")
    return str(extra.get("status", "failed")) if isinstance(extra, dict) else "failed"


def record(data: dict) -> GradingRecord:
    """The grader's record embedded in a results.json (empty for one written before it existed)."""
    extra = data.get("extra_data")
    return GradingRecord.from_dict(extra) if isinstance(extra, dict) else GradingRecord()


def is_complete(data: dict, release: tuple[Question, ...] | None = None) -> bool:
    """One valid entry for each question of ``release`` (default: those ``data`` has), and for no other."""
    release = release or questions(data)
    tests = data.get("tests") if isinstance(data.get("tests"), list) else []
    names = [t.get("name") for t in tests if isinstance(t, dict)]
    by_name = _by_name(data)
    return questions(data) == release and all(names.count(q.id) == 1 and _valid(by_name[q.id], q) for q in release)
