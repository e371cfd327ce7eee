"""The four questions: their ids, files, points and properties."""

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads the question table without importing torch and Hypothesis
    from checker.properties import Property


@dataclass(frozen=True)
class Question:
    id: str
    file: str
    points: int


QUESTIONS = (
    Question("q1_cosine", "cosine.py", 20),
    Question("q2_nt_xent", "nt_xent.py", 30),
    Question("q3_rotation", "rotation.py", 20),
    Question("q4_mae", "mae.py", 30),
)
STUDENT_FILES = tuple(q.file for q in QUESTIONS)


def question(question_id: str) -> Question:
    return next(q for q in QUESTIONS if q.id == question_id)


def properties(question_id: str, include_hidden: bool = True) -> "list[Property]":
    """Public properties, then the hidden ones where the autograder ships them."""
    public = importlib.import_module(f"checker.questions.{question_id}").PROPERTIES
    if not include_hidden:
        return list(public)
    try:
        hidden = importlib.import_module(f"autograder.hidden.{question_id}").PROPERTIES
    except ModuleNotFoundError as missing:
        if not (missing.name or "").startswith("autograder"):
            raise
        hidden = []
    return [*public, *hidden]
