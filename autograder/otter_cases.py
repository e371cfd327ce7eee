"""Otter's side: one ``test_case`` per property, running inside Otter's kernel.

Otter's kernel runs only trusted code (the driver notebook and the test files);
each property calls the student's functions through worker processes. A failed
property raises ``PropertyNotMet`` whose text is the whole feedback message,
because Otter shows only ``str(exception)``.
"""

from pathlib import Path

from otter.test_files import test_case

from checker import properties as props
from checker.grading import Session
from checker.registry import properties

_session: Session | None = None


class PropertyNotMet(Exception):
    pass


def session() -> Session:
    """The submission in Otter's working directory (the staged student files)."""
    global _session
    if _session is None:
        _session = Session(Path.cwd())
    return _session


def cases(question_id: str) -> dict[str, test_case]:
    """The test cases of one question, keyed by property name."""
    return {p.key: _case(p) for p in properties(question_id)}


def _case(prop: props.Property) -> test_case:
    def check():
        outcome = props.run(prop, session().student(prop.question))
        if not outcome.passed:
            raise PropertyNotMet(outcome.message)

    return test_case(name=prop.key, points=prop.points, hidden=prop.hidden)(check)
