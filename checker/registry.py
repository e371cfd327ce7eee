"""The questions: their ids, files, points and public properties, and the release's selection.

``CORE`` are the four questions every release has; ``EXTENSIONS`` the optional
ones (MoCo, BYOL, DINO). ``QUESTIONS`` is what this copy of the package grades:
the ids in ``release.json`` beside this file (``build --questions`` writes it into
the zips it builds), or the core four where there is none.
"""

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads the question table without importing torch and Hypothesis
    from checker.properties import Property


@dataclass(frozen=True)
class Question:
    id: str
    file: str
    points: int
    summary: str  # what the student implements, for the student README's table


CORE = (
    Question("q1_cosine", "cosine.py", 20, "`cosine_similarity`, `cosine_similarity_matrix`"),
    Question("q2_nt_xent", "nt_xent.py", 30, "`nt_xent_loss` (SimCLR's contrastive loss)"),
    Question("q3_rotation", "rotation.py", 20, "`rotate_batch` (RotNet's pretext batch)"),
    Question("q4_mae", "mae.py", 30, "`patchify`, `unpatchify`, `random_masking`, `mae_loss` (MAE)"),
)
EXTENSIONS = (
    Question("q5_moco", "moco.py", 20, "`moco_logits`, `moco_loss`, `dequeue_and_enqueue` (MoCo's queue of negatives)"),
    Question("q6_byol", "byol.py", 15, "`byol_loss`, `ema_update` (BYOL: no negatives, a moving-average target)"),
    Question("q7_dino", "dino.py", 20, "`dino_loss`, `update_center` (DINO: self-distillation with centering)"),
)
ALL = CORE + EXTENSIONS
ALL_FILES = tuple(q.file for q in ALL)  # what the instructor's tools look for: any release's files
RELEASE_FILE = "release.json"  # {"questions": [ids]}, in the package folder of a built zip


def question(question_id: str) -> Question:
    return next(q for q in ALL if q.id == question_id)


def select(ids) -> tuple[Question, ...]:
    """The questions named by ``ids``, in the assignment's order; ``ValueError`` for an unknown id."""
    wanted = set(ids)
    unknown = sorted(wanted - {q.id for q in ALL})
    if unknown:
        raise ValueError(f"unknown question(s) {', '.join(unknown)}; known: {', '.join(q.id for q in ALL)}")
    return tuple(q for q in ALL if q.id in wanted)


def among(ids) -> tuple[Question, ...]:
    """The questions whose ids are among ``ids`` (others ignored), in the assignment's order;
    this release's questions where none is."""
    wanted = set(ids)
    return tuple(q for q in ALL if q.id in wanted) or QUESTIONS


def _release() -> tuple[Question, ...]:
    path = Path(__file__).with_name(RELEASE_FILE)
    return select(json.loads(path.read_text())["questions"]) if path.is_file() else CORE


QUESTIONS = _release()
STUDENT_FILES = tuple(q.file for q in QUESTIONS)


def properties(question_id: str) -> "list[Property]":
    """The public properties of a question (the grader adds its hidden ones)."""
    return list(importlib.import_module(f"checker.questions.{question_id}").PROPERTIES)
