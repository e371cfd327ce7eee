"""Shared fixtures: the built zips, submissions assembled from the reference and the corpus."""

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from autograder.build import build
from autograder.paths import ROOT, SOLUTIONS
from checker.grading import Session
from checker.registry import ALL, question
from checker.results import QuestionResult
from grader.hidden import hidden_properties

HIDDEN = hidden_properties([q.id for q in ALL])


def submission(folder: Path, replacements: dict[str, Path | str] | None = None) -> Path:
    """A folder holding the reference files of every question, some replaced (path or source text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for q in ALL:
        shutil.copy(SOLUTIONS / q.file, folder / q.file)
    for name, source in (replacements or {}).items():
        text = source.read_text() if isinstance(source, Path) else source
        (folder / name).write_text(text)
    return folder


@cache
def grade_source(question_id: str, source: str, tmp: Path) -> QuestionResult:
    """Grade one question from one file's text (each question reads only its own file)."""
    folder = tmp / f"{question_id}-{abs(hash(source))}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / question(question_id).file).write_text(source)
    return Session(folder, hidden=HIDDEN).grade(question_id)


def grade_folder(folder: Path, tmp: Path) -> dict[str, QuestionResult]:
    """Every question, extensions included, graded in-process."""
    return {q.id: grade_source(q.id, (folder / q.file).read_text(), tmp) for q in ALL}


@pytest.fixture(scope="session")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("graded")


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    build(folder)
    return folder


@pytest.fixture(scope="session")
def dist_extensions(tmp_path_factory) -> Path:
    """The zips of a release with all seven questions (``build --with-extensions``)."""
    folder = tmp_path_factory.mktemp("dist-extensions")
    build(folder, questions=ALL)
    return folder


MODES = {  # how the grading CLI is started: as on this machine, or as inside Gradescope's container
    "namespaces": [],
    "docker defaults": [sys.executable, str(ROOT / "tests" / "docker_defaults.py")],
}


def run_grade(
    dist: Path, submission_path: Path, results: Path, mode: str = "namespaces", wrapper=()
) -> tuple[subprocess.CompletedProcess, dict]:
    """``python -m autograder grade`` as an instructor runs it (``mode``: see ``MODES``)."""
    command = [
        *wrapper,
        *MODES[mode],
        sys.executable,
        "-m",
        "autograder",
        "grade",
        str(submission_path),
        "--results",
        str(results),
        "--autograder",
        str(dist / "autograder.zip"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    return done, json.loads(results.read_text())


def scores(results: dict) -> dict[str, float]:
    return {t["name"]: t["score"] for t in results["tests"] if t.get("name") in {q.id for q in ALL}}
