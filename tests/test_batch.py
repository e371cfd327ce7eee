"""Batch grading: a Gradescope-style export in, a gradebook, a class report and resumable results out.

The end-to-end tests grade one small export once (module-scoped) through the CLI
and share it; everything else runs the batch machinery with a fake ``grade``.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import batch, discovery, exports, gradebook, report
from autograder.merge import merge
from autograder.paths import ASSIGNMENT, ROOT
from checker.registry import ALL, QUESTIONS
from checker.results import GradingRecord, PropertyResult
from grader import results_json
from tests.conftest import run_grade, scores, submission
from tests.corpus.mutants import mutant

FULL = {q.id: q.points for q in QUESTIONS}
STUB = ASSIGNMENT
NO_SELF_MASK = mutant("no_self_mask").source()
INVERTED_MASK = mutant("inverted_mask").source()

METADATA = """\
submission_1001:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2025-03-01 12:00:00.000000000 -08:00
  :score: 0.0
  :history: []
submission_1002:
  :submitters:
  - :name: Alan Turing
    :sid: '1002'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '1005'
    :email: grace@example.edu
  :results: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
    score: 0.0
submission_1003:
  :submitters:
  - :name: Barbara Liskov
    :sid: '1003'
    :email: barbara@example.edu
submission_1004:
  :submitters:
  - :name: Edsger Dijkstra
    :sid: '1004'
    :email: edsger@example.edu
