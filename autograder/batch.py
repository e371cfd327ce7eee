"""Grade a whole class: many submissions in parallel, resumable, into one output folder.

Inputs are any mix of submissions (folder or zip), folders of submissions (one
sub-folder or zip per student) and Gradescope "Export Submissions" downloads (zip
or unzipped; names, ids and emails come from its ``submission_metadata.yml``).
Each submission is graded by ``autograder.grade.grade`` (the same ``otter run``
path as a single ``grade``) in a thread of its own; the heavy work runs in Otter's
subprocesses, so threads are enough to keep ``jobs`` of them busy.

Output folder::

    results/<submission>/results.json   Gradescope results, one per submission
    results/<submission>/meta.json      who, from where, with which autograder, how long
    gradebook.csv, report.md, totals.png
    sources/                            export zips, unpacked (one folder per shard)

A submission is skipped when its ``results.json`` is complete and ``meta.json``
says it was graded from the same files with the same autograder zip; so an
interrupted run resumes where it stopped, and a changed submission or a rebuilt
autograder is regraded. ``force`` regrades everything.
"""

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograder import exports, gradebook, report
from autograder.exports import Submitter
from autograder.grade import built_autograder, grade
from autograder.gradebook import Graded
from checker.registry import QUESTIONS, STUDENT_FILES
from checker.submission import find_files
from grader import results_json
from grader.stage import UploadRejected, stage

RESULTS = "results"
SOURCES = "sources"
INTERRUPT_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Entry:
    """One submission to grade: a stable key (its folder name in the output), where it is, who sent it."""

    key: str
    source: Path | None
    submitters: tuple[Submitter, ...] = ()


@dataclass
class Outcome:
    entry: Entry
    graded: Graded
    seconds: float = 0.0
    skipped: bool = False
    error: str = ""


@dataclass
class BatchRun:
    out: Path
    outcomes: list[Outcome] = field(default_factory=list)
    gradebook: Path | None = None
    report: Path | None = None
    histogram: Path | None = None
    seconds: float = 0.0
    merged: bool = False

    @property
    def graded(self) -> list[Graded]:
        return [o.graded for o in self.outcomes]

    def summary(self) -> str:
        done = [o for o in self.outcomes if not o.skipped]
        errors = [o for o in self.outcomes if o.error]
        if self.merged:
            lines = [f"{len(self.outcomes)} submissions merged"]
        else:
            lines = [
                f"{len(self.outcomes)} submissions: {len(done)} graded now, {len(self.outcomes) - len(done)} already graded "
                f"(--force regrades), {len(errors)} errors, in {self.seconds:.0f} s",
            ]
        scored = [g for g in self.graded if g.status == gradebook.OK]
        lines.append(f"{'question':<12} {'max':>5} {'mean':>6} {'median':>6}")
        for q in QUESTIONS:
            values = [g.scores[q.id] for g in scored]
            lines.append(f"{q.id:<12} {q.points:>5} {report._mean(values):>6} {report._median(values):>6}")
        totals = [g.total for g in scored]
        lines.append(f"{'total':<12} {gradebook.MAX_TOTAL:>5} {report._mean(totals):>6} {report._median(totals):>6}")
        for o in errors:
            lines.append(f"error: {o.entry.key}: {o.error} (rerun to retry)")
        lines += [f"gradebook: {self.gradebook}", f"report:    {self.report}", f"histogram: {self.histogram}"]
        if not self.merged:
            lines.append(f"results:   {self.out / RESULTS}/<submission>/results.json")
        return "\n".join(lines)


# ---------------------------------------------------------------- discovery


def is_batch(paths: list[Path]) -> bool:
    """Batch mode without ``--out``: several paths, an export, or a folder of several submissions."""
    if len(paths) != 1:
        return True
    return exports.is_export(paths[0]) or is_class_folder(paths[0])


def is_class_folder(path: Path) -> bool:
    """A folder whose top level holds no student file but at least two sub-folders or zips that hold some."""
    path = Path(path)
    if not path.is_dir() or any((path / name).is_file() for name in STUDENT_FILES):
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
        return bool(find_files(path)) or any(p.suffix.lower() == ".zip" and p.is_file() for p in path.iterdir())
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


# ---------------------------------------------------------------- sharding


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


