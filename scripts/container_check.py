"""Check the autograder the way Gradescope will run it, in real Docker containers.

    python scripts/container_check.py [--jobs 4] [--only NAME ...] [--with-extensions] [--record benchmarks/CONTAINER_RESULTS.md]

Each case runs ``dist/autograder.zip``'s own ``run_autograder`` in a container with
Gradescope's defaults: Docker's default capabilities and seccomp profile (so no
namespaces can be created inside), ``--memory 768m`` (no swap), ``--cpus 0.5``, and
``run_autograder`` killed at 600 s. The Python environment mounted in place of
Gradescope's conda environment is ``.venv-gradescope``, installed from
``requirements/gradescope.txt``: exactly the pip packages environment.yml installs
(checked here against its freeze). Cases: the reference three times and once at
512 MB, the stubs, one mutant, every attack in ``tests/adversarial`` (grouped as
in its tests), and hostile uploads; with ``--with-extensions``, a release of all seven
questions (built into a temporary folder) and one mutant of each optional question.
Every score is asserted for the zip's own questions, and that grading
ran at isolation level ``container``; wall time, peak container memory (cgroup
``max_usage_in_bytes``, page cache included) and peak RSS are reported.
Exits 1 if any case is off. Needs root (dockerd); scripts/container/ensure_docker.sh
installs Docker and builds the base image from Debian's packages.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.build import build, release_of  # noqa: E402
from autograder.paths import ASSIGNMENT, DIST, REQUIREMENTS, ROOT, SOLUTIONS  # noqa: E402
from checker.registry import ALL, question  # noqa: E402
from tests.conftest import submission  # noqa: E402
from tests.corpus.mutants import mutant  # noqa: E402
from tests.test_adversarial import ADVERSARIAL, GROUPS, MARKERS, attack  # noqa: E402

IMAGE = "gs-base:bookworm"
VENV = ROOT / ".venv-gradescope"
TIMEOUT_SECONDS = 600  # Gradescope's default


@dataclass
class Case:
    name: str
    build: object  # (folder: Path) -> the submission path inside it (a folder or a zip)
    expected: dict[str, float]
    memory: str = "768m"
    status: str = "graded"


@dataclass
class Run:
    case: Case
    wall: float = 0.0
    peak_mb: int = 0
    rss_mb: int = 0
    oom: bool = False
    exit_code: int = -1
    scores: dict = field(default_factory=dict)
    level: str = ""
    status: str = ""
    markers: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def _reference(replacements=None):
    return lambda folder: submission(folder / "upload", replacements or {})


def _with_files(files: dict[str, str], replacements=None):
    def build(folder):
        upload = submission(folder / "upload", replacements or {})
        for name, text in files.items():
            path = upload / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return upload

    return build


def _junk_zip_and_otter_py(folder):
    upload = folder / "upload"
    upload.mkdir()
    (upload / "junk.zip").write_bytes(bytes(range(100)))
    (upload / "otter.py").write_text("import os\nos.system('touch /tmp/adversarial-otter-py-ran')\n")
    return upload


def _absolute_and_parent_members(folder):
    upload = folder / "upload"
    upload.mkdir()
    with zipfile.ZipFile(upload / "handin.zip", "w") as zf:
        for q in ALL:
            zf.writestr(f"hw/{q.file}", (SOLUTIONS / q.file).read_text())
        zf.writestr("/mae.py", "raise SystemExit('absolute')")
        zf.writestr("../cosine.py", "raise SystemExit('parent')")
    return upload


def _zip_bomb(folder):
    upload = folder / "upload"
    upload.mkdir()
    with zipfile.ZipFile(upload / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(60):  # 60 x 10 MB of zeros, about 600 MB expanded, 600 kB packed
            zf.writestr(f"filler{i}.bin", b"\0" * 10_000_000)
        for q in ALL:
            zf.writestr(q.file, (SOLUTIONS / q.file).read_text())
    return upload


EXTENSION_MUTANTS = {"q5_moco": "positive_last", "q6_byol": "no_stop_gradient", "q7_dino": "own_crop_paired"}


def cases(questions) -> list[Case]:
    """The cases for a zip grading ``questions`` (uploads hold every question's file; the zip stages its own)."""
    FULL = {q.id: q.points for q in questions}
    FILES = {q.id: q.file for q in questions}
    found = [Case(f"reference-{i}", _reference(), FULL) for i in (1, 2, 3)]
    found.append(Case("reference-512MB", _reference(), FULL, memory="512m"))
    found.append(Case("stubs", _reference({q.file: ASSIGNMENT / q.file for q in questions}), dict.fromkeys(FULL, 0)))
    for q, name in [("q2_nt_xent", "no_self_mask"), *EXTENSION_MUTANTS.items()]:
        if q in FULL:
            found.append(Case(f"mutant {q} {name}", _reference({FILES[q]: mutant(name).source()}), {**FULL, q: None}))
    for group, attacked in GROUPS.items():
        replacements = {FILES[q]: attack(q, name) for q, name in attacked.items()}
        found.append(Case(f"attacks: {group}", _reference(replacements), {q: 0 if q in attacked else p for q, p in FULL.items()}))
    hanging = [q for q in questions if (ADVERSARIAL / q.id / "infinite_loop.py").is_file()]  # the core four have one
    hangs = {q.file: attack(q.id, "infinite_loop") for q in hanging}
    found.append(Case("attacks: hang in every core question", _reference(hangs), {**FULL, **{q.id: 0 for q in hanging}}))
    extra = {
        "otter.py": "import os\nos.system('touch /tmp/adversarial-otter-py-ran')\n",
        "sitecustomize.py": "import os\nos.system('touch /tmp/adversarial-otter-py-ran')\n",
        "evil.pth": "import os; os.system('touch /tmp/adversarial-otter-py-ran')\n",
        ".OTTER_LOG": "not a log",
        "driver.ipynb": "{}",
        "grader_lib/grader/otter_cases.py": "raise SystemExit('shadowed')\n",
    }
    found.append(Case("upload: files named like the grader's", _with_files(extra), FULL))
    found.append(Case("upload: junk.zip and otter.py", _junk_zip_and_otter_py, dict.fromkeys(FULL, 0), status="upload rejected"))
    found.append(Case("upload: absolute and parent members", _absolute_and_parent_members, FULL))
    found.append(Case("upload: 600 MB zip bomb holding the four files", _zip_bomb, FULL))  # only the four members are read
    return found


def ensure_environment():
    subprocess.run(["bash", str(ROOT / "scripts" / "container" / "ensure_docker.sh")], check=True)
    subprocess.run(["bash", str(ROOT / "scripts" / "venv.sh"), str(VENV), "requirements/gradescope.txt"], check=True, cwd=ROOT)
    frozen = subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    wanted = {line for line in (REQUIREMENTS / "gradescope.txt").read_text().splitlines() if "==" in line}
    if set(frozen.split()) != wanted:
        raise SystemExit(f"{VENV} does not hold exactly requirements/gradescope.txt: {sorted(set(frozen.split()) ^ wanted)[:10]}")


def _prepare(case: Case, autograder_zip: Path, work: Path) -> Path:
    ag = work / "autograder"
    for folder in ("source", "submission", "results"):
        (ag / folder).mkdir(parents=True)
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(ag / "source")
    upload = case.build(work)
    if upload.is_dir():
        for child in upload.iterdir():
            shutil.move(str(child), ag / "submission" / child.name)
    else:
        shutil.copy(upload, ag / "submission")
    original = (ag / "source" / "run_autograder").read_text().splitlines()
    kept = [line for line in original if not line.startswith(("#!", "export PATH")) and "mamba" not in line]
    script = ["#!/bin/bash", f"export PATH={VENV}/bin:$PATH", *kept]  # the conda environment, replaced by .venv-gradescope
    (ag / "run_autograder").write_text("\n".join(script) + "\n")
    (ag / "run_autograder").chmod(0o755)
    return ag


def _cgroup_stat(container_id: str) -> tuple[int, int]:
    """(max_usage_in_bytes, total_rss) of the container's memory cgroup (v1), or zeros."""
    base = Path("/sys/fs/cgroup/memory/docker") / container_id
    try:
        peak = int((base / "memory.max_usage_in_bytes").read_text())
        stat = dict(line.split() for line in (base / "memory.stat").read_text().splitlines())
        return peak, int(stat.get("total_rss", 0))
    except (OSError, ValueError):
        return 0, 0


def run_case(case: Case, autograder_zip: Path) -> Run:
    run = Run(case)
    work = Path(tempfile.mkdtemp(prefix="container-check-"))
    name = f"ccheck-{abs(hash((case.name, time.time())))}"
    interpreter = (VENV / "bin" / "python").resolve().parents[1]  # the Python installation the venv was made from
    try:
        ag = _prepare(case, autograder_zip, work)
        command = [
            "docker", "run", "-d", "--name", name, f"--memory={case.memory}", f"--memory-swap={case.memory}", "--cpus=0.5",
            "--network=none", "-v", f"{interpreter}:{interpreter}:ro", "-v", f"{VENV}:{VENV}:ro", "-v", f"{ag}:/autograder",
            IMAGE, "bash", "-c", f"timeout {TIMEOUT_SECONDS} /autograder/run_autograder > /autograder/results/stdout 2>&1",
        ]  # fmt: skip
        start = time.monotonic()
        container_id = subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
        peak = rss = 0
        while (
            subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", name], capture_output=True, text=True).stdout.strip() == "true"
        ):
            p, r = _cgroup_stat(container_id)
            peak, rss = max(peak, p), max(rss, r)
            time.sleep(0.25)
        run.wall = time.monotonic() - start
        run.peak_mb, run.rss_mb = peak // 2**20, rss // 2**20
        state = json.loads(subprocess.run(["docker", "inspect", "-f", "{{json .State}}", name], capture_output=True, text=True).stdout)
        run.oom, run.exit_code = state["OOMKilled"], state["ExitCode"]
        changed = subprocess.run(["docker", "diff", name], capture_output=True, text=True).stdout
        run.markers = [m for m in (*MARKERS, "/tmp/adversarial-otter-py-ran") if m in changed]
        _judge(run, ag / "results" / "results.json")
    except Exception as error:  # the check's own failure is reported as the case's problem
        run.problems.append(f"{type(error).__name__}: {error}")
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return run


def _judge(run: Run, results_path: Path):
    try:
        data = json.loads(results_path.read_text())
    except (OSError, ValueError) as error:
        run.problems.append(f"no valid results.json ({error})")
        return
    by_name = {t.get("name"): t for t in data.get("tests", []) if isinstance(t, dict)}
    run.scores = {q: by_name.get(q, {}).get("score") for q in run.case.expected}
    extra = data.get("extra_data") or {}
    run.level, run.status = extra.get("level", ""), extra.get("status", "")
    for q, want in run.case.expected.items():
        got = run.scores[q]
        if (want is None and not (got is not None and got < question(q).points)) or (want is not None and got != want):
            run.problems.append(f"{q}: {got}, expected {'less than full marks' if want is None else want}")
    if run.status != run.case.status:
        run.problems.append(f"status {run.status!r}, expected {run.case.status!r}")
    if run.case.status == "graded" and run.level != "container":
        run.problems.append(f"isolation level {run.level!r}, expected 'container'")
    if run.oom or run.exit_code != 0 or run.wall > TIMEOUT_SECONDS:
        run.problems.append(f"container: OOM-killed {run.oom}, exit {run.exit_code}, {run.wall:.0f} s")
    if run.markers:
        run.problems.append(f"code ran in the grader: {run.markers}")


def table(runs: list[Run]) -> str:
    lines = [
        "| case | memory | wall s | peak MB | peak RSS MB | OOM | scores | level | ok |",
        "| --- | --- | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for run in runs:
        scores = " ".join(f"{v:g}" if isinstance(v, int | float) else "-" for v in run.scores.values())
        verdict = "yes" if not run.problems else "NO: " + "; ".join(run.problems)
        lines.append(
            f"| {run.case.name} | {run.case.memory} | {run.wall:.1f} | {run.peak_mb} | {run.rss_mb} | {run.oom} | {scores} | "
            f"{run.level or run.status} | {verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4, help="containers at once (each gets half a CPU)")
    parser.add_argument("--only", nargs="*", help="run only the cases whose name starts with one of these")
    parser.add_argument("--record", type=Path, help="append the table, with the date and machine load, to this Markdown file")
    parser.add_argument("--autograder", type=Path, default=DIST / "autograder.zip")
    parser.add_argument("--with-extensions", action="store_true", help="check a release of all seven questions, built for this run")
    args = parser.parse_args()
    ensure_environment()
    if args.with_extensions:
        args.autograder = build(Path(tempfile.mkdtemp(prefix="container-check-dist-")), questions=ALL)[0]
    elif not args.autograder.is_file():
        subprocess.run([sys.executable, "-m", "autograder", "build"], check=True, cwd=ROOT)
    questions = release_of(args.autograder)
    print(f"questions: {', '.join(q.id for q in questions)}")
    todo = [c for c in cases(questions) if not args.only or any(c.name.startswith(prefix) for prefix in args.only)]
    start, lock = time.monotonic(), threading.Lock()
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_case, case, args.autograder) for case in todo]
        runs = []
        for future in futures:
            run = future.result()
            with lock:
                runs.append(run)
                print(f"{run.case.name}: {run.wall:.1f} s, peak {run.peak_mb} MB, {run.scores}, {run.problems or 'ok'}", flush=True)
    text = table(runs)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"\n{text}\n\n{len(runs)} cases in {time.monotonic() - start:.0f} s, {args.jobs} at a time, load {' '.join(load)}")
    if args.record:
        header = f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.jobs} containers at a time, load average {' '.join(load)}\n\n"
        header += f"Questions: {', '.join(q.id for q in questions)}.\n\n"
        with args.record.open("a") as f:
            f.write(header + text + "\n")
    return 1 if any(run.problems for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
