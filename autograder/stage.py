"""Turn whatever a student handed in into a folder holding only the four files.

A submission is a folder or a zip; the files may sit at the top level or one
folder deep; a folder that holds only a zip (Gradescope keeps uploaded zips) is
read through it. Everything else is ignored, so nothing a student adds can
shadow a module the grader imports.
"""

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from checker.registry import STUDENT_FILES
from checker.submission import find_files

MAX_FILE_BYTES = 1_000_000


def extract_student_files(archive: Path, into: Path):
    """Extract only members named like a student file, at most one folder deep."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or len(parts) > 2 or parts[-1] not in STUDENT_FILES or info.file_size > MAX_FILE_BYTES:
                continue
            if any(p.startswith((".", "__")) or p in ("..", "") for p in parts[:-1]):
                continue
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))


def stage(submission: Path, into: Path) -> dict[str, Path]:
    """Copy the student files of ``submission`` to the top level of ``into``."""
    submission, into = Path(submission), Path(into)
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        source = submission
        if submission.is_file() and zipfile.is_zipfile(submission):
            extract_student_files(submission, Path(scratch))
            source = Path(scratch)
        elif submission.is_dir() and not find_files(submission):
            zips = sorted(p for p in submission.iterdir() if p.suffix == ".zip" and p.is_file())
            if zips:
                extract_student_files(zips[0], Path(scratch))
                source = Path(scratch)
        found = find_files(source) if source.is_dir() else {}
        for name, path in found.items():
            if path.stat().st_size <= MAX_FILE_BYTES:
                shutil.copyfile(path, into / name)
    return find_files(into)


def stage_in_place(folder: Path):
    """Gradescope: leave only the student files, at the top level of ``folder``."""
    with tempfile.TemporaryDirectory() as kept:
        stage(folder, Path(kept))
        for child in Path(folder).iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for path in Path(kept).iterdir():
            shutil.copyfile(path, Path(folder) / path.name)


if __name__ == "__main__":
    stage_in_place(Path(sys.argv[1]))
