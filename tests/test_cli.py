"""The instructor CLI end to end: build, grade through Otter, feedback, determinism."""

import subprocess
import sys
import zipfile

from autograder.paths import ASSIGNMENT, ROOT, SOLUTIONS
from checker.registry import ALL, QUESTIONS
from tests.conftest import run_grade, scores, submission
from tests.corpus.mutants import mutant

FULL = {q.id: q.points for q in QUESTIONS}


def test_reference_gets_full_marks_through_grade(dist, tmp_path):
    done, results = run_grade(dist, SOLUTIONS, tmp_path / "results.json")
    assert done.returncode == 0, done.stderr
    assert scores(results) == FULL
    for q in QUESTIONS:
        assert q.id in done.stdout
    assert f"isolation: {results['extra_data']['level']} (" in done.stdout


def test_the_cli_process_grades_without_importing_torch(dist, tmp_path):
    """torch is imported by Otter's kernel and shared with the workers; the CLI only reads results."""
    code = (
        "import sys; from autograder.cli import main; "
        f"main(['grade', {str(SOLUTIONS)!r}, '--results', {str(tmp_path / 'results.json')!r}, "
        f"'--autograder', {str(dist / 'autograder.zip')!r}]); "
        "print('torch imported:', 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "total           100   100" in done.stdout
    assert done.stdout.rstrip().endswith("torch imported: False")


def test_results_say_which_isolation_was_in_force(dist, tmp_path):
    _, results = run_grade(dist, SOLUTIONS, tmp_path / "results.json")
    extra = results["extra_data"]
    assert extra["status"] == "graded" and extra["level"] in ("container", "namespaces")
    assert extra["isolation"]["network"].startswith("none")
    entry = next(t for t in results["tests"] if t["name"] == "isolation")
    assert entry["visibility"] == "hidden" and f"isolation '{extra['level']}'" in entry["output"]
    assert len(extra["properties"]) == sum(1 for p in extra["properties"] if p["status"] == "passed") > 40


def test_an_unreadable_upload_gets_a_valid_results_file_and_runs_nothing(dist, tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "junk.zip").write_bytes(bytes(range(100)))
    marker = tmp_path / "ran"
    (folder / "otter.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    done, results = run_grade(dist, folder, tmp_path / "results.json")
    assert done.returncode == 0, done.stderr
    assert scores(results) == {q.id: 0 for q in QUESTIONS}
    assert all("junk.zip is not a zip file" in t["output"] for t in results["tests"] if t["name"] in FULL)
    assert results["extra_data"]["status"] == "upload rejected" and not marker.exists()


def test_untouched_stubs_get_zero_with_a_message_per_question(dist, tmp_path):
    done, results = run_grade(dist, ASSIGNMENT, tmp_path / "results.json")
    assert done.returncode == 0
    assert scores(results) == {q.id: 0 for q in QUESTIONS}
    for entry in results["tests"]:
        if entry["name"] in FULL:
            assert "is not implemented yet" in entry["output"]
            assert "Traceback" not in entry["output"]


def test_missing_file_costs_only_its_question(dist, tmp_path):
    folder = submission(tmp_path / "sub")
    (folder / "rotation.py").unlink()
    done, results = run_grade(dist, folder, tmp_path / "results.json")
    assert scores(results) == {**FULL, "q3_rotation": 0}
    q3 = next(t for t in results["tests"] if t["name"] == "q3_rotation")
    assert "rotation.py was not found in your submission" in q3["output"]


def test_nested_zip_with_extra_files_is_graded(dist, tmp_path):
    archive = tmp_path / "handin.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for q in QUESTIONS:
            zf.write(SOLUTIONS / q.file, f"my-work/{q.file}")
        zf.writestr("my-work/torch.py", "raise SystemExit('a stray file must never be imported')")
        zf.writestr("my-work/notes.txt", "ignored")
    done, results = run_grade(dist, archive, tmp_path / "results.json")
    assert scores(results) == FULL


def test_several_bugs_each_cost_only_their_question_and_grading_is_reproducible(dist, tmp_path):
    folder = submission(
        tmp_path / "sub",
        {
            "nt_xent.py": mutant("no_self_mask").source(),
            "mae.py": mutant("inverted_mask").source(),
        },
    )
    _, first = run_grade(dist, folder, tmp_path / "first.json")
    _, second = run_grade(dist, folder, tmp_path / "second.json")
    got = scores(first)
    assert got["q1_cosine"] == FULL["q1_cosine"] and got["q3_rotation"] == FULL["q3_rotation"]
    assert got["q2_nt_xent"] < FULL["q2_nt_xent"] and got["q4_mae"] < FULL["q4_mae"]
    assert first == second


def test_feedback_is_the_records_own_words_failures_with_their_smallest_call(dist, tmp_path):
    """Each question's output is rendered from the grading record, as the self-check shows it:
    no Otter "Error at line N in test ..." pointing into the grader, no exception class names."""
    folder = submission(tmp_path / "sub", {"nt_xent.py": mutant("exp_then_log").source()})
    _, results = run_grade(dist, folder, tmp_path / "results.json")
    q2 = next(t for t in results["tests"] if t["name"] == "q2_nt_xent")
    assert q2["output"].startswith(f"q2_nt_xent: {q2['score']:g} / 30 points\n")
    assert "[FAIL] stable_in_float32" in q2["output"] and "[PASS] anchor_values" in q2["output"]
    assert "Smallest failing example" in q2["output"] and "torch.logsumexp" in q2["output"]
    for entry in results["tests"]:
        assert "Error at line" not in entry.get("output", "") and "PropertyNotMet" not in entry.get("output", "")


def test_a_release_with_extensions_grades_all_seven_questions(dist_extensions, tmp_path):
    """``build --with-extensions``: the reference gets 155/155, the stubs 0, and a DINO bug costs points in q7 only."""
    done, results = run_grade(dist_extensions, SOLUTIONS, tmp_path / "reference.json")
    assert done.returncode == 0, done.stderr
    assert scores(results) == {q.id: q.points for q in ALL} and "total           155   155" in done.stdout
    _, results = run_grade(dist_extensions, ASSIGNMENT, tmp_path / "stubs.json")
    assert scores(results) == {q.id: 0 for q in ALL}
    folder = submission(tmp_path / "bug", {"dino.py": mutant("own_crop_paired").source()})
    _, results = run_grade(dist_extensions, folder, tmp_path / "bug.json")
    graded = scores(results)
    assert graded.pop("q7_dino") < 20 and graded == {q.id: q.points for q in ALL if q.id != "q7_dino"}
