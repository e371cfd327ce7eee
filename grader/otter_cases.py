"""Otter's side: one ``test_case`` per property, running inside Otter's kernel.

Otter's kernel runs only trusted code (the driver notebook and the test files);
each property calls the student's functions through worker processes. A failed
property raises ``PropertyNotMet`` whose text is the whole feedback message,
because Otter shows only ``str(exception)``. Every outcome is also kept as data
in ``AG_DIR/results/grading.json`` (``checker.results.GradingRecord``), with the
isolation the workers reported, for ``grader.results_json.finalize``.

The kernel's working directory is ``AG_DIR/submission``, which staging left empty;
the student's files are in ``AG_DIR/student``; ``AG_DIR`` is closed to workers.
"""

from pathlib import Path

from otter.test_files import test_case

from checker import results as r
from checker.grading import Session
from checker.registry import QUESTIONS
from checker.sandbox import Limits
from grader import results_json
from grader.gradescope import RECORD, STUDENT
from grader.hidden import hidden_properties

REQUIRED_ISOLATION = "container"  # Gradescope's: own user id, grader's files closed, no network, no processes

_session: Session | None = None
_record = r.GradingRecord()


class PropertyNotMet(Exception):
    pass


def ag_dir() -> Path:
    return Path.cwd().parent


def session() -> Session:
    """The staged submission, graded with Gradescope's required isolation."""
    global _session
    if _session is None:
        _session = Session(
            ag_dir() / STUDENT,
            limits=Limits(require=REQUIRED_ISOLATION),
            hidden=hidden_properties([q.id for q in QUESTIONS]),
            secrets=(str(ag_dir()),),
        )
    return _session


def cases(question_id: str) -> dict[str, test_case]:
    """The test cases of one question, keyed by property name."""
    return {p.key: _case(p) for p in session().properties(question_id)}


def _case(prop) -> test_case:
    def check():
        result = session().check(prop)
        _keep(result, session().student(prop.question)[0].isolation)
        if not result.passed:
            raise PropertyNotMet(result.message)

    return test_case(name=prop.key, points=prop.points, hidden=prop.hidden)(check)


def _keep(result: r.PropertyResult, facts: dict):
    """Add one outcome to the record on disk (rewritten whole: a crash later loses nothing)."""
    from checker.isolation import level

    _record.properties.append(result)
    if facts:
        _record.isolation, _record.level = dict(facts), level(facts)
    if result.status == r.REFUSED and not _record.refused:
        _record.refused = result.problem
    results_json.write(ag_dir() / "results" / RECORD, _record.as_dict())
