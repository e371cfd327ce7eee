"""Build ``dist/autograder.zip`` (for Gradescope and ``otter run``) and ``dist/student.zip``.

The autograder zip is Otter's own (``otter generate``), with:
- one exception-based test file per question, named by question id;
- ``files/driver.ipynb``: the one-cell notebook Otter executes (trusted code only);
- ``files/grader_lib/``: what grading needs, and only that: the ``checker`` and
  ``grader`` packages and the reference solutions (not the instructor's tools);
- a ``run_autograder`` whose last step is ``grader.gradescope`` instead of Otter's
  bare run: it stages the upload, runs Otter with a deadline, finalizes results.json.

The student zip holds the stubs, the student README, the public properties and
the self-check command; never the reference solutions or hidden properties.

Both hold exactly the release's questions (the core four unless ``--questions``
says otherwise): ``checker/release.json`` names them, the autograder has one test
file per question, and the student zip holds their stubs and a README whose
question table lists them.
"""

import json
import re
import shutil
import tempfile
import zipfile
from contextlib import chdir
from pathlib import Path

from autograder.paths import ASSIGNMENT, DIST, REQUIREMENTS, ROOT
from checker.registry import ALL, CORE, RELEASE_FILE, Question, select

GRADESCOPE_REQUIREMENTS = REQUIREMENTS / "gradescope.txt"  # the whole pinned pip environment
TORCH_PINS = {"cpu": "torch==2.13.0+cpu", "cuda": "torch==2.13.0"}  # cuda: PyPI's Linux build, which pins its nvidia-* wheels
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
PYTHON_VERSION = "3.11"
OTTER_CONFIG = {"lang": "python", "show_hidden": True, "show_stdout": False, "logo": False}
LIB_DIR = "grader_lib"  # holds the packages below; Otter ships it under files/
LIB_PACKAGES = ("checker", "grader", "solutions")
LIB_PREFIX = f"files/{LIB_DIR}/"
ENTRY_CODE = "import sys; sys.path.insert(0, sys.argv[1]); from grader.gradescope import main; sys.exit(main(sys.argv[2:]))"
GRADESCOPE_COMMAND = f"python -I -c '{ENTRY_CODE}' /autograder/source/{LIB_PREFIX} /autograder\n"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")
README_TABLE = re.compile(r"(<!-- BEGIN QUESTIONS[^\n]*-->\n).*?(<!-- END QUESTIONS -->)", re.DOTALL)

TEST_FILE = '''"""Otter test file for {question} (written by `python -m autograder build`)."""
from grader.otter_cases import cases

OK_FORMAT = False
name = "{question}"
globals().update(cases(name))
'''

DRIVER_SOURCE = f"""\
# Trusted driver: Otter runs this notebook; student code only runs in worker processes.
import os
import sys

# Only the autograder's own copy of the grading code is importable: not the working directory.
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
sys.path.insert(0, os.path.join(os.path.dirname(os.getcwd()), "source", "{LIB_PREFIX}"))
from checker import sandbox  # noqa: E402

# The fork server shares this kernel's torch; forked before any test, reference or hidden property is imported.
sandbox.fork_zygote_here()
"""


