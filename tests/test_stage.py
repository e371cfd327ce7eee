"""Every shape of hand-in is reduced to the four files, and nothing else; bad uploads fail closed."""

import os
import stat
import zipfile

import pytest

from checker.registry import STUDENT_FILES
from grader import stage as staging
from grader.stage import UploadRejected, stage, stage_upload
from tests.conftest import submission


def test_top_level_folder(tmp_path):
    found = stage(submission(tmp_path / "in"), tmp_path / "out").files
    assert set(found) == set(STUDENT_FILES)


def test_one_folder_deep_and_extra_files_ignored(tmp_path):
    submission(tmp_path / "in" / "hw")
    (tmp_path / "in" / "hw" / "numpy.py").write_text("raise SystemExit")
    found = stage(tmp_path / "in", tmp_path / "out").files
    assert set(found) == set(STUDENT_FILES)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(STUDENT_FILES)


def test_zip_members_outside_the_folder_are_never_written(tmp_path):
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hw/cosine.py", "x = 1\n")
        zf.writestr("__MACOSX/hw/cosine.py", "junk")
        zf.writestr("../mae.py", "escape")
        zf.writestr("/mae.py", "absolute")
        zf.writestr("C:\\rotation.py", "drive")
        zf.writestr("a/b/rotation.py", "too deep")
        zf.writestr(".hidden/nt_xent.py", "hidden")
    found = stage(archive, tmp_path / "out").files
    assert set(found) == {"cosine.py"}
    assert (tmp_path / "out" / "cosine.py").read_text() == "x = 1\n"
    assert not (tmp_path / "mae.py").exists() and sorted(os.listdir(tmp_path)) == ["hw.zip", "out"]


def test_a_link_inside_a_zip_is_skipped(tmp_path):
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("cosine.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("mae.py", "y = 2\n")
    staged = stage(archive, tmp_path / "out")
    assert set(staged.files) == {"mae.py"} and any("link" in note for note in staged.notes)


def test_folder_with_only_a_zip(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "upload.zip", "w") as zf:
        zf.writestr("nt_xent.py", "y = 2\n")
    assert set(stage(folder, tmp_path / "out").files) == {"nt_xent.py"}


def test_a_symlinked_zip_is_not_followed(tmp_path):
    other = tmp_path / "someone_else.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("cosine.py", "theirs\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "mine.zip").symlink_to(other)
    assert stage(folder, tmp_path / "out").files == {}


def test_a_symlinked_student_file_is_not_followed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cosine.py").symlink_to("/etc/passwd")
    assert stage(folder, tmp_path / "out").files == {}


def test_a_file_that_is_not_a_zip_is_rejected_with_a_message(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "handin.zip").write_bytes(os.urandom(100))
    (folder / "otter.py").write_text("import os; os.system('echo pwned')")
    with pytest.raises(UploadRejected, match="handin.zip"):
        stage_upload(folder, tmp_path / "out")
    assert list(folder.iterdir()) == []  # fail closed: nothing of the upload is left where Otter runs


def test_zip_bombs_and_huge_files_are_capped(tmp_path, monkeypatch):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cosine.py", b"#" * (staging.MAX_FILE_BYTES + 1))
        zf.writestr("mae.py", "ok = 1\n")
    staged = stage(archive, tmp_path / "out")
    assert set(staged.files) == {"mae.py"} and any("larger than" in note for note in staged.notes)
    monkeypatch.setattr(staging, "MAX_MEMBERS", 10)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(11):
            zf.writestr(f"f{i}.txt", "")
    with pytest.raises(UploadRejected, match="11 entries"):
        stage(many, tmp_path / "out2")


def test_upload_folder_is_emptied_and_only_student_files_are_staged(tmp_path):
    folder = submission(tmp_path / "in")
    for name in ("otter.py", "sitecustomize.py", "evil.pth", ".OTTER_LOG", "results.json"):
        (folder / name).write_text("x")
    (folder / "grader_lib" / "grader").mkdir(parents=True)
    (folder / "grader_lib" / "grader" / "otter_cases.py").write_text("print('shadowed')")
    staged = stage_upload(folder, tmp_path / "student")
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == sorted(STUDENT_FILES) == sorted(staged.files)
