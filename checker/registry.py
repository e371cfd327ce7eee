"""The four questions: their ids, files, points and public properties."""

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


def properties(question_id: str) -> "list[Property]":
    """The public properties of a question (the grader adds its hidden ones)."""
    return list(importlib.import_module(f"checker.questions.{question_id}").PROPERTIES)
