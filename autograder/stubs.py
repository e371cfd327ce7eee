"""Write the student stubs from the reference solutions (one source of truth).

Each ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` block of ``solutions/*.py`` is
replaced by ``raise NotImplementedError`` with the enclosing function's name;
everything else (module docstring, imports, signatures, docstrings) is kept.
"""

import re
from pathlib import Path

from autograder.paths import ASSIGNMENT, SOLUTIONS
from checker.registry import ALL_FILES

BLOCK = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n", re.MULTILINE | re.DOTALL)
DEF = re.compile(r"^\s*def (\w+)\(", re.MULTILINE)


def stub_source(solution: str) -> str:
    def replace(match):
        function = DEF.findall(solution[: match.start()])[-1]
        return f'{match["indent"]}raise NotImplementedError("{function} is not implemented yet")\n'

    return BLOCK.sub(replace, solution)


def expected_stubs() -> dict[str, str]:
    return {name: stub_source((SOLUTIONS / name).read_text()) for name in ALL_FILES}


def write_stubs(folder: Path = ASSIGNMENT) -> list[Path]:
    written = []
    for name, source in expected_stubs().items():
        (folder / name).write_text(source)
        written.append(folder / name)
    return written