"""


def make_export(tmp: Path) -> tuple[Path, dict[str, Path]]:
    """A Gradescope export zip (``assignment_777_export/``) and the folders it was made from."""
    folders = {
        "submission_1001": submission(tmp / "src" / "submission_1001"),
        "submission_1002": submission(tmp / "src" / "submission_1002", {"nt_xent.py": NO_SELF_MASK, "mae.py": INVERTED_MASK}),
        # one folder deep, q1 left as the stub: "not attempted"
        "submission_1003": submission(
            tmp / "src" / "submission_1003" / "hw3", {"nt_xent.py": NO_SELF_MASK, "cosine.py": STUB / "cosine.py"}
        ),
        # submission_1004 is listed in the metadata but has no folder
    }
    folders["submission_1003"] = folders["submission_1003"].parent
    archive = tmp / "assignment_777_export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("assignment_777_export/submission_metadata.yml", METADATA)
        for name, folder in folders.items():
            for path in sorted(folder.rglob("*.py")):
                zf.write(path, f"assignment_777_export/{name}/{path.relative_to(folder).as_posix()}")
        zf.writestr("assignment_777_export/submission_1001/notes.txt", "ignored")
        zf.writestr("__MACOSX/assignment_777_export/._submission_metadata.yml", "junk")
    return archive, folders


def run_batch(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", "grade", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=1800)


@pytest.fixture(scope="module")
def graded(dist, tmp_path_factory):
    """The export graded once through the CLI with two jobs (stderr is not a tty here)."""
    tmp = tmp_path_factory.mktemp("batch")
    archive, folders = make_export(tmp)
    out = tmp / "graded"
    done = run_batch(str(archive), "--out", str(out), "--jobs", "2", "--autograder", str(dist / "autograder.zip"))
    assert done.returncode == 0, done.stdout + done.stderr
    return {"archive": archive, "folders": folders, "out": out, "done": done, "dist": dist, "tmp": tmp}


def gradebook_rows(out: Path) -> list[dict]:
    with (out / "gradebook.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def batch_results(out: Path, key: str) -> dict:
    return json.loads((out / "results" / key / "results.json").read_text())


def test_gradebook_has_identity_question_and_total_columns(graded):
    rows = gradebook_rows(graded["out"])
    assert list(rows[0]) == ["submission", "name", "sid", "email", *FULL, "total", "status"]
    by_sid = {row["sid"]: row for row in rows}
    assert set(by_sid) == {"1001", "1002", "1003", "1004", "1005"}
    ada = by_sid["1001"]
    assert (ada["submission"], ada["name"], ada["email"]) == ("submission_1001", "Ada Lovelace", "ada@example.edu")
    assert {q: float(ada[q]) for q in FULL} == FULL and float(ada["total"]) == 100 and ada["status"] == "graded"
    # a group submission: one row per member, same scores
    alan, grace = by_sid["1002"], by_sid["1005"]
    assert alan["submission"] == grace["submission"] == "submission_1002" and grace["name"] == "Grace Hopper"
    assert [alan[q] for q in FULL] == [grace[q] for q in FULL]
    assert float(alan["q1_cosine"]) == 20 and float(alan["q2_nt_xent"]) < 30 and float(alan["q4_mae"]) < 30
    assert float(by_sid["1003"]["q1_cosine"]) == 0 and float(by_sid["1003"]["q3_rotation"]) == 20
    # listed in the metadata, no folder: zero, marked, and the batch went on
    assert by_sid["1004"]["status"] == "grading failed" and float(by_sid["1004"]["total"]) == 0
    assert "is listed but its folder is missing" in batch_results(graded["out"], "submission_1004")["tests"][0]["output"]


def test_scores_and_feedback_equal_single_grading(graded, tmp_path):
    key = "submission_1002"
    done, single = run_grade(graded["dist"], graded["folders"][key], tmp_path / "results.json")
    assert done.returncode == 0, done.stderr
    from_batch = batch_results(graded["out"], key)
    assert scores(from_batch) == scores(single) and scores(single)["q2_nt_xent"] < 30
    feedback = [{t["name"]: t["output"] for t in r["tests"] if t["name"] in FULL} for r in (from_batch, single)]
    assert feedback[0] == feedback[1]


def test_report_lists_most_failed_properties_with_counts_and_an_example(graded):
    text = (graded["out"] / "report.md").read_text()
    outputs = {k: batch_results(graded["out"], k) for k in ("submission_1002", "submission_1003")}
    q2 = [report.failures(gradebook.from_results(k, (), r), "q2_nt_xent") for k, r in outputs.items()]
    shared = [claim for claim, _ in q2[0] if claim in dict(q2[1])]
    assert shared, "both no_self_mask submissions fail the same q2 properties"
    section = text.split("### q2_nt_xent", 1)[1].split("###", 1)[0]
    assert "over 3 attempts" in section
    first_row = next(line for line in section.splitlines() if line.startswith("| 2 of 3 |"))
    claim, example, who = first_row.split(" | ")[1:4]
    assert claim.replace("\\|", "|") in shared
    assert who == "` submission_1002 ` |" and dict(q2[0])[claim.replace("\\|", "|")][:40] in example.replace("\\|", "|")
    # q1 of submission_1003 is the untouched stub: not attempted, so it is not counted as failures
    q1_row = next(line for line in text.splitlines() if line.startswith("| q1_cosine |"))
    assert q1_row.split("|")[-2].strip() == "1"
    assert "### q1_cosine (20 points): mean 20.0 over 2 attempts" in text and "No property failed." in text
    assert "## Could not be graded" in text and "submission_1004" in text
    assert (graded["out"] / "totals.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # progress went to stderr as plain lines (not a tty) and the summary to stdout
    assert "[3/4]" in graded["done"].stderr or "[4/4]" in graded["done"].stderr
    assert "gradebook:" in graded["done"].stdout and "q2_nt_xent" in graded["done"].stdout


def test_rerun_regrades_only_what_is_missing(graded):
    out = graded["out"]
    results = {
        k: out / "results" / k / "results.json" for k in ("submission_1001", "submission_1002", "submission_1003", "submission_1004")
    }
    before = {k: p.stat().st_mtime_ns for k, p in results.items()}
    kept = results["submission_1002"].read_text()
    results["submission_1001"].unlink()  # as if the run had been interrupted before it finished
    done = run_batch(str(graded["archive"]), "--out", str(out), "--jobs", "2", "--autograder", str(graded["dist"] / "autograder.zip"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 submissions: 1 graded now, 3 already graded" in done.stdout
    after = {k: p.stat().st_mtime_ns for k, p in results.items()}
    assert [k for k in results if after[k] != before[k]] == ["submission_1001"]
    assert results["submission_1002"].read_text() == kept
    assert scores(batch_results(out, "submission_1001")) == FULL
    assert len(gradebook_rows(out)) == 5


# ---------------------------------------------------------------- fast tests with a fake grade


def fake_results(folder_scores: dict[str, float], problem: str = "it is wrong") -> dict:
    """Results as the grader writes them: Otter's entries and the record, one property per question."""
    tests, record = [], GradingRecord()
    for q in QUESTIONS:
        score = folder_scores.get(q.id, q.points)
        status = "passed" if score == q.points else "failed"
        record.properties.append(
            PropertyResult(q.id, "x", f"{q.id} is right", q.points, False, status, "" if score == q.points else problem)
        )
        tests.append({"name": q.id, "score": score, "max_score": q.points, "output": record.properties[-1].message})
    return results_json.finalize({"tests": tests}, record, [])


