"""Grade on a GPU: student functions get CUDA inputs and must return CUDA outputs.

For a developer whose session has a GPU lease (the device machine has torch with
CUDA and Hypothesis, but not Otter): grades the reference solutions and the
correct corpus with every property in-process (the same properties Otter runs),
and checks that device bugs lose points. Prints one line per graded file and
exits non-zero if anything is off.

    python3 scripts/gpu_check.py
"""

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from checker.grading import Session  # noqa: E402
from checker.registry import QUESTIONS, question  # noqa: E402


def grade_file(question_id: str, path: Path):
    folder = Path(tempfile.mkdtemp())
    shutil.copy(path, folder / question(question_id).file)
    session = Session(folder)
    assert session.device == "cuda", "torch.cuda.is_available() is False: no GPU here"
    return session.grade(question_id)


def main() -> int:
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
    problems = []
    checks = [(q.id, ROOT / "solutions" / q.file, True) for q in QUESTIONS]
    checks += [(p.parent.name, p, True) for p in sorted((ROOT / "tests/corpus/correct").glob("q*/*.py"))]
    checks += [(p.parent.name, p, False) for p in sorted((ROOT / "tests/corpus/mutants").glob("q*/*.py"))]
    for question_id, path, correct in checks:
        start = time.monotonic()
        result = grade_file(question_id, path)
        full = result.score == result.max_score
        failed = [o.property.key for o in result.outcomes if not o.passed]
        print(f"{question_id:12} {path.stem:34} {result.score:5g}/{result.max_score:g} {time.monotonic() - start:5.1f}s {failed}")
        if full != correct:
            problems.append(
                f"{path}: {'lost points' if correct else 'not caught'}: {[o.message for o in result.outcomes if not o.passed][:1]}"
            )
    print("\n".join(problems) or "GPU check passed: references and correct variants full marks, every mutant caught")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
