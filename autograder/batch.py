"""Grade a whole class: many submissions in parallel, resumable, into one output folder.

What is graded and under which key comes from ``autograder.discovery``; what may
be skipped from ``autograder.resumption``; shards are joined by ``autograder.merge``.
Each submission is graded by ``autograder.grade.grade`` (the same ``otter run``
path as a single ``grade``) in a thread of its own; the heavy work runs in Otter's
subprocesses, so threads are enough to keep ``jobs`` of them busy.

Output folder::

    results/<submission>/results.json   Gradescope results, one per submission
    results/<submission>/meta.json      who, from where, with which autograder, how long
    gradebook.csv, report.md, totals.png
    sources/                            export zips, unpacked (one folder per shard)

An interrupted run resumes where it stopped; a changed submission or a rebuilt
autograder is regraded; ``force`` regrades everything.
"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograder import gradebook, report
from autograder.build import release_of
from autograder.discovery import Entry, discover, in_shard
from autograder.grade import built_autograder, grade
from autograder.gradebook import Graded
from autograder.progress import Progress
from autograder.resumption import file_digest, fingerprint, read_complete
from checker.registry import Question
from grader import results_json

RESULTS = "results"
SOURCES = "sources"
INTERRUPT_GRACE_SECONDS = 2.0


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
        questions = gradebook.questions(self.graded)
        lines.append(f"{'question':<12} {'max':>5} {'mean':>6} {'median':>6}")
        for q in questions:
            values = [g.scores.get(q.id, 0.0) for g in scored]
            lines.append(f"{q.id:<12} {q.points:>5} {report.mean(values):>6} {report.median(values):>6}")
        totals = [g.total for g in scored]
        lines.append(f"{'total':<12} {gradebook.max_total(questions):>5} {report.mean(totals):>6} {report.median(totals):>6}")
        for o in errors:
            lines.append(f"error: {o.entry.key}: {o.error} (rerun to retry)")
        lines += [f"gradebook: {self.gradebook}", f"report:    {self.report}", f"histogram: {self.histogram}"]
        if not self.merged:
            lines.append(f"results:   {self.out / RESULTS}/<submission>/results.json")
        return "\n".join(lines)


def grade_one(
    entry: Entry, folder: Path, autograder_zip: Path, release: tuple[Question, ...], meta: dict, stopping: threading.Event | None = None
) -> Outcome | None:
    """Grade one submission into ``folder`` with ``autograder_zip`` (grading ``release``'s questions); never
    raises. None when the batch was interrupted meanwhile."""
    start = time.monotonic()
    error = ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if entry.source is None or not entry.source.exists():
            data = results_json.failure(f"the submission {entry.key} is listed but its folder is missing", questions=release)
        else:
            data = grade(entry.source, folder / "results.json.partial", autograder_zip)
    except Exception as exc:  # the batch's own failure (disk, permissions...): recorded, retried next run
        error = f"{type(exc).__name__}: {exc}"
        data = results_json.failure(f"the batch grader failed: {error}", questions=release)
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
        results_json.write(folder / "meta.json", record)
        results_json.write(folder / "results.json", data)
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
    autograder_digest, release = file_digest(autograder_zip), release_of(autograder_zip)
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
        done = None if force else read_complete(folder, meta["fingerprint"], autograder_digest, release)
        if done is not None:
            batch.outcomes.append(Outcome(entry, gradebook.from_results(entry.key, entry.submitters, done), skipped=True))
        else:
            todo.append((entry, folder, meta))

    jobs = max(1, jobs or cpu_count())
    bar = Progress(len(todo), len(entries) - len(todo), enabled=progress)
    stopping = threading.Event()
    pool = ThreadPoolExecutor(max_workers=min(jobs, max(1, len(todo))), thread_name_prefix="grade")
    try:
        futures = {pool.submit(grade_one, entry, folder, autograder_zip, release, meta, stopping): entry for entry, folder, meta in todo}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:  # grade_one guards itself; this is the last line of defence
                entry, error = futures[future], f"{type(exc).__name__}: {exc}"
                outcome = Outcome(
                    entry, gradebook.from_results(entry.key, entry.submitters, results_json.failure(error, questions=release)), error=error
                )
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