# ---------------------------------------------------------------- resumption


def fingerprint(entry: Entry) -> str:
    """SHA-256 of the files the grader would read from this submission (``missing`` when there is none)."""
    if entry.source is None or not entry.source.exists():
        return "missing"
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="batch-stage-") as tmp:
        try:
            staged = stage(entry.source, Path(tmp)).files
        except (UploadRejected, OSError) as error:  # unreadable: grade() reports it; hash the error so it is stable
            return "unreadable:" + hashlib.sha256(repr(error).encode()).hexdigest()
        for name in sorted(staged):
            digest.update(name.encode() + b"\0" + staged[name].read_bytes() + b"\0")
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_complete(folder: Path, source_digest: str | None = None, autograder_digest: str | None = None) -> dict | None:
    """The results of ``folder`` when complete (and, if digests are given, graded from those); else None."""
    try:
        data = json.loads((folder / "results.json").read_text())
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(meta, dict) or meta.get("status") == "error":
        return None
    if not results_json.is_complete(data):
        return None
    if source_digest is not None and meta.get("fingerprint") != source_digest:
        return None
    if autograder_digest is not None and meta.get("autograder") != autograder_digest:
        return None
    return data


def _write_json(path: Path, data: dict):
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2))
    partial.replace(path)


# ---------------------------------------------------------------- grading


