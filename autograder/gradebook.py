"""The gradebook: one row per student (per submission when nobody is known), one column per question.

Columns: ``submission, name, sid, email``, then one column per question id, then
``total`` and ``status``. A group submission gives one row per submitter with the
same scores. The CSV is also what shards exchange: ``merge`` joins several.
"""

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from autograder.exports import Submitter
from checker.registry import Question, among
from checker.results import GradingRecord
from grader import results_json

IDENTITY = ("submission", "name", "sid", "email")
OK = "graded"
FAILED = "grading failed"


@dataclass
class Graded:
    """One graded submission: who, the score per question, and (when known) every property's outcome."""

    submission: str
    submitters: tuple[Submitter, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    status: str = OK
    record: GradingRecord | None = None
    problem: str = ""  # why grading did not complete, when it did not

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def questions(graded: list[Graded]) -> tuple[Question, ...]:
    """The questions the submissions were graded on (the release's), in the assignment's order."""
    return among(q for g in graded for q in g.scores)


def max_total(questions: tuple[Question, ...]) -> float:
    return sum(q.points for q in questions)


def columns(questions: tuple[Question, ...]) -> tuple[str, ...]:
    return (*IDENTITY, *(q.id for q in questions), "total", "status")


def from_results(submission: str, submitters, data: dict) -> Graded:
    """A ``Graded`` from a Gradescope ``results.json`` dict (missing questions count 0)."""
    status = results_json.status(data)
    failed = status in ("failed", "refused")
    problem = str((data.get("extra_data") or {}).get("problem") or data.get("output") or status) if failed else ""
    record = results_json.record(data)
    return Graded(submission, tuple(submitters), results_json.question_scores(data), FAILED if failed else OK, record, problem)


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def write_csv(graded: list[Graded], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        released = questions(graded)
        writer.writerow(columns(released))
        for g in sorted(graded, key=lambda g: g.submission):
            scores = [_fmt(g.scores.get(q.id, 0.0)) for q in released]
            for person in g.submitters or (Submitter(),):
                identity = [g.submission, person.name, person.sid, person.email]
                writer.writerow([_cell(x) for x in identity] + scores + [_fmt(g.total), g.status])
    partial.replace(path)
    return path


def read_csv(path: Path) -> list[Graded]:
    """The submissions of a gradebook written by ``write_csv`` (rows of one submission joined)."""
    with Path(path).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        released = among(reader.fieldnames or [])
        missing = [c for c in columns(released) if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path} is not a gradebook of this assignment: no column {', '.join(missing)}")
        by_key: dict[str, Graded] = {}
        for row in reader:
            key = _uncell(row["submission"])
            person = Submitter(_uncell(row["name"]), _uncell(row["sid"]), _uncell(row["email"]))
            scores = {q.id: _number(row[q.id]) for q in released}
            g = by_key.setdefault(key, Graded(key, (), scores, row["status"] or OK))
            if g.scores != scores:
                raise ValueError(f"{path}: the rows of submission {key} disagree on its scores")
            if person != Submitter():
                g.submitters += (person,)
    return list(by_key.values())


def merge(gradebooks: list[list[Graded]]) -> list[Graded]:
    """Join shard gradebooks; a submission in two of them must have the same scores there."""
    merged: dict[str, Graded] = {}
    conflicts = []
    for book in gradebooks:
        for g in book:
            seen = merged.get(g.submission)
            if seen is None:
                merged[g.submission] = g
            elif (seen.scores, seen.status, set(seen.submitters)) != (g.scores, g.status, set(g.submitters)):
                conflicts.append(g.submission)
    if conflicts:
        raise ValueError(f"submissions graded differently in two gradebooks: {', '.join(sorted(set(conflicts)))}")
    return sorted(merged.values(), key=lambda g: g.submission)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _cell(text: str) -> str:
    """Keep spreadsheets from reading a name or file name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _uncell(text: str | None) -> str:
    text = text or ""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text
