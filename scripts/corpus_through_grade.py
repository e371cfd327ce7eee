"""Grade the corpus of the optional questions end to end, through ``grade``'s batch mode and Otter.

    python scripts/corpus_through_grade.py [--jobs 2] [--out DIR]

Builds a release of all seven questions, lays out one submission per corpus entry of
q5_moco, q6_byol and q7_dino (the reference files with that one file replaced), plus
the reference and the stubs, grades them with ``python -m autograder grade --out``,
and checks the gradebook: the reference gets full marks, the stubs 0, every mutant
loses points in its own question only, every correct variant gets full marks and
every degenerate file at most a tenth. Exits 1 otherwise. (``tests/test_corpus.py``
checks the same in-process for every question; this is the path Gradescope runs.)
"""

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.build import build  # noqa: E402
from autograder.paths import ASSIGNMENT, ROOT  # noqa: E402
from checker.registry import ALL, EXTENSIONS, question  # noqa: E402
from tests.conftest import submission  # noqa: E402
from tests.corpus import corpus  # noqa: E402

FULL = {q.id: q.points for q in ALL}


def lay_out(out: Path) -> dict[str, tuple[str, str]]:
    """One folder per submission under ``out``; returns name -> (kind, question)."""
    expected = {"reference": ("reference", ""), "stubs": ("stubs", "")}
    submission(out / "reference")
    submission(out / "stubs", {q.file: ASSIGNMENT / q.file for q in ALL})
    for kind in ("mutants", "correct", "degenerate"):
        for entry in corpus(kind):
            if entry.question in {q.id for q in EXTENSIONS}:
                name = f"{kind}--{entry.question}--{entry.name}"
                submission(out / name, {question(entry.question).file: entry.source()})
                expected[name] = (kind, entry.question)
    return expected


def problem(kind: str, own: str, scores: dict[str, float]) -> str:
    others = {q: s for q, s in scores.items() if q != own and s != FULL[q]}
    if kind == "reference" and scores != FULL or kind == "stubs" and any(scores.values()):
        return f"scores {scores}"
    if kind in ("mutants", "correct", "degenerate") and others:
        return f"lost points outside {own}: {others}"
    wrong = {
        "mutants": scores.get(own, 0) >= FULL.get(own, 0),
        "correct": scores.get(own) != FULL.get(own),
        "degenerate": scores.get(own, 0) > 0.1 * FULL.get(own, 0),
    }.get(kind, False)
    return f"{own}: {scores[own]:g} / {FULL[own]}" if wrong else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, help="graded output (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="corpus-through-grade-"))
    try:
        autograder_zip, _ = build(work / "dist", questions=ALL)
        expected = lay_out(work / "class")
        out = args.out or work / "graded"
        command = [sys.executable, "-m", "autograder", "grade", str(work / "class"), "--out", str(out), "--jobs", str(args.jobs)]
        subprocess.run([*command, "--autograder", str(autograder_zip), "--no-progress"], check=True, cwd=ROOT)
        rows = list(csv.DictReader((out / "gradebook.csv").open()))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    problems = []
    for row in rows:
        kind, own = expected[row["submission"]]
        found = problem(kind, own, {q: float(row[q]) for q in FULL}) or ("" if row["status"] == "graded" else row["status"])
        if found:
            problems.append(f"{row['submission']}: {found}")
    print(f"{len(rows)} submissions through grade ({len(expected)} laid out): {len(problems)} off")
    print("\n".join(problems))
    return 1 if problems or len(rows) != len(expected) else 0


if __name__ == "__main__":
    sys.exit(main())
