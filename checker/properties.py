"""Properties: one plain-language claim about a question, its points, and a check.

A check is a function ``check(student)``; most are Hypothesis ``@given`` tests.
``run`` executes one property and turns any failure into the feedback a student
reads: the claim, the smallest failing calls (Hypothesis shrinks them), expected
and got, and for an exception the lines of the student's own file.
"""

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, Verbosity, settings

from checker import feedback
from checker.sandbox import WorkerLost
from checker.student import NOTE_PREFIX, Student, StudentRaised, Unavailable

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    verbosity=Verbosity.normal,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


class PropertyFailed(Exception):
    """A property does not hold; ``expected`` and ``got`` are shown to the student."""

    def __init__(self, what: str, expected=None, got=None, show_calls: bool = True):
        super().__init__(what)
        self.what, self.expected, self.got, self.show_calls = what, expected, got, show_calls


@dataclass(frozen=True)
class Property:
    question: str
    key: str
    claim: str
    points: float
    hidden: bool
    check: Callable[[Student], None]


@dataclass(frozen=True)
class Outcome:
    property: Property
    passed: bool
    message: str


class PropertyList(list):
    """The properties of one question, filled by the ``add`` decorator."""

    def __init__(self, question: str, hidden: bool):
        super().__init__()
        self.question, self.hidden = question, hidden

    def add(self, claim: str, points: float, max_examples: int | None = None):
        def register(check):
            if hasattr(check, "hypothesis"):
                extra = {} if max_examples is None else {"max_examples": max_examples}
                check = settings(SETTINGS, **extra)(check)
            self.append(Property(self.question, check.__name__, claim, points, self.hidden, check))
            return check

        return register


def run(prop: Property, student: Student) -> Outcome:
    """Check one property; never raises for anything the submission does."""
    student.log.clear()
    try:
        prop.check(student)
    except PropertyFailed as failure:
        calls = _calls(failure, student) if failure.show_calls else []
        return _failed(prop, calls + _expected_got(failure), failure.what)
    except StudentRaised as raised:
        where = f"\n{raised.traceback}" if raised.traceback.strip() else ""
        return _failed(prop, _calls(raised, student), f"{raised}{where}")
    except (Unavailable, WorkerLost) as lost:
        return _failed(prop, _calls(lost, student), str(lost))
    except Exception as error:  # a flaky submission, or a grader bug: still a readable message
        return _failed(prop, _calls(error, student), f"the check could not complete ({type(error).__name__}: {error})")
    return Outcome(prop, True, "passed")


def _failed(prop, details, reason) -> Outcome:
    lines = [f"Property: {prop.claim}", f"Problem: {reason}", *details]
    return Outcome(prop, False, feedback.clip("\n".join(lines)))


def _calls(error, student) -> list[str]:
    calls = [n.removeprefix(NOTE_PREFIX) for n in getattr(error, "__notes__", []) if n.startswith(NOTE_PREFIX)]
    calls = calls or student.log
    if not calls:
        return []
    shown = "\n".join(f"  {c}" for c in calls[-3:])
    return [f"Smallest failing example, your calls:\n{shown}"]


def _expected_got(failure: PropertyFailed) -> list[str]:
    if failure.expected is None and failure.got is None:
        return []
    return [f"Expected: {feedback.value(failure.expected)}", f"Got:      {feedback.value(failure.got)}"]