@pytest.fixture
def fake_grade(monkeypatch):
    """``grade`` that reads the score of q1 from cosine.py's text, counting calls."""
    calls = []

    def grade(source, results, autograder_zip=None):
        calls.append(Path(source).name)
        text = (Path(source) / "cosine.py").read_text() if Path(source).is_dir() else ""
        if "boom" in text:
            raise RuntimeError("boom")
        data = fake_results({"q1_cosine": float(text.split("=")[-1]) if "=" in text else 0})
        Path(results).parent.mkdir(parents=True, exist_ok=True)
        Path(results).write_text(json.dumps(data))
        return data

    monkeypatch.setattr(batch, "grade", grade)
    return calls


def stand_in_autograder(tmp: Path, comment: bytes = b"") -> Path:
    """An autograder zip the fake grade never opens: only its release (none: the core four) is read."""
    path = tmp / "autograder.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.comment = comment
    return path


def class_folder(tmp: Path, count: int) -> Path:
    for i in range(count):
        (tmp / "class" / f"student{i:02d}").mkdir(parents=True)
        (tmp / "class" / f"student{i:02d}" / "cosine.py").write_text(f"score = {i % 21}")
    return tmp / "class"


def test_batch_mode_is_decided_explicitly(tmp_path):
    single = submission(tmp_path / "one")
    nested = submission(tmp_path / "nested" / "hw").parent
    klass = class_folder(tmp_path, 2)
    archive, _ = make_export(tmp_path / "export")
    assert not discovery.is_batch([single]) and not discovery.is_batch([nested])
    assert discovery.is_batch([single, nested]) and discovery.is_batch([klass]) and discovery.is_batch([archive])
    assert exports.is_export(archive) and not exports.is_export(single)
    entries = discovery.discover([single, klass, klass / "student00"], tmp_path / "sources")
    assert [e.key for e in entries] == ["one", "student00", "student01", "student00-2"]


def test_export_metadata_gives_identities_and_skips_unsafe_members(tmp_path):
    archive, _ = make_export(tmp_path)
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("assignment_777_export/submission_1001/../../escape/cosine.py", "x")
    entries = discovery.discover([archive], tmp_path / "sources")
    assert [e.key for e in entries] == ["submission_1001", "submission_1002", "submission_1003", "submission_1004"]
    assert entries[1].submitters == (
        exports.Submitter("Alan Turing", "1002", "alan@example.edu"),
        exports.Submitter("Grace Hopper", "1005", "grace@example.edu"),
    )
    assert entries[3].source is None
    assert not (tmp_path / "escape").exists() and not (tmp_path / "sources" / "escape").exists()
    assert not (entries[0].source / "notes.txt").exists()


def test_shards_are_disjoint_cover_everything_and_merge_to_the_whole(tmp_path, fake_grade):
    klass = class_folder(tmp_path, 12)
    dummy = stand_in_autograder(tmp_path)
    whole = batch.run([klass], tmp_path / "whole", dummy, jobs=2, progress=False)
    shards = [batch.run([klass], tmp_path / f"s{i}", dummy, jobs=2, shard=(i, 3), progress=False) for i in (1, 2, 3)]
    keys = [{o.entry.key for o in s.outcomes} for s in shards]
    assert set.union(*keys) == {o.entry.key for o in whole.outcomes} and sum(map(len, keys)) == 12
    assert all(s.gradebook.name == f"gradebook.shard-{i}-of-3.csv" for i, s in enumerate(shards, 1))
    again = batch.run([klass], tmp_path / "again", dummy, jobs=1, shard=(2, 3), progress=False)
    assert {o.entry.key for o in again.outcomes} == keys[1]
    merged = merge([tmp_path / "s1", tmp_path / "s2", tmp_path / "s3"], tmp_path / "merged")
    assert (tmp_path / "merged" / "gradebook.csv").read_text() == whole.gradebook.read_text()
    assert "| 12 of 12 | q1_cosine is right | ` it is wrong ` | ` student00 ` |" in merged.report.read_text()
    from_csvs = merge([s.gradebook for s in shards], tmp_path / "merged-csv")
    assert from_csvs.gradebook.read_text() == whole.gradebook.read_text()
    assert "merge the shards' output folders" in from_csvs.report.read_text()
    with pytest.raises(ValueError, match="graded differently"):
        wrong = tmp_path / "wrong.csv"
        wrong.write_text(shards[0].gradebook.read_text().replace(",graded", ",grading failed"))
        merge([shards[0].gradebook, wrong], tmp_path / "conflict")
    with pytest.raises(ValueError, match="--shard"):
        discovery.parse_shard("0/3")


