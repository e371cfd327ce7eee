"""Find the student files in a submission folder (top level or one folder deep)."""

from pathlib import Path

from checker.registry import ALL_FILES


def find_files(folder: Path) -> dict[str, Path]:
    """Map each question's file name to where it is; missing names are absent.

    Every question's file is looked for: which of them are graded is the release's choice.

    A file at the top level wins over one in a sub-folder; hidden folders and
    macOS resource forks (``__MACOSX``) are skipped; anything else is ignored.
    """
    folder = Path(folder)
    found = {}
    candidates = [folder, *sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__")))]
    for directory in candidates:
        for name in ALL_FILES:
            path = directory / name
            if name not in found and path.is_file() and not path.is_symlink():
                found[name] = path
    return found
