"""Both grading errors, measured: correct code (ours and public code nobody here wrote) gets full
marks, each realistic bug loses points in its own question only, through the properties that
describe it, and code that computes nothing gets at most a tenth of its question. Public code
nobody here wrote is graded by ``tests/real_code.py``; its recorded outcomes are checked here.

Questions are graded from their own file only (one worker per question), so a
submission's score is assembled from per-file gradings, cached by file text: the
three reference files of a mutant submission are graded once for all. All these
tests share one xdist worker (``xdist_group``), so the cache serves the kill matrix too.
"""

import pytest

from checker.registry import ALL
from tests import kill_matrix, real_code
from tests.conftest import SOLUTIONS, grade_folder, grade_source, submission
from tests.corpus import KINDS, corpus, corpus_id

FILES = {q.id: q.file for q in ALL}
POINTS = {q.id: q.points for q in ALL}
DEGENERATE_CEILING = 0.10
pytestmark = pytest.mark.xdist_group("corpus")


def failures(result) -> list[str]:
    return [p.message for p in result.failed]


def test_reference_gets_full_marks(scratch):
    for result in grade_folder(SOLUTIONS, scratch).values():
        assert result.score == result.max_score, failures(result)


@pytest.mark.parametrize("entry", corpus("correct"), ids=corpus_id)
def test_correct_variant_gets_full_marks(entry, scratch, tmp_path):
    folder = submission(tmp_path, {FILES[entry.question]: entry.source()})
    for result in grade_folder(folder, scratch).values():
        assert result.score == result.max_score, failures(result)


def test_real_code_cases_name_their_source_and_their_recorded_outcome_is_the_expected_one():
    """The real code is not in the repository (``tests/real_code.py`` grades it from its source): at least
    20 cases, each with repository, path and commit, and each recorded as matching its expectation."""
    assert len(real_code.CASES) >= 20
    assert {case.question for case in real_code.CASES} == set(FILES)
    for case in real_code.CASES:
        assert all(source.repo and source.path and len(source.commit) >= 12 for source in case.sources), case.name
    recorded = [line for line in real_code.RESULTS.read_text().splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [line.split(" | ")[0].lstrip("| ") for line in recorded] == [case.name for case in real_code.CASES]
    assert all(line.rstrip(" |").endswith("| ok") for line in recorded), "a real-code outcome differs from its expectation"


@pytest.mark.parametrize("entry", corpus("degenerate"), ids=corpus_id)
def test_code_that_computes_nothing_gets_at_most_a_tenth(entry, scratch):
    result = grade_source(entry.question, entry.source(), scratch)
    assert result.score <= DEGENERATE_CEILING * result.max_score, [p.key for p in result.properties if p.passed]


@pytest.mark.parametrize("entry", corpus("mutants"), ids=corpus_id)
def test_mutant_loses_points_in_its_question_only(entry, scratch, tmp_path):
    folder = submission(tmp_path, {FILES[entry.question]: entry.source()})
    for question_id, result in grade_folder(folder, scratch).items():
        if question_id == entry.question:
            assert result.score < result.max_score, f"{entry.name} was not caught"
        else:
            assert result.score == result.max_score, failures(result)


def test_the_kill_matrix_in_the_repository_is_current(scratch):
    graded = {
        f"{kind}/{entry.question}/{entry.name}": grade_source(entry.question, entry.source(), scratch)
        for kind in KINDS
        for entry in corpus(kind)
    }
    assert kill_matrix.MATRIX.read_text() == kill_matrix.render(graded), "stale: run `python -m tests.kill_matrix`"


def test_corpus_is_large_enough_and_its_mutants_are_distinct():
    mutants, correct = corpus("mutants"), corpus("correct")
    assert len(mutants) >= 40 and len(correct) >= 10
    for kind in KINDS:
        assert {entry.question for entry in corpus(kind)} == set(FILES), kind
    assert len({m.name for m in mutants}) == len(mutants)
    assert len({m.source().split("\n", 2)[2] for m in mutants}) == len(mutants), "two mutants make the same code"
