"""Both grading errors, measured: correct variants get full marks, each mutant loses
points in its own question and nowhere else.

Questions are graded from their own file only (one worker per question), so a
submission's score is assembled from per-file gradings, cached by file text:
the three reference files of a mutant submission are graded once for all.
"""

import pytest

from checker.registry import QUESTIONS
from tests.conftest import SOLUTIONS, corpus, corpus_id, grade_folder, submission

FILES = {q.id: q.file for q in QUESTIONS}


def failures(result) -> list[str]:
    return [p.message for p in result.failed]


def test_reference_gets_full_marks(scratch):
    for result in grade_folder(SOLUTIONS, scratch).values():
        assert result.score == result.max_score, failures(result)


@pytest.mark.parametrize("path", corpus("correct"), ids=corpus_id)
def test_correct_variant_gets_full_marks(path, scratch, tmp_path):
    folder = submission(tmp_path, {FILES[path.parent.name]: path})
    for result in grade_folder(folder, scratch).values():
        assert result.score == result.max_score, failures(result)


@pytest.mark.parametrize("path", corpus("mutants"), ids=corpus_id)
def test_mutant_loses_points_in_its_question_only(path, scratch, tmp_path):
    folder = submission(tmp_path, {FILES[path.parent.name]: path})
    for question_id, result in grade_folder(folder, scratch).items():
        if question_id == path.parent.name:
            assert result.score < result.max_score, f"{path.stem} was not caught"
        else:
            assert result.score == result.max_score, failures(result)


def test_corpus_is_large_enough():
    mutants, correct = corpus("mutants"), corpus("correct")
    assert len(mutants) >= 40 and len(correct) >= 10
    assert {p.parent.name for p in mutants} == {p.parent.name for p in correct} == set(FILES)
