"""Gradescope's "Export Submissions" download: who handed in which folder.

The export is a zip (or the folder it unzips to, often one level down as
``assignment_<id>_export/``) holding ``submission_metadata.yml`` beside one folder
per submission, named like ``submission_12345``. The metadata maps each folder
name to its ``:submitters:``, a list of ``:name:``, ``:sid:`` and ``:email:``
(several for a group submission), plus fields this grader does not use
(``:created_at:``, ``:score:``, ``:history:``, ``:results:``).
"""

import stat
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import yaml

from checker.registry import STUDENT_FILES

METADATA = "submission_metadata.yml"
MAX_MEMBER_BYTES = 20_000_000


@dataclass(frozen=True)
class Submitter:
    name: str = ""
    sid: str = ""
    email: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def is_export(path: Path) -> bool:
    """A Gradescope export: a zip or folder with ``submission_metadata.yml`` at most one level down."""
    path = Path(path)
    if path.is_dir():
        return metadata_folder(path) is not None
    try:
        return path.is_file() and zipfile.is_zipfile(path) and _metadata_member(path) is not None
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def metadata_folder(folder: Path) -> Path | None:
    """The folder of an unzipped export that holds the metadata (``folder`` or its only sub-folder)."""
    if (folder / METADATA).is_file():
        return folder
    children = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__"))]
    if len(children) == 1 and (children[0] / METADATA).is_file():
        return children[0]
    return None


def _metadata_member(archive: Path) -> str | None:
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            parts = PurePosixPath(name).parts
            if parts and parts[-1] == METADATA and len(parts) <= 2 and not parts[0].startswith((".", "__")):
                return name
    return None


def extract(archive: Path, into: Path) -> Path:
    """Unpack what grading needs from an export zip (metadata, student files, zips); returns the metadata's folder.

    Only plain members with safe relative paths are written: no absolute paths,
    no ``..``, no links, nothing over ``MAX_MEMBER_BYTES``.
    """
    member = _metadata_member(archive)
    if member is None:
        raise ValueError(f"{archive} holds no {METADATA}")
    root = PurePosixPath(member).parent
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or info.file_size > MAX_MEMBER_BYTES or stat.S_ISLNK(info.external_attr >> 16):
                continue
            if path.is_absolute() or any(p in ("..", "") or p.startswith(("__", ".")) for p in path.parts):
                continue
            wanted = path.name == METADATA or path.name in STUDENT_FILES or path.suffix == ".zip"
            if not wanted:
                continue
            target = into.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
    return into.joinpath(*root.parts)


def read_metadata(folder: Path) -> dict[str, tuple[Submitter, ...]]:
    """Folder name -> its submitters, from ``folder/submission_metadata.yml``."""
    data = yaml.load((folder / METADATA).read_text(encoding="utf-8", errors="replace"), Loader=_TolerantLoader)
    if not isinstance(data, dict):
        raise ValueError(f"{folder / METADATA} is not a mapping of submission folders")
    found = {}
    for key, record in data.items():
        record = _plain_keys(record) if isinstance(record, dict) else {}
        submitters = record.get("submitters") or []
        found[str(key)] = tuple(_submitter(s) for s in submitters if isinstance(s, dict))
    return found


def _submitter(record: dict) -> Submitter:
    fields = _plain_keys(record)
    return Submitter(*(_text(fields.get(k)) for k in ("name", "sid", "email")))


def _plain_keys(record: dict) -> dict:
    """Gradescope writes Ruby symbols as keys (``:name:`` loads as ``":name"``)."""
    return {str(k).lstrip(":"): v for k, v in record.items()}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class _TolerantLoader(yaml.SafeLoader):
    """Safe loading that reads Ruby-specific tags (``!ruby/hash:...``) as plain data."""


def _plain(loader, suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_TolerantLoader.add_multi_constructor("!", _plain)
_TolerantLoader.add_multi_constructor("tag:", _plain)