def test_an_exception_costs_only_its_submission_and_is_retried(tmp_path, fake_grade):
    klass = class_folder(tmp_path, 3)
    (klass / "student01" / "cosine.py").write_text("boom")
    dummy = stand_in_autograder(tmp_path)
    first = batch.run([klass], tmp_path / "out", dummy, jobs=2, progress=False)
    assert [o.entry.key for o in first.outcomes if o.error] == ["student01"]
    assert [g.total for g in first.graded] == [80, 0, 82]
    fake_grade.clear()
    second = batch.run([klass], tmp_path / "out", dummy, jobs=2, progress=False)
    assert fake_grade == ["student01"]  # errors are retried, complete results are kept
    (klass / "student02" / "cosine.py").write_text("score = 5")  # a changed submission is regraded
    fake_grade.clear()
    batch.run([klass], tmp_path / "out", dummy, jobs=2, progress=False)
    assert sorted(fake_grade) == ["student01", "student02"]
    stand_in_autograder(tmp_path, b"a rebuilt autograder")  # and so is everything after the autograder changed
    fake_grade.clear()
    batch.run([klass], tmp_path / "out", dummy, jobs=2, progress=False)
    assert sorted(fake_grade) == ["student00", "student01", "student02"]
    assert second.outcomes[0].skipped


def test_an_interrupted_batch_keeps_what_finished_and_resumes(tmp_path, fake_grade, monkeypatch):
    klass = class_folder(tmp_path, 3)
    dummy = stand_in_autograder(tmp_path)
    real = batch.grade

    def interrupting(source, results, autograder_zip=None):
        if Path(source).name == "student01":  # Ctrl-C while this one is being graded
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)
        return real(source, results, autograder_zip)

    monkeypatch.setattr(batch, "grade", interrupting)
    with pytest.raises(KeyboardInterrupt):
        batch.run([klass], tmp_path / "out", dummy, jobs=1, progress=False)
    time.sleep(1)  # let the interrupted grading thread finish (its results must be discarded)
    kept = sorted(p.parent.name for p in (tmp_path / "out" / "results").glob("*/results.json"))
    assert kept == ["student00"]
    monkeypatch.setattr(batch, "grade", real)
    fake_grade.clear()
    resumed = batch.run([klass], tmp_path / "out", dummy, jobs=1, progress=False)
    assert fake_grade == ["student01", "student02"] and [o.skipped for o in resumed.outcomes] == [True, False, False]


def test_incomplete_results_are_not_trusted(tmp_path, fake_grade):
    klass = class_folder(tmp_path, 2)
    dummy = stand_in_autograder(tmp_path)
    run = batch.run([klass], tmp_path / "out", dummy, jobs=1, progress=False)
    path = run.out / "results" / "student00" / "results.json"
    path.write_text(path.read_text()[:50])  # truncated, as by a crash while writing
    data = fake_results({})
    data["tests"] = [t for t in data["tests"] if t["name"] != "q4_mae"]  # a question missing
    (run.out / "results" / "student01" / "results.json").write_text(json.dumps(data))
    fake_grade.clear()
    batch.run([klass], tmp_path / "out", dummy, jobs=1, progress=False)
    assert sorted(fake_grade) == ["student00", "student01"]
    fake_grade.clear()
    batch.run([klass], tmp_path / "out", dummy, jobs=1, force=True, progress=False)
    assert sorted(fake_grade) == ["student00", "student01"]


