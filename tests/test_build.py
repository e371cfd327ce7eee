"""What each zip contains, and that the checked-in stubs come from the solutions."""

import shutil
import subprocess
import sys
import zipfile

from autograder.build import LIB_PREFIX, changed_sources
from autograder.stubs import ASSIGNMENT, BLOCK, SOLUTIONS, expected_stubs
from checker.registry import QUESTIONS, properties
from tests.conftest import HIDDEN


def solution_blocks() -> list[set[str]]:
    """The substantial lines of each solution block of the reference."""
    blocks = []
    for q in QUESTIONS:
        for block in BLOCK.finditer((SOLUTIONS / q.file).read_text()):
            blocks.append({line.strip() for line in block.group(0).splitlines() if len(line.strip()) > 20 and "SOLUTION" not in line})
    return blocks


def leaks(text: str, block: set[str]) -> bool:
    """Most of a solution block's lines appear in ``text`` (a line or two may be the spec's own formula)."""
    return sum(line in text for line in block) * 2 > len(block)


def test_checked_in_stubs_are_generated_from_the_solutions():
    for name, source in expected_stubs().items():
        assert (ASSIGNMENT / name).read_text() == source, f"run `python -m autograder stubs` ({name} is stale)"


def test_stubs_keep_signatures_and_docstrings_but_no_solution():
    for source in expected_stubs().values():
        assert "BEGIN SOLUTION" not in source and "NotImplementedError" in source
        assert '"""' in source


def test_student_zip_has_no_reference_code_and_no_hidden_tests(dist):
    with zipfile.ZipFile(dist / "student.zip") as zf:
        names = zf.namelist()
        texts = [zf.read(n).decode(errors="replace") for n in names]
    assert not any(n.startswith(("solutions/", "autograder/", "grader/")) for n in names)
    everything = "\n".join(texts)
    assert len(solution_blocks()) == 8  # one per function of the spec
    assert not any(leaks(text, block) for text in texts for block in solution_blocks())
    hidden_claims = [p.claim for q in QUESTIONS for p in HIDDEN[q.id]]
    assert hidden_claims and not any(claim in everything for claim in hidden_claims)
    assert {q.file for q in QUESTIONS} <= set(names)
    assert "checker/__main__.py" in names and "README.md" in names


def test_autograder_zip_holds_what_grading_needs_and_nothing_else(dist):
    with zipfile.ZipFile(dist / "autograder.zip") as zf:
        names = set(zf.namelist())
        run_autograder = zf.read("run_autograder").decode()
    assert {f"tests/{q.id}.py" for q in QUESTIONS} <= names
    assert "files/driver.ipynb" in names and "files/grader_lib/solutions/nt_xent.py" in names
    assert {n.split("/")[2] for n in names if n.startswith(LIB_PREFIX)} == {"checker", "grader", "solutions"}
    assert run_autograder.splitlines()[-1].startswith("python -I -c") and "grader.gradescope" in run_autograder
    assert "run_otter.py" not in run_autograder  # Otter runs only through grader.gradescope's staging and deadline


def test_points_per_question_match_the_spec():
    for q in QUESTIONS:
        assert sum(p.points for p in [*properties(q.id), *HIDDEN[q.id]]) == q.points
        assert properties(q.id) and HIDDEN[q.id]
        assert not any(p.hidden for p in properties(q.id)) and all(p.hidden for p in HIDDEN[q.id])


def test_autograder_zip_knows_when_its_sources_changed(dist, tmp_path):
    assert changed_sources(dist / "autograder.zip") == []
    stale = tmp_path / "autograder.zip"
    with zipfile.ZipFile(dist / "autograder.zip") as zin, zipfile.ZipFile(stale, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == LIB_PREFIX + "checker/worker.py":
                data += b"\n# an older worker\n"
            if info.filename != LIB_PREFIX + "solutions/mae.py":
                zout.writestr(info, data)
    assert changed_sources(stale) == ["checker/worker.py", "solutions/mae.py"]


def test_the_self_check_runs_from_the_student_release(dist, tmp_path):
    """What a student runs: ``python -m checker`` in the unpacked release, on the stubs, then on a solution."""
    with zipfile.ZipFile(dist / "student.zip") as zf:
        zf.extractall(tmp_path)
    stubs = subprocess.run([sys.executable, "-m", "checker"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert stubs.returncode == 0, stubs.stderr
    assert "is not implemented yet" in stubs.stdout and "q4_mae            0 /" in stubs.stdout
    shutil.copy(SOLUTIONS / "nt_xent.py", tmp_path / "nt_xent.py")
    one = subprocess.run([sys.executable, "-m", "checker", "--question", "q2_nt_xent"], capture_output=True, text=True, cwd=tmp_path)
    public = sum(p.points for p in properties("q2_nt_xent"))
    assert f"q2_nt_xent       {public:g} / {public:g}" in one.stdout, one.stdout[-2000:]
