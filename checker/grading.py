"""Grade the questions of a submission folder, one question (one worker) at a time."""

from dataclasses import replace
from pathlib import Path

from checker import properties as props
from checker import results as r
from checker import rules
from checker.registry import properties, question
from checker.sandbox import Limits
from checker.student import Student
from checker.submission import find_files


def default_device() -> str:
    """Student code runs on CUDA when the grader has a GPU (references stay on CPU)."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class Session:
    """One submission's students, one question at a time (one worker alive at most).

    ``secrets``: directories of the grader that student code must not read (closed
    where namespaces are refused). ``hidden``: the hidden properties per question,
    passed in by the grader side (the self-check has none).
    """

    def __init__(
        self,
        folder: Path,
        device: str | None = None,
        limits: Limits = Limits(),
        hidden: dict[str, list[props.Property]] | None = None,
        secrets: tuple[str, ...] = (),
    ):
        self.files = find_files(Path(folder))
        self.hidden = hidden or {}
        self.device = device or default_device()
        self.limits = limits
        self.secrets = secrets
        self._current: tuple[str, Student, list[str]] | None = None
        self._gate_results: dict[str, r.PropertyResult] = {}

    def properties(self, question_id: str) -> list[props.Property]:
        return [*properties(question_id), *self.hidden.get(question_id, [])]

    def student(self, question_id: str) -> tuple[Student, list[str]]:
        """The question's student, and the lines of its module that break the import rule."""
        if self._current and self._current[0] == question_id:
            return self._current[1], self._current[2]
        self.close()
        file_name = question(question_id).file
        path = self.files.get(file_name)
        broken = rules.violations(path.read_text(errors="replace")) if path is not None else []
        student = Student(path, self.device, self.limits, file_name, self.secrets)
        self._current = (question_id, student, broken)
        return student, broken

    def check(self, prop: props.Property) -> r.PropertyResult:
        """One property's result, with the gates and the import rule applied.

        A law about a function that computes nothing (its gate fails) is not scored: a
        function returning zeros satisfies symmetry, invariances, dtypes and devices.
        A module that breaks the import rule earns nothing.
        """
        student, broken = self.student(prop.question)
        closed = [gate for gate in self._gates(prop) if not self._gate_result(gate).passed]
        if prop.law and closed:
            first = self._gate_result(closed[0])
            result = r.PropertyResult(
                prop.question, prop.key, prop.claim, prop.points, prop.hidden, r.NOT_SCORED,
                f"not scored until {closed[0].about[0]} computes something: {first.problem}",
            )  # fmt: skip
        elif prop.gate:
            result = self._gate_result(prop)
        else:
            result = props.run(prop, student)
        if not broken or result.status == r.REFUSED:
            return result
        lines = "\n".join(f"  {student.file_name}, {line}" for line in broken[:5])
        verdict = "holds" if result.passed else f"does not hold either: {result.problem}"
        return replace(
            result,
            status=r.BROKEN_RULE,
            problem=f"{student.file_name} breaks the assignment's rule, so this question earns no points: {rules.RULE}",
            details=(f"Where:\n{lines}", f"(Judged on its own, this property {verdict})"),
        )

    def _gates(self, prop: props.Property) -> list[props.Property]:
        return [p for p in self.properties(prop.question) if p.gate and p.about[0] in prop.about]

    def _gate_result(self, gate: props.Property) -> r.PropertyResult:
        """A gate's result, computed once per question."""
        if gate.key not in self._gate_results:
            self._gate_results[gate.key] = props.run(gate, self.student(gate.question)[0])
        return self._gate_results[gate.key]

    def close(self):
        self._gate_results = {}
        if self._current:
            self._current[1].close()
            self._current = None

    def grade(self, question_id: str) -> r.QuestionResult:
        results = [self.check(p) for p in self.properties(question_id)]
        student, _ = self.student(question_id)
        self.close()
        return r.QuestionResult(question_id, results, student.output)
