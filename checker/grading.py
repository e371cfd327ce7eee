"""Grade questions of a submission folder with the properties of each question."""

from dataclasses import dataclass
from pathlib import Path

import torch

from checker import properties as props
from checker.registry import properties, question
from checker.sandbox import Limits
from checker.student import Student
from checker.submission import find_files


def default_device() -> str:
    """Student code runs on CUDA when the grader has a GPU (references stay on CPU)."""
    return "cuda" if torch.cuda.is_available() else "cpu"


@dataclass
class QuestionResult:
    question: str
    outcomes: list[props.Outcome]
    output: str

    @property
    def score(self) -> float:
        return sum(o.property.points for o in self.outcomes if o.passed)

    @property
    def max_score(self) -> float:
        return sum(o.property.points for o in self.outcomes)


class Session:
    """One submission's students, one question at a time (one worker alive at most)."""

    def __init__(self, folder: Path, device: str | None = None, limits: Limits = Limits(), include_hidden: bool = True):
        self.files = find_files(Path(folder))
        self.include_hidden = include_hidden
        self.device = device or default_device()
        self.limits = limits
        self._current: tuple[str, Student] | None = None

    def student(self, question_id: str) -> Student:
        if self._current and self._current[0] == question_id:
            return self._current[1]
        self.close()
        file_name = question(question_id).file
        student = Student(self.files.get(file_name), self.device, self.limits, file_name)
        self._current = (question_id, student)
        return student

    def close(self):
        if self._current:
            self._current[1].close()
            self._current = None

    def grade(self, question_id: str) -> QuestionResult:
        student = self.student(question_id)
        outcomes = [props.run(p, student) for p in properties(question_id, self.include_hidden)]
        self.close()
        return QuestionResult(question_id, outcomes, student.output)
