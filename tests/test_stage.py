"""Every shape of hand-in is reduced to the four files, and nothing else."""

import zipfile

from autograder.stage import stage, stage_in_place
from checker.registry import STUDENT_FILES
from tests.conftest import submission


def test_top_level_folder(tmp_path):
    found = stage(submission(tmp_path / "in"), tmp_path / "out")
    assert set(found) == set(STUDENT_FILES)


def test_one_folder_deep_and_extra_files_ignored(tmp_path):
    submission(tmp_path / "in" / "hw")
    (tmp_path / "in" / "hw" / "numpy.py").write_text("raise SystemExit")
    found = stage(tmp_path / "in", tmp_path / "out")
    assert set(found) == set(STUDENT_FILES)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(STUDENT_FILES)


def test_zip_of_a_folder_skips_traversal_and_macos_forks(tmp_path):
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hw/cosine.py", "x = 1\n")
        zf.writestr("__MACOSX/hw/cosine.py", "junk")
        zf.writestr("../mae.py", "escape")
        zf.writestr("a/b/rotation.py", "too deep")
    found = stage(archive, tmp_path / "out")
    assert set(found) == {"cosine.py"}
    assert (tmp_path / "out" / "cosine.py").read_text() == "x = 1\n"


def test_folder_with_only_a_zip(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "upload.zip", "w") as zf:
        zf.writestr("nt_xent.py", "y = 2\n")
    assert set(stage(folder, tmp_path / "out")) == {"nt_xent.py"}


def test_in_place_leaves_only_the_student_files(tmp_path):
    folder = submission(tmp_path / "in")
    (folder / "extra").mkdir()
    (folder / "results.json").write_text("{}")
    stage_in_place(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(STUDENT_FILES)
