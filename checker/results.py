"""Outcomes as data: of a property, of a question, of a submission.

A ``PropertyResult`` is what the runner found; its ``message`` is the feedback a
student reads (rendered here and nowhere else). The grader writes these records
as JSON beside Otter's ``results.json`` and ``autograder.results_json`` embeds them
in it, so every tool (the CLI table, the gradebook, the class report) reads the
data, never the message text.
"""

from dataclasses import dataclass, field, fields

MAX_MESSAGE = 3000  # characters of feedback per property

PASSED = "passed"
FAILED = "failed"  # the property does not hold
NOT_IMPLEMENTED = "not implemented"  # the student's own raise NotImplementedError: a stub
UNAVAILABLE = "unavailable"  # file missing, import failed, the function hung before
OUT_OF_TIME = "out of time"  # the question's time budget is used up
BROKEN_RULE = "broken rule"  # the module breaks the spec's import rule: no points
NOT_SCORED = "not scored"  # a law about a function that computes nothing yet
REFUSED = "not graded"  # the grader could not isolate student code here: not the student's fault
NOT_ATTEMPTED = (NOT_IMPLEMENTED, UNAVAILABLE)


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 20] + "\n[... truncated]"


@dataclass(frozen=True)
class PropertyResult:
    question: str
    key: str
    claim: str
    points: float
    hidden: bool
    status: str
    problem: str = ""  # one line: what went wrong
    details: tuple[str, ...] = ()  # the smallest failing calls, expected and got

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def earned(self) -> float:
        return self.points if self.passed else 0.0

    @property
    def message(self) -> str:
        """The feedback text: the claim, the problem, then the details."""
        if self.passed:
            return "passed"
        return clip("\n".join([f"Property: {self.claim}", f"Problem: {self.problem}", *self.details]))

    def as_dict(self) -> dict:
        """As data; a property that passed keeps no claim: a hidden claim is shown only when it fails."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}  # flat: asdict's deep copies cost 0.1 s a grading
        if self.passed:
            data["claim"] = ""
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "PropertyResult":
        fields = {k: data.get(k) for k in ("question", "key", "claim", "points", "hidden", "status", "problem")}
        return cls(**{k: v if v is not None else "" for k, v in fields.items()}, details=tuple(data.get("details") or ()))


@dataclass
class QuestionResult:
    question: str
    properties: list[PropertyResult]
    output: str = ""  # what the student's code printed (clipped)

    @property
    def score(self) -> float:
        return sum(p.earned for p in self.properties)

    @property
    def max_score(self) -> float:
        return sum(p.points for p in self.properties)

    @property
    def failed(self) -> list[PropertyResult]:
        return [p for p in self.properties if not p.passed]

    @property
    def first_problem(self) -> str:
        return next((p.problem for p in self.failed), "")

    def feedback(self) -> str:
        """What a student reads for this question (self-check and Gradescope alike): every
        property, PASS or FAIL, each failure followed by its message."""
        lines = []
        for p in self.properties:
            lines.append(f"[{'PASS' if p.passed else 'FAIL'}] {p.key}")
            if not p.passed:
                lines += ["       " + line for line in p.message.splitlines()]
        return "\n".join(lines)


@dataclass
class GradingRecord:
    """What the grader's kernel knows at the end: every property's outcome and the isolation."""

    isolation: dict[str, str] = field(default_factory=dict)
    level: str = ""
    refused: str = ""  # why student code could not be run here, if it could not
    properties: list[PropertyResult] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "isolation": self.isolation,
            "level": self.level,
            "refused": self.refused,
            "properties": [p.as_dict() for p in self.properties],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "GradingRecord":
        properties = [PropertyResult.from_dict(p) for p in data.get("properties", []) if isinstance(p, dict)]
        isolation = {str(k): str(v) for k, v in (data.get("isolation") or {}).items()}
        return cls(isolation, str(data.get("level") or ""), str(data.get("refused") or ""), properties)

    def question(self, question_id: str) -> QuestionResult:
        return QuestionResult(question_id, [p for p in self.properties if p.question == question_id])
