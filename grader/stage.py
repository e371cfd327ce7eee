"""Turn whatever a student handed in into a folder holding only the release's student files.

A submission is a folder or a zip; the files may sit at the top level or one
folder deep; a folder that holds no student file but one zip (Gradescope keeps
uploaded zips) is read through it. Everything else is ignored, so nothing a
student adds can shadow a module the grader imports.

Staging fails closed: an upload that cannot be read raises ``UploadRejected``
with a message for the student, and ``stage_upload`` empties the upload folder
whatever happens, so no student file is left where trusted code runs.
Members are read with caps (count, size per file, no absolute, parent, hidden or
link names), so a crafted zip can neither write outside the target nor expand
without bound.
"""

import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from checker.registry import STUDENT_FILES
from checker.submission import find_files

MAX_FILE_BYTES = 1_000_000  # a student file is a few kB
MAX_MEMBERS = 2_000  # entries of a zip examined; a handed-in folder zipped with its .git stays under this


class UploadRejected(Exception):
    """The upload cannot be read; the message is for the student."""


@dataclass
class Staged:
    files: dict[str, Path]
    notes: list[str] = field(default_factory=list)  # what was skipped, said to the student


def _safe_member(name: str) -> PurePosixPath | None:
    """A zip member's path if it is a plain relative path at most one folder deep, else None."""
    if "\\" in name or name.startswith("/") or ":" in name:
        return None
    path = PurePosixPath(name)
    parts = path.parts
    if not parts or len(parts) > 2 or any(p in ("", ".", "..") or p.startswith((".", "__")) for p in parts):
        return None
    return path


def _read_capped(read, what: str, notes: list[str]) -> bytes | None:
    data = read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        notes.append(f"{what} is larger than {MAX_FILE_BYTES // 1000} kB: skipped")
        return None
    return data


def extract_student_files(archive: Path, into: Path, notes: list[str]):
    """Extract only members named like a student file, at most one folder deep."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                raise UploadRejected(
                    f"{archive.name} holds {len(members)} entries; upload the files of the assignment, or a zip of just them"
                )
            for info in members:
                path = _safe_member(info.filename)
                if path is None or info.is_dir() or path.name not in STUDENT_FILES:
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    notes.append(f"{info.filename} in {archive.name} is a link: skipped")
                    continue
                with zf.open(info) as member:
                    data = _read_capped(member.read, info.filename, notes)
                if data is not None:
                    target = into.joinpath(*path.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, OSError) as error:
        raise UploadRejected(f"{archive.name} is not a zip file that can be read ({type(error).__name__}: {error})") from None


def _copy_plain_file(source: Path, target: Path, notes: list[str]):
    """Copy a regular file without following links, at most ``MAX_FILE_BYTES``."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        notes.append(f"{source.name} could not be read: skipped")
        return
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return
        data = _read_capped(f.read, source.name, notes)
    if data is not None:
        target.write_bytes(data)


def zips_in(folder: Path) -> list[Path]:
    """The zips at the top of ``folder`` that staging may read (links never)."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".zip" and not p.is_symlink() and p.is_file())


def stage(submission: Path, into: Path) -> Staged:
    """Copy the student files of ``submission`` (folder or zip) to the top level of ``into``."""
    submission, into = Path(submission), Path(into)
    into.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    scratch = into / ".unpacked"
    try:
        source = submission
        if submission.is_symlink():
            raise UploadRejected(f"{submission.name} is a link, not a submission")
        if submission.is_file():
            if not zipfile.is_zipfile(submission):
                raise UploadRejected(f"{submission.name} is neither a folder nor a zip file")
            extract_student_files(submission, scratch, notes)
            source = scratch
        elif submission.is_dir() and not released_files(submission):
            zips = zips_in(submission)
            if len(zips) > 1:
                raise UploadRejected(
                    f"the upload holds {len(zips)} zip files and no student file; upload the files of the assignment or one zip"
                )
            if zips:
                extract_student_files(zips[0], scratch, notes)
                source = scratch
        elif not submission.is_dir():
            raise UploadRejected(f"{submission} does not exist")
        for name, path in (released_files(source) if source.is_dir() else {}).items():
            _copy_plain_file(path, into / name, notes)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Staged(find_files(into), notes)


def released_files(folder: Path) -> dict[str, Path]:
    """The files of this release's questions in ``folder`` (another release's files are ignored)."""
    return {name: path for name, path in find_files(folder).items() if name in STUDENT_FILES}


def empty_folder(folder: Path):
    """Delete everything inside ``folder`` (links are removed, never followed)."""
    for child in Path(folder).iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def stage_upload(upload: Path, into: Path) -> Staged:
    """Gradescope's upload folder: stage it into ``into``, then leave it empty, whatever happens."""
    try:
        return stage(upload, into)
    finally:
        if Path(upload).is_dir():
            empty_folder(upload)
