"""What each zip contains, and that the checked-in stubs come from the solutions."""

import json
import shutil
import subprocess
import sys
import zipfile

from autograder.build import LIB_PREFIX, changed_sources, release_of, student_readme
from autograder.stubs import ASSIGNMENT, BLOCK, SOLUTIONS, expected_stubs
from checker.registry import ALL, CORE, EXTENSIONS, properties, question, select
from tests.conftest import HIDDEN


def solution_blocks() -> list[set[str]]:
    """The substantial lines of each solution block of the reference (every question's)."""
    blocks = []
    for q in ALL:
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
    assert len(solution_blocks()) == 15  # one per function of the spec, extensions included
    assert not any(leaks(text, block) for text in texts for block in solution_blocks())
    hidden_claims = [p.claim for q in ALL for p in HIDDEN[q.id]]
    assert hidden_claims and not any(claim in everything for claim in hidden_claims)
    assert {q.file for q in CORE} <= set(names)
    assert "checker/__main__.py" in names and "README.md" in names


def test_autograder_zip_holds_what_grading_needs_and_nothing_else(dist):
    with zipfile.ZipFile(dist / "autograder.zip") as zf:
        names = set(zf.namelist())
        run_autograder = zf.read("run_autograder").decode()
    assert {f"tests/{q.id}.py" for q in CORE} <= names
    assert "files/driver.ipynb" in names and "files/grader_lib/solutions/nt_xent.py" in names
    assert {n.split("/")[2] for n in names if n.startswith(LIB_PREFIX)} == {"checker", "grader", "solutions"}
    assert run_autograder.splitlines()[-1].startswith("python -I -c") and "grader.gradescope" in run_autograder
    assert "run_otter.py" not in run_autograder  # Otter runs only through grader.gradescope's staging and deadline


def test_points_per_question_match_the_spec():
    assert [(q.id, q.file, q.points) for q in EXTENSIONS] == [
        ("q5_moco", "moco.py", 20),
        ("q6_byol", "byol.py", 15),
        ("q7_dino", "dino.py", 20),
    ]
    for q in ALL:
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


def _release(zip_path) -> tuple[set[str], dict]:
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        release = json.loads(zf.read(next(n for n in names if n.endswith("checker/release.json"))))
        readme = zf.read("README.md").decode() if "README.md" in names else ""
    return names, {"questions": release["questions"], "readme": readme}


def test_the_default_release_is_the_core_four(dist):
    """Default build: four tests, four stubs, the committed student README; no extension file anywhere."""
    assert release_of(dist / "autograder.zip") == CORE
    names, release = _release(dist / "autograder.zip")
    assert {n for n in names if n.startswith("tests/")} == {f"tests/{q.id}.py" for q in CORE}
    names, release = _release(dist / "student.zip")
    assert release["questions"] == [q.id for q in CORE]
    assert not {q.file for q in EXTENSIONS} & names and not any(f"questions/{q.id}" in n for q in EXTENSIONS for n in names)
    assert release["readme"] == (ASSIGNMENT / "README.md").read_text() == student_readme(CORE)


def test_a_release_with_extensions_holds_exactly_the_selected_questions(dist_extensions, tmp_path):
    """``build --with-extensions``: seven tests, seven stubs, a README table of seven, and a self-check of seven."""
    assert release_of(dist_extensions / "autograder.zip") == ALL
    names, _ = _release(dist_extensions / "autograder.zip")
    assert {n for n in names if n.startswith("tests/")} == {f"tests/{q.id}.py" for q in ALL}
    names, release = _release(dist_extensions / "student.zip")
    assert {q.file for q in ALL} <= names and release["questions"] == [q.id for q in ALL]
    assert all(f"| `{q.id}` | `{q.file}` |" in release["readme"] and f"| {q.points} |" in release["readme"] for q in ALL)
    with zipfile.ZipFile(dist_extensions / "student.zip") as zf:
        zf.extractall(tmp_path)
    stubs = subprocess.run([sys.executable, "-m", "checker", "--question", "q7_dino"], capture_output=True, text=True, cwd=tmp_path)
    assert "dino_loss is not implemented yet" in stubs.stdout, stubs.stdout[-2000:] + stubs.stderr


def test_build_selects_questions_by_id():
    """``--questions`` takes ids in any order and releases them in the assignment's order; an unknown id is refused
    before anything is built."""
    assert select(["q6_byol", "q1_cosine"]) == (question("q1_cosine"), question("q6_byol"))
    unknown = subprocess.run([sys.executable, "-m", "autograder", "build", "--questions", "q9_simsiam"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "unknown question(s) q9_simsiam" in unknown.stderr
