"""Find the submissions of a class: which paths to grade, under which keys, from whom.

Inputs are any mix of submissions (folder or zip), folders of submissions (one
sub-folder or zip per student) and Gradescope "Export Submissions" downloads (zip
or unzipped; names, ids and emails come from its ``submission_metadata.yml``,
read by ``autograder.exports``). A shard ``i/n`` takes a stable share of the keys,
so several machines can split one class.
"""

import hashlib
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder import exports
from autograder.exports import Submitter
from checker.registry import ALL_FILES
from checker.submission import find_files
from grader.stage import zips_in


@dataclass(frozen=True)
class Entry:
    """One submission to grade: a stable key (its folder name in the output), where it is, who sent it."""

    key: str
    source: Path | None
    submitters: tuple[Submitter, ...] = ()


def is_batch(paths: list[Path]) -> bool:
    """Batch mode without ``--out``: several paths, an export, or a folder of several submissions."""
    if len(paths) != 1:
        return True
    return exports.is_export(paths[0]) or is_class_folder(paths[0])


def is_class_folder(path: Path) -> bool:
    """A folder whose top level holds no student file but at least two sub-folders or zips that hold some."""
    path = Path(path)
    if not path.is_dir() or any((path / name).is_file() for name in ALL_FILES):
        return False
    return sum(_holds_submission(child) for child in _children(path)) >= 2


def _children(folder: Path) -> list[Path]:
    """Sub-folders and zips of ``folder``, sorted; hidden entries, ``__MACOSX`` and links skipped."""
    kept = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith((".", "__")) or child.is_symlink():
            continue
        if child.is_dir() or (child.is_file() and child.suffix.lower() == ".zip"):
            kept.append(child)
    return kept


def _holds_submission(path: Path) -> bool:
    if path.is_file():
        return zipfile.is_zipfile(path)
    try:
        return bool(find_files(path)) or bool(zips_in(path))
    except OSError:
        return False


def discover(paths: list[Path], sources: Path) -> list[Entry]:
    """The submissions behind ``paths``, with unique keys; export zips are unpacked under ``sources``."""
    found: list[Entry] = []
    for path in map(Path, paths):
        if exports.is_export(path):
            found += _export_entries(path, sources)
        elif is_class_folder(path):
            found += [Entry(_name(child), child) for child in _children(path)]
        else:
            found.append(Entry(_name(path), path))
    keys: set[str] = set()
    unique = []
    for entry in found:
        key, n = entry.key, 1
        while key in keys:
            n += 1
            key = f"{entry.key}-{n}"
        keys.add(key)
        unique.append(Entry(key, entry.source, entry.submitters))
    return unique


def _export_entries(path: Path, sources: Path) -> list[Entry]:
    if path.is_file():
        target = sources / _name(path)
        shutil.rmtree(target, ignore_errors=True)  # no file left over from an earlier download
        folder = exports.extract(path, target)
    else:
        folder = exports.metadata_folder(path)
    try:
        metadata = exports.read_metadata(folder)
    except ValueError as error:  # grade the folders anyway, without names: a bad file must not stop the batch
        print(f"{error}: submissions are graded without names", file=sys.stderr)
        metadata = {}
    entries = []
    for name, submitters in sorted(metadata.items()):
        source = folder / name
        inside = source.resolve().is_relative_to(folder.resolve()) and source.is_dir() and not source.is_symlink()
        entries.append(Entry(_name(source), source if inside else None, submitters))
    listed = {_name(folder / name) for name in metadata}
    entries += [Entry(_name(child), child) for child in _children(folder) if _name(child) not in listed]
    return entries


def _name(path: Path) -> str:
    """A folder-safe key from a file or folder name (a zip's name without ``.zip``)."""
    path = Path(path)
    name = path.resolve().name if path.name in ("", ".", "..") else path.name
    if name.lower().endswith(".zip"):
        name = name[:-4]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-") or "submission"


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` with ``1 <= i <= n``."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard wants i/n with 1 <= i <= n (for example 1/4), not {text!r}")
    return int(match[1]), int(match[2])


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    """Shard ``i/n`` takes the keys whose SHA-256 is ``i - 1`` modulo ``n``: stable across machines and runs."""
    if shard is None:
        return True
    index, count = shard
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % count == index - 1
