"""What Gradescope runs (``run_autograder`` calls ``main``), and what ``grade`` runs locally.

    python -I -c '...; from grader.gradescope import main; main()' AG_DIR [UPLOAD]

``AG_DIR`` is laid out as on Gradescope: ``source/`` (the unpacked autograder zip),
``submission/`` (the upload), ``results/``. In order, all trusted code:

1. Stage the upload (``UPLOAD``, default ``AG_DIR/submission``) into
   ``AG_DIR/student``: only the release's student files, never on any import path.
   ``AG_DIR/submission`` is left empty whatever happens, so Otter's kernel, whose
   working directory it is, never sees a file of the student's.
2. Run Otter's own grading (``otter.run.run_autograder.main``) in a subprocess,
   with a deadline inside Gradescope's 10 minutes; at the deadline, the whole
   process tree (kernel, zygote, workers) is killed.
3. Write ``AG_DIR/results/results.json`` from Otter's results and the kernel's
   record (``grader.results_json.finalize``): complete and valid in every case.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from checker.results import GradingRecord
from grader import results_json, stage

OTTER_DEADLINE_SECONDS = 510  # Gradescope stops run_autograder at 600 s by default: keep time to write results
RECORD = "grading.json"  # written by the kernel (grader.otter_cases) beside Otter's results.json
STUDENT = "student"  # where the staged files live, outside the submission folder


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    ag = Path(args[0]).resolve()
    upload = Path(args[1]) if len(args) > 1 else ag / "submission"
    results = ag / "results"
    results.mkdir(parents=True, exist_ok=True)
    for stale in (results / "results.json", results / RECORD):
        stale.unlink(missing_ok=True)
    try:
        staged = stage.stage_upload(upload, ag / STUDENT) if upload == ag / "submission" else stage.stage(upload, ag / STUDENT)
    except stage.UploadRejected as rejected:
        results_json.write(results / "results.json", results_json.failure(str(rejected), upload=True))
        return 0
    except Exception as error:  # the grader's own failure: nothing of the upload is left to run
        results_json.write(results / "results.json", results_json.failure(f"the upload could not be staged ({type(error).__name__})"))
        return 0
    problem = run_otter(ag)
    final = results_json.finalize(results_json.read(results / "results.json"), _read_record(results / RECORD), staged.notes, problem)
    results_json.write(results / "results.json", final)
    return 0


def run_otter(ag: Path, deadline: float = OTTER_DEADLINE_SECONDS) -> str:
    """Otter's grading of ``ag`` in a subprocess; returns why it did not finish, or ''."""
    (ag / "submission").mkdir(exist_ok=True)
    # Once main returns, results.json is written: exit without joining Otter's logging thread (it polls once a second).
    code = (
        "import os, sys; from otter.run.run_autograder import main; main(sys.argv[1]); sys.stdout.flush(); sys.stderr.flush(); os._exit(0)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["MALLOC_ARENA_MAX"] = "2"  # the kernel's threads would each grow a heap of their own: memory is the scarce resource
    process = subprocess.Popen([sys.executable, "-I", "-c", code, str(ag)], cwd=ag, env=env, start_new_session=True)
    try:
        process.wait(timeout=deadline)
    except subprocess.TimeoutExpired:
        kill_tree(process.pid)
        process.wait()
        return f"grading took longer than {deadline:g} s and was stopped"
    finally:
        kill_tree(process.pid)  # a worker or kernel left behind must not outlive the grading
    return "" if process.returncode == 0 else f"Otter stopped with exit code {process.returncode}"


def _descendants(pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def kill_tree(pid: int):
    """SIGKILL ``pid`` and all its descendants (collected first, while the tree is intact).

    Workers and the zygote also die with their parents (``PR_SET_PDEATHSIG``).
    """
    for target in [pid, *_descendants(pid)]:
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _read_record(path: Path) -> GradingRecord | None:
    data = results_json.read(path)
    return GradingRecord.from_dict(data) if data is not None else None


if __name__ == "__main__":
    sys.exit(main())
