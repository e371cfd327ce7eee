"""Grade on a GPU: student functions get CUDA inputs and must return CUDA outputs.

For a developer whose session has a GPU lease (the device machine has torch with
CUDA and Hypothesis, but not Otter): grades the reference solutions, the correct
corpus and the mutant corpus with every property in-process (the same properties
Otter runs), in parallel worker pools, and checks that the references and correct
variants get full marks and that every mutant loses points. Also grades one
device bug per question, made here from the reference: a tensor created or
returned on the CPU while the inputs are on CUDA. Prints one
line per graded file and exits non-zero if anything is off.

    python3 scripts/gpu_check.py [--jobs N]       # on the GPU machine
    python3 scripts/gpu_check.py --cpu --jobs 2   # dry run of this script, here
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from autograder.paths import SOLUTIONS  # noqa: E402
from checker.grading import Session  # noqa: E402
from checker.registry import ALL, question  # noqa: E402
from grader.hidden import hidden_properties  # noqa: E402
from tests.corpus import corpus  # noqa: E402
from tests.corpus.mutants import Mutant  # noqa: E402

ON_CPU = "a tensor made on the CPU while the inputs are on CUDA"
DEVICE_BUGS = (  # each must lose points on CUDA
    Mutant("q1_cosine", "cosine_matrix_on_cpu", ON_CPU, (("return a_hat @ b_hat.T", "return (a_hat @ b_hat.T).cpu()"),)),
    Mutant(
        "q2_nt_xent",
        "nt_xent_mask_on_cpu",
        ON_CPU,
        (("torch.eye(2 * n, dtype=torch.bool, device=z.device)", "torch.eye(2 * n, dtype=torch.bool)"),),
    ),
    Mutant("q3_rotation", "rotation_labels_on_cpu", ON_CPU, (("torch.arange(4, device=images.device)", "torch.arange(4)"),)),
    Mutant("q4_mae", "mae_noise_on_cpu", ON_CPU, (("torch.rand(n, length, device=x.device)", "torch.rand(n, length)"),)),
    Mutant(
        "q7_dino",
        "dino_pairs_on_cpu",
        ON_CPU,
        (
            (
                "torch.eye(2, n_crops, dtype=cross_entropy.dtype, device=cross_entropy.device)",
                "torch.eye(2, n_crops, dtype=cross_entropy.dtype)",
            ),
        ),
    ),
)


def grade_file(question_id: str, text: str, device: str) -> tuple[float, float, list[str], str, float]:
    """(score, max score, failed property keys, first failure message, seconds), in a pool process."""
    start = time.monotonic()
    folder = Path(tempfile.mkdtemp())
    try:
        (folder / question(question_id).file).write_text(text)
        session = Session(folder, device=device, hidden=hidden_properties([question_id]))
        result = session.grade(question_id)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    message = result.failed[0].message if result.failed else ""
    return result.score, result.max_score, [p.key for p in result.failed], message, time.monotonic() - start


def checks(device_bugs: bool) -> list[tuple[str, str, str, bool]]:
    """(question id, name, file text, correct?) for everything graded (device bugs only matter on CUDA)."""
    found = [(q.id, f"solutions/{q.file}", (SOLUTIONS / q.file).read_text(), True) for q in ALL]
    for kind, entries in (
        ("correct", corpus("correct")),
        ("mutants", corpus("mutants")),
        ("device_bugs", DEVICE_BUGS if device_bugs else ()),
    ):
        found += [(e.question, f"{kind}/{e.question}/{e.name}", e.source(), kind == "correct") for e in entries]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 1))
    parser.add_argument("--cpu", action="store_true", help="grade on the CPU: a dry run of this script without a GPU")
    args = parser.parse_args()
    if args.cpu:
        device = "cpu"
    elif torch.cuda.is_available():
        device = "cuda"
        print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, {args.jobs} jobs")
    else:
        print("torch.cuda.is_available() is False: no GPU here (use --cpu for a dry run)")
        return 2
    problems, start = [], time.monotonic()
    todo = checks(device_bugs=device == "cuda")
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(grade_file, qid, text, device) for qid, _, text, _ in todo]
        for (question_id, name, _, correct), future in zip(todo, futures):
            score, max_score, failed, message, seconds = future.result()
            print(f"{question_id:3} {name:46} {score:5g}/{max_score:g} {seconds:5.1f}s {failed}", flush=True)
            if (score == max_score) != correct:
                problems.append(f"{name}: {'lost points' if correct else 'not caught'}: {message[:2000]}")
    print(f"{len(todo)} files graded on {device} in {time.monotonic() - start:.0f} s")
    print("\n".join(problems) or "GPU check passed: references and correct variants full marks, every mutant and device bug caught")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
