"""The grading corpus: what a grader must score right, by kind.

``correct`` (our variants of the reference, one file each under ``correct/<question>/``),
``degenerate`` (code that computes nothing, under ``degenerate/<question>/``) and
``mutants`` (one realistic bug each, written as edits of the reference in ``mutants.py``).
Every entry has ``question``, ``name`` and ``source()``.
"""

from dataclasses import dataclass
from pathlib import Path

from tests.corpus.mutants import MUTANTS, Mutant

HERE = Path(__file__).resolve().parent
KINDS = ("correct", "degenerate", "mutants")


@dataclass(frozen=True)
class CorpusFile:
    path: Path  # <kind>/<question>/<name>.py

    @property
    def question(self) -> str:
        return self.path.parent.name

    @property
    def name(self) -> str:
        return self.path.stem

    def source(self) -> str:
        return self.path.read_text()


def corpus(kind: str) -> "list[CorpusFile | Mutant]":
    if kind == "mutants":
        return sorted(MUTANTS, key=lambda m: (m.question, m.name))
    return [CorpusFile(path) for path in sorted((HERE / kind).glob("q*/*.py"))]


def corpus_id(entry: "CorpusFile | Mutant") -> str:
    return f"{entry.question}/{entry.name}"
