"""What a batch may skip: complete results graded from the same files by the same autograder.

``results/<submission>/meta.json`` records the fingerprint of the submission and the
SHA-256 of the autograder zip it was graded with; a submission is regraded when
either changed, or when its ``results.json`` is missing, truncated or incomplete.
"""

import hashlib
from pathlib import Path

from autograder.discovery import Entry
from checker.registry import Question
from checker.submission import find_files
from grader import results_json
from grader.stage import zips_in


def fingerprint(entry: Entry) -> str:
    """SHA-256 of everything staging can read from this submission (``missing`` when there is none).

    A zip: its bytes. A folder: the student files found in it, and its zips (staging
    reads through a zip when the folder holds no student file). Hashing more than
    staging reads can only cause a regrade, never a stale grade; nothing is staged.
    """
    source = entry.source
    if source is None or not source.exists():
        return "missing"
    digest = hashlib.sha256()
    try:
        if source.is_dir():
            read = {**find_files(source), **{p.name: p for p in zips_in(source)}}
        else:
            read = {source.name: source}
        for name in sorted(read):
            digest.update(name.encode() + b"\0" + file_digest(read[name]).encode() + b"\0")
    except OSError as error:  # unreadable: grade() reports it; hash the error so the fingerprint is stable
        return "unreadable:" + hashlib.sha256(repr(error).encode()).hexdigest()
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def read_complete(
    folder: Path, source_digest: str | None = None, autograder_digest: str | None = None, release: tuple[Question, ...] | None = None
) -> dict | None:
    """The results of ``folder`` when complete (for ``release``'s questions, and, if digests are given,
    graded from those); else None."""
    data, meta = results_json.read(folder / "results.json"), results_json.read(folder / "meta.json")
    if data is None or meta is None or meta.get("status") == "error":
        return None
    if not results_json.is_complete(data, release):
        return None
    if source_digest is not None and meta.get("fingerprint") != source_digest:
        return None
    if autograder_digest is not None and meta.get("autograder") != autograder_digest:
        return None
    return data
