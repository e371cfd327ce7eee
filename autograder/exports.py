"""Gradescope's "Export Submissions" download: who handed in which folder.

The export is a zip (or the folder it unzips to, often one level down as
``assignment_<id>_export/``) holding ``submission_metadata.yml`` beside one folder
per submission, named like ``submission_12345``. The metadata maps each folder
name to its ``:submitters:``, a list of ``:name:``, ``:sid:`` and ``:email:``
(several for a group submission), plus fields this grader does not use
(``:created_at:``, ``:score:``, ``:history:``, ``:results:``).
"""

import stat
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import yaml

from checker.registry import ALL_FILES

METADATA = "submission_metadata.yml"
MAX_MEMBER_BYTES = 20_000_000  # a student's own zip, well above any real one
MAX_MEMBERS = 100_000  # entries of an export examined: hundreds of students, tens of files each
MAX_RATIO = 100  # uncompressed over compressed size: code compresses about 5x, zips 1x; bombs a thousandfold
MAX_METADATA_BYTES = 10_000_000
MAX_FIELD = 200  # characters of a name, sid or email


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
    no ``..``, no links, nothing over ``MAX_MEMBER_BYTES`` (read with a cap, whatever
    the header claims), nothing expanding more than ``MAX_RATIO`` times.
    """
    member = _metadata_member(archive)
    if member is None:
        raise ValueError(f"{archive} holds no {METADATA}")
    root = PurePosixPath(member).parent
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise ValueError(f"{archive} holds {len(members)} entries, more than an export of a class")
        for info in members:
            path = PurePosixPath(info.filename)
            if info.is_dir() or info.file_size > MAX_MEMBER_BYTES or stat.S_ISLNK(info.external_attr >> 16):
                continue
            if info.file_size > MAX_RATIO * max(info.compress_size, 1000):
                print(
                    f"{archive}: {info.filename} would expand {info.file_size // max(info.compress_size, 1)} times: skipped",
                    file=sys.stderr,
                )
                continue
            if path.is_absolute() or any(p in ("..", "") or p.startswith(("__", ".")) for p in path.parts):
                continue
            wanted = path.name == METADATA or path.name in ALL_FILES or path.suffix == ".zip"
            if not wanted:
                continue
            with zf.open(info) as source:
                data = source.read(MAX_MEMBER_BYTES + 1)
            if len(data) > MAX_MEMBER_BYTES:
                continue
            target = into.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return into.joinpath(*root.parts)


def read_metadata(folder: Path) -> dict[str, tuple[Submitter, ...]]:
    """Folder name -> its submitters, from ``folder/submission_metadata.yml``.

    Raises ``ValueError`` for a file that is too large, uses YAML aliases (a few
    hundred bytes of them expand to gigabytes) or is not a mapping.
    """
    path = folder / METADATA
    if path.stat().st_size > MAX_METADATA_BYTES:
        raise ValueError(f"{path} is larger than {MAX_METADATA_BYTES // 10**6} MB")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_TolerantLoader)):
            raise ValueError(f"{path} uses YAML aliases, which Gradescope's exports never do")
        data = yaml.load(text, Loader=_TolerantLoader)
    except yaml.YAMLError as error:
        raise ValueError(f"{path} is not YAML: {error}") from None
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
    """A plain short string (a name, sid or email); anything else is dropped."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()[:MAX_FIELD]


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