def test_progress_is_plain_lines_without_a_tty(tmp_path, fake_grade, capsys):
    klass = class_folder(tmp_path, 2)
    dummy = stand_in_autograder(tmp_path)
    batch.run([klass], tmp_path / "out", dummy, jobs=1)
    err = capsys.readouterr().err
    assert "[1/2] student00: 80/100 in" in err and "[2/2] student01: 81/100" in err and "\r" not in err


def test_the_gradebook_has_a_column_per_released_question(tmp_path):
    """A release with the extensions: its gradebook, report and summary list all seven questions, out of 155."""
    graded = [gradebook.Graded("s", (), {q.id: float(q.points) for q in ALL})]
    path = gradebook.write_csv(graded, tmp_path / "g.csv")
    assert next(csv.reader(path.open()))[4:-2] == [q.id for q in ALL]
    assert gradebook.read_csv(path)[0].scores == graded[0].scores
    assert "| **total** | 155 |" in report.markdown(graded) and "| q7_dino | 20 |" in report.markdown(graded)


def test_gradebook_cells_cannot_become_spreadsheet_formulas(tmp_path):
    person = exports.Submitter('=HYPERLINK("http://x")', "+1", "@me")
    g = gradebook.Graded("s", (person,), {q.id: 1.0 for q in QUESTIONS})
    path = gradebook.write_csv([g], tmp_path / "g.csv")
    row = next(csv.DictReader(path.open()))
    assert row["name"].startswith("'=") and row["sid"] == "'+1" and row["email"] == "'@me"
    assert gradebook.read_csv(path)[0].submitters == (person,)


def test_student_text_in_the_report_cannot_render_as_links_or_images(tmp_path):
    problem = "![pixel](https://tracker.example/p.png) see [here](https://evil.example) <img src=x> www.evil.example | `x`"
    g = gradebook.from_results("sub", (), fake_results({"q2_nt_xent": 0}, problem))
    text = report.markdown([g])
    row = next(line for line in text.splitlines() if "q2_nt_xent is right" in line)
    cell = row.split(" | ")[2]
    assert cell.startswith("`` ") and cell.endswith(" ``") and "\\|" in cell  # one code span; the pipe escaped for the table
    assert "![pixel]" not in text.replace(cell, "")


def test_single_submission_mode_is_unchanged(tmp_path, monkeypatch, capsys):
    from autograder import cli

    seen = []
    monkeypatch.setattr(cli, "grade", lambda s, r, a: seen.append((s, r)) or fake_results({}))
    monkeypatch.chdir(tmp_path)
    cli.main(["grade", str(submission(tmp_path / "one"))])
    assert seen == [(tmp_path / "one", Path("results.json"))]
    assert capsys.readouterr().out.splitlines()[-1] == "results: results.json"
    assert not (tmp_path / "graded").exists() and os.listdir(tmp_path) == ["one"]


def test_hostile_exports_are_read_with_caps(tmp_path):
    folder = tmp_path / "export"
    submission(folder / "submission_1")
    bomb = (
        "a: &a ["
        + ",".join(["x"] * 9)
        + "]\n"
        + "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefg", "bcdefgh"))
    )
    (folder / exports.METADATA).write_text(bomb)
    with pytest.raises(ValueError, match="aliases"):
        exports.read_metadata(folder)
    (folder / exports.METADATA).write_text(
        "submission_1:\n  :submitters:\n  - :name: {nested: [1, 2]}\n    :sid: 12\n    :email: " + "e" * 500 + "\n"
    )
    (person,) = exports.read_metadata(folder)["submission_1"]
    assert person.name == "" and person.sid == "12" and len(person.email) == exports.MAX_FIELD
    archive = tmp_path / "bomb_export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export/submission_metadata.yml", "submission_1: {}\n")
        zf.writestr("export/submission_1/handin.zip", b"\0" * 15_000_000)  # 15 MB of zeros in about 15 kB
        zf.writestr("export/submission_1/cosine.py", "x = 1\n")
    folder = exports.extract(archive, tmp_path / "unpacked")
    assert (folder / "submission_1" / "cosine.py").is_file() and not (folder / "submission_1" / "handin.zip").exists()
