"""Properties: one plain-language claim about a question, its points, and a check.

A check is a function ``check(student)``; most are Hypothesis ``@given`` tests.
``run`` executes one property and turns any failure into the feedback a student
reads: the claim, the smallest failing calls (Hypothesis shrinks them), expected
and got, and for an exception the lines of the student's own file.
"""

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, Verbosity, settings

from checker import feedback
from checker.sandbox import WorkerLost
from checker.student import Student, StudentRaised, Unavailable

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    verbosity=Verbosity.normal,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
    report_multiple_bugs=False,  # stop at the first bug: its smallest example is the feedback
    phases=[p for p in Phase if p != Phase.explain],
)
SHRINK_BUDGET = 60  # examples tried after the first failure, shrinking included


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
                check.hypothesis.inner_test = _with_shrink_budget(check.hypothesis.inner_test)
            self.append(Property(self.question, check.__name__, claim, points, self.hidden, check))
            return check

        return register


class ShrinkBudgetSpent(BaseException):
    """Shrinking has tried enough examples; ``failure`` is the smallest found so far."""

    def __init__(self, failure: Exception):
        super().__init__(str(failure))
        self.failure = failure


def _with_shrink_budget(inner_test):
    """Record each example's calls on its failure, and stop shrinking after a budget.

    Hypothesis explores and shrinks examples in order of simplicity, so the latest
    failing example is the smallest seen; grading hundreds of submissions cannot
    afford an unbounded search for an even smaller one.
    """

    def budgeted(student, *args, **kwargs):
        student.log.clear()
        if student.examples_after_failure:
            student.examples_after_failure += 1
        try:
            return inner_test(student, *args, **kwargs)
        except Exception as failure:
            failure.calls = list(student.log)
            student.examples_after_failure = student.examples_after_failure or 1
            if student.examples_after_failure > SHRINK_BUDGET:
                raise ShrinkBudgetSpent(failure) from None
            raise

    return budgeted


def run(prop: Property, student: Student) -> Outcome:
    """Check one property; never raises for anything the submission does."""
    student.log.clear()
    student.examples_after_failure = 0
    try:
        try:
            prop.check(student)
        except ShrinkBudgetSpent as spent:
            raise spent.failure from None
    except PropertyFailed as failure:
        calls = _calls(failure, student) if failure.show_calls else []
        return _failed(prop, calls + _expected_got(failure), failure.what)
    except StudentRaised as raised:
        if raised.error_type == "NotImplementedError":
            return _failed(prop, [], f"{raised.function} is not implemented yet (it raises NotImplementedError)")
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
    calls = getattr(error, "calls", None) or student.log
    if not calls:
        return []
    shown = "\n".join(f"  {c}" for c in calls[-3:])
    return [f"Smallest failing example, your calls:\n{shown}"]


def _expected_got(failure: PropertyFailed) -> list[str]:
    if failure.expected is None and failure.got is None:
        return []
    return [f"Expected: {feedback.value(failure.expected)}", f"Got:      {feedback.value(failure.got)}"]