def driver_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(DRIVER_SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def pip_requirements(torch: str = "cpu") -> str:
    """The pip section of environment.yml: ``requirements/gradescope.txt``, CPU torch unless asked."""
    text = GRADESCOPE_REQUIREMENTS.read_text()
    if TORCH_PINS["cpu"] not in text.splitlines():
        raise RuntimeError(f"{GRADESCOPE_REQUIREMENTS} does not pin {TORCH_PINS['cpu']}")
    if torch == "cuda":
        text = text.replace(CPU_INDEX + "\n", "").replace(TORCH_PINS["cpu"] + "\n", TORCH_PINS["cuda"] + "\n")
    return text


def release_json(questions: tuple[Question, ...]) -> str:
    return json.dumps({"questions": [q.id for q in questions]})


def release_of(autograder_zip: Path) -> tuple[Question, ...]:
    """The questions an autograder zip grades (the core four for a zip without ``release.json``)."""
    with zipfile.ZipFile(autograder_zip) as zf:
        try:
            return select(json.loads(zf.read(f"{LIB_PREFIX}checker/{RELEASE_FILE}"))["questions"])
        except KeyError:
            return CORE


def student_readme(questions: tuple[Question, ...]) -> str:
    """``assignment/README.md`` with its question table listing ``questions``."""
    rows = "".join(f"| `{q.id}` | `{q.file}` | {q.summary} | {q.points} |\n" for q in questions)
    table = f"| question | file | you implement | points |\n| --- | --- | --- | --- |\n{rows}"
    return README_TABLE.sub(lambda m: m[1] + table + m[2], (ASSIGNMENT / "README.md").read_text(), count=1)


def build_autograder(out: Path, torch: str = "cpu", questions: tuple[Question, ...] = CORE) -> Path:
    import nbformat  # Otter and nbformat only when building: `grade` and `merge` start without them
    from otter.generate import main as otter_generate

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "requirements.txt").write_text(pip_requirements(torch))
        tests = work / "tests"
        tests.mkdir()
        for q in questions:
            (tests / f"{q.id}.py").write_text(TEST_FILE.format(question=q.id))
        lib = work / LIB_DIR
        for package in LIB_PACKAGES:
            shutil.copytree(ROOT / package, lib / package, ignore=IGNORED)
        (lib / "checker" / RELEASE_FILE).write_text(release_json(questions))
        nbformat.write(driver_notebook(), work / "driver.ipynb")
        (work / "otter_config.json").write_text(json.dumps(OTTER_CONFIG))
        with chdir(work):
            otter_generate(
                tests_dir="tests",
                output_path=str(work / "otter.zip"),
                config="otter_config.json",
                requirements="requirements.txt",
                overwrite_requirements=True,
                no_environment=True,
                files=["driver.ipynb", LIB_DIR],
                python_version=PYTHON_VERSION,
            )
        _rewrite_with_staging(work / "otter.zip", out)
    return out


def _rewrite_with_staging(source: Path, out: Path):
    """Copy Otter's zip, its ``run_autograder`` ending in ``grader.gradescope`` instead of a bare Otter run."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "run_autograder":
                lines = data.decode().splitlines(keepends=True)
                assert "run_otter.py" in lines[-1], lines[-1]
                data = "".join(lines[:-1] + [GRADESCOPE_COMMAND]).encode()
            zout.writestr(info, data)


def changed_sources(autograder_zip: Path) -> list[str]:
    """Source files (``checker``, ``autograder``, ``solutions``) whose text differs from the
    copy inside ``autograder_zip``, or that one of them lacks; compared by content."""
    with zipfile.ZipFile(autograder_zip) as zf:
        built = {name[len(LIB_PREFIX) :]: zf.read(name) for name in zf.namelist() if name.startswith(LIB_PREFIX) and name.endswith(".py")}
    sources = {str(p.relative_to(ROOT)): p.read_bytes() for package in LIB_PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}
    return sorted(name for name in built.keys() | sources.keys() if built.get(name) != sources.get(name))


def build_student(out: Path, questions: tuple[Question, ...] = CORE) -> Path:
    """The stubs and demo of ``assignment/`` (other questions' stubs left out), its README for
    ``questions``, and the ``checker`` package with the public properties of ``questions``."""
    others = [q for q in ALL if q not in questions]
    left_out = {q.file for q in others}  # their stubs
    left_out_properties = {f"{q.id}.py" for q in others}
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(ASSIGNMENT.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.name not in left_out and path.name != "README.md":
                zf.write(path, path.relative_to(ASSIGNMENT))
        zf.writestr("README.md", student_readme(questions))
        for path in sorted((ROOT / "checker").rglob("*.py")):
            if not (path.parent.name == "questions" and path.name in left_out_properties):
                zf.write(path, path.relative_to(ROOT))
        zf.writestr(f"checker/{RELEASE_FILE}", release_json(questions))
    return out


def build(dist: Path = DIST, torch: str = "cpu", questions: tuple[Question, ...] = CORE) -> tuple[Path, Path]:
    return build_autograder(dist / "autograder.zip", torch, questions), build_student(dist / "student.zip", questions)