def grade_one(entry: Entry, folder: Path, autograder_zip: Path, meta: dict, stopping: threading.Event | None = None) -> Outcome | None:
    """Grade one submission into ``folder``; never raises. None when the batch was interrupted meanwhile."""
    start = time.monotonic()
    error = ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if entry.source is None or not entry.source.exists():
            data = results_json.failure(f"the submission {entry.key} is listed but its folder is missing")
        else:
            data = grade(entry.source, folder / "results.json.partial", autograder_zip)
    except Exception as exc:  # the batch's own failure (disk, permissions...): recorded, retried next run
        error = f"{type(exc).__name__}: {exc}"
        data = results_json.failure(f"the batch grader failed: {error}")
    seconds = time.monotonic() - start
    graded = gradebook.from_results(entry.key, entry.submitters, data)
    if stopping is not None:
        if graded.status == gradebook.FAILED or error:
            # Ctrl-C reaches Otter as well: give the main thread time to say so, or an
            # interrupted grading would be saved as this submission's (failed) grade
            stopping.wait(INTERRUPT_GRACE_SECONDS)
        if stopping.is_set():
            return None
    try:
        record = {**meta, "status": "error" if error else graded.status, "seconds": round(seconds, 2)}
        record["graded_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        _write_json(folder / "meta.json", record)
        _write_json(folder / "results.json", data)
        (folder / "results.json.partial").unlink(missing_ok=True)
    except Exception as exc:
        error = error or f"could not save results: {type(exc).__name__}: {exc}"
    return Outcome(entry, graded, seconds, error=error)


def run(
    paths: list[Path],
    out: Path,
    autograder_zip: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    shard: tuple[int, int] | None = None,
    progress: bool = True,
) -> BatchRun:
    """Grade every submission behind ``paths`` (of ``shard`` only, if given) into ``out``."""
    started = time.monotonic()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    autograder_zip = Path(autograder_zip) if autograder_zip else built_autograder()
    autograder_digest = file_digest(autograder_zip)
    suffix = "" if shard is None else f".shard-{shard[0]}-of-{shard[1]}"
    entries = [e for e in discover(paths, out / SOURCES / f"unpacked{suffix}") if in_shard(e.key, shard)]
    batch = BatchRun(out)

    todo = []
    for entry in entries:
        folder = out / RESULTS / entry.key
        meta = {
            "submission": entry.key,
            "source": str(entry.source) if entry.source else None,
            "submitters": [s.as_dict() for s in entry.submitters],
            "fingerprint": fingerprint(entry),
            "autograder": autograder_digest,
        }
        done = None if force else read_complete(folder, meta["fingerprint"], autograder_digest)
        if done is not None:
            batch.outcomes.append(Outcome(entry, gradebook.from_results(entry.key, entry.submitters, done), skipped=True))
        else:
            todo.append((entry, folder, meta))

    jobs = max(1, jobs or cpu_count())
    bar = Progress(len(todo), len(entries) - len(todo), enabled=progress)
    stopping = threading.Event()
    pool = ThreadPoolExecutor(max_workers=min(jobs, max(1, len(todo))), thread_name_prefix="grade")
    try:
        futures = {pool.submit(grade_one, entry, folder, autograder_zip, meta, stopping): entry for entry, folder, meta in todo}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # grade_one guards itself; this is the last line of defence
                entry, error = futures[future], f"{type(exc).__name__}: {exc}"
                outcome = Outcome(entry, gradebook.from_results(entry.key, entry.submitters, results_json.failure(error)), error=error)
            if outcome is not None:
                batch.outcomes.append(outcome)
                bar.step(outcome)
    except BaseException:
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
        raise
    pool.shutdown()
    bar.close()

    batch.outcomes.sort(key=lambda o: o.entry.key)
    batch.gradebook = gradebook.write_csv(batch.graded, out / f"gradebook{suffix}.csv")
    title = "Class report" if shard is None else f"Class report, shard {shard[0]} of {shard[1]}"
    batch.report, batch.histogram = report.write(batch.graded, out / f"report{suffix}.md", out / f"totals{suffix}.png", title)
    batch.seconds = time.monotonic() - started
    return batch


def cpu_count() -> int:
    """The CPUs this process may run on (the default for ``--jobs``)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def stop_children():
    """After an interruption, end this process's descendants (the CLI's ``otter run`` processes).

    For a process that does nothing but grade (the CLI); not called by ``run``,
    which may live in a process with children of its own.
    """
    try:
        import psutil
    except ImportError:
        return
    for child in psutil.Process().children(recursive=True):
        try:
            child.terminate()
        except psutil.Error:
            pass


class Progress:
    """A tqdm bar on a terminal; one plain line per submission otherwise (logs, CI, nohup)."""

    def __init__(self, total: int, skipped: int, enabled: bool = True, stream=None):
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.bar = None
        if not enabled:
            return
        if skipped:
            print(f"{skipped} submissions already graded: skipped (--force regrades them)", file=self.stream, flush=True)
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="grading", unit="submission", file=self.stream, dynamic_ncols=True)

    def step(self, outcome: Outcome):
        self.done += 1
        if not self.enabled:
            return
        score = f"{outcome.graded.total:g}/{gradebook.MAX_TOTAL}"
        note = f" [{outcome.error or outcome.graded.status}]" if outcome.error or outcome.graded.status != gradebook.OK else ""
        if self.bar is not None:
            self.bar.set_postfix_str(f"{outcome.entry.key} {score}{note}", refresh=False)
            self.bar.update(1)
            return
        elapsed = time.monotonic() - self.start
        left = elapsed / self.done * (self.total - self.done)
        print(
            f"[{self.done}/{self.total}] {outcome.entry.key}: {score}{note} in {outcome.seconds:.0f} s "
            f"({elapsed:.0f} s elapsed, about {left:.0f} s left)",
            file=self.stream,
            flush=True,
        )

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


# ---------------------------------------------------------------- merge


def merge(inputs: list[Path], out: Path) -> BatchRun:
    """Join shard gradebooks (CSV files, or output folders with their ``gradebook*.csv``) into ``out``.

    From output folders the feedback in ``results/`` is read too, so the merged
    report lists the most-failed properties; from bare CSVs it has scores only.
    """
    books = []
    for path in map(Path, inputs):
        csvs = sorted(path.glob("gradebook*.csv")) if path.is_dir() else [path]
        if not csvs:
            raise ValueError(f"{path} holds no gradebook*.csv")
        for csv_path in csvs:
            book = gradebook.read_csv(csv_path)
            if path.is_dir():
                for g in book:
                    data = read_complete(path / RESULTS / g.submission)
                    if data is not None:
                        g.record = results_json.record(data)
            books.append(book)
    merged = gradebook.merge(books)
    out = Path(out)
    batch = BatchRun(out, [Outcome(Entry(g.submission, None, g.submitters), g, skipped=True) for g in merged], merged=True)
    if any(g.record is None for g in merged):
        for g in merged:
            g.record = None
    batch.gradebook = gradebook.write_csv(merged, out / "gradebook.csv")
    batch.report, batch.histogram = report.write(merged, out / "report.md", out / "totals.png")
    return batch
