"""Properties: one plain-language claim about a question, its points, and a check.

A check is a function ``check(student)``; most are Hypothesis ``@given`` tests.
``run`` executes one property and turns any failure into a ``PropertyResult``:
the claim, the smallest failing calls (Hypothesis shrinks them), expected and
got, and for an exception the lines of the student's own file.
"""

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, settings

from checker import feedback
from checker import results as r
from checker.sandbox import SandboxUnavailable, WorkerLost
from checker.student import BudgetSpent, Student, StudentRaised, Unavailable

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
SHOWN_CALLS = 3
# Examples per Hypothesis property (benchmarks/EXAMPLES_RESULTS.md: on the whole corpus and the
# real code every property finds at 3 to 6 all it finds at 25; a margin for bugs nobody here wrote).
SUBSTANCE_EXAMPLES = 8  # agreement with the reference, closed forms, gradients, stability: random inputs find bugs
LAW_EXAMPLES = 4  # laws, dtypes, devices, errors, unchanged inputs


class PropertyFailed(Exception):
    """A property does not hold; ``expected`` and ``got`` are shown to the student."""

    def __init__(self, what: str, expected=None, got=None, show_calls: bool = True, cause: str = ""):
        super().__init__(what)
        self.what, self.expected, self.got, self.show_calls, self.cause = what, expected, got, show_calls, cause


@dataclass(frozen=True)
class Property:
    question: str
    key: str
    claim: str
    points: float
    hidden: bool
    check: Callable[[Student], None]
    about: tuple[str, ...] = ()  # the functions it is about
    law: bool = False  # a law, discipline or form: earned only where those functions compute something
    gate: bool = False  # no points: says whether the function it is about computes something at all


class PropertyList(list):
    """The properties of one question, filled by the ``add`` decorator."""

    def __init__(self, question: str, hidden: bool):
        super().__init__()
        self.question, self.hidden = question, hidden

    def add(
        self, claim: str, points: float, about: tuple[str, ...], law: bool = False, max_examples: int | None = None, gate: bool = False
    ):
        def register(check):
            if hasattr(check, "hypothesis"):
                budget = max_examples or (LAW_EXAMPLES if law else SUBSTANCE_EXAMPLES)
                check = settings(SETTINGS, max_examples=budget)(check)
                check.hypothesis.inner_test = _with_shrink_budget(check.hypothesis.inner_test)
            self.append(Property(self.question, check.__name__, claim, points, self.hidden, check, about, law, gate))
            return check

        return register

    def gate(self, function: str, claim: str):
        """A property worth no points whose failure withholds the points of the laws about ``function``."""
        return self.add(claim, 0, about=(function,), gate=True)


@dataclass
class Runner:
    """The state of one property's run: the calls of the current example, and how many
    examples were tried since the first failure."""

    calls: list[str] = field(default_factory=list)
    examples_after_failure: int = 0

    def record(self, function: str, args, kwargs):
        self.calls.append(feedback.call(function, args, kwargs))


_RUNNER: contextvars.ContextVar[Runner] = contextvars.ContextVar("runner")


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
        runner = _RUNNER.get()
        runner.calls.clear()
        if runner.examples_after_failure:
            runner.examples_after_failure += 1
        try:
            return inner_test(student, *args, **kwargs)
        except Exception as failure:
            failure.calls = list(runner.calls)
            runner.examples_after_failure = runner.examples_after_failure or 1
            if runner.examples_after_failure > SHRINK_BUDGET:
                raise ShrinkBudgetSpent(failure) from None
            raise

    return budgeted


def run(prop: Property, student: Student) -> r.PropertyResult:
    """Check one property; never raises for anything the submission does."""
    runner = Runner()
    token = _RUNNER.set(runner)
    student.observer = runner.record
    try:
        status, problem, details = _check(prop, student, runner)
    finally:
        student.observer = None
        _RUNNER.reset(token)
    return r.PropertyResult(prop.question, prop.key, prop.claim, prop.points, prop.hidden, status, problem, tuple(details))


def _check(prop: Property, student: Student, runner: Runner) -> tuple[str, str, list[str]]:
    try:
        try:
            prop.check(student)
        except ShrinkBudgetSpent as spent:
            raise spent.failure from None
    except PropertyFailed as failure:
        calls = _calls(failure, runner) if failure.show_calls else []
        cause = [f"Likely cause: {failure.cause}"] if failure.cause else []
        return r.FAILED, failure.what, calls + _expected_got(failure) + cause
    except StudentRaised as raised:
        if raised.not_implemented:
            return r.NOT_IMPLEMENTED, f"{raised.function} is not implemented yet (it raises NotImplementedError)", []
        where = [raised.traceback] if raised.traceback.strip() else []
        return r.FAILED, str(raised), where + _calls(raised, runner)
    except SandboxUnavailable as refused:
        return r.REFUSED, f"not graded: {refused} (a problem of the grading machine, not of your code)", []
    except BudgetSpent as spent:
        return r.OUT_OF_TIME, str(spent), _calls(spent, runner)
    except (Unavailable, WorkerLost) as lost:
        return r.UNAVAILABLE if isinstance(lost, Unavailable) else r.FAILED, str(lost), _calls(lost, runner)
    except Exception as error:  # a flaky submission, or a grader bug: still a readable message
        return r.FAILED, f"the check could not complete ({type(error).__name__}: {error})", _calls(error, runner)
    return r.PASSED, "", []


def _calls(error, runner: Runner) -> list[str]:
    calls = getattr(error, "calls", None) or runner.calls
    if not calls:
        return []
    shown = "\n".join(f"  {c}" for c in calls[-SHOWN_CALLS:])
    return [f"Smallest failing example, your calls:\n{shown}"]


def _expected_got(failure: PropertyFailed) -> list[str]:
    if failure.expected is None and failure.got is None:
        return []
    return [f"Expected: {feedback.value(failure.expected)}", f"Got:      {feedback.value(failure.got)}"]
