"""``python -m autograder build | grade SUBMISSION... | merge GRADEBOOK... | stubs``."""

import argparse
import os
import sys
from pathlib import Path

from autograder.build import build
from autograder.grade import grade, summary_table
from autograder.stubs import write_stubs
from checker.registry import ALL, CORE, select
from grader import results_json

GRADE_HELP = """\
One submission (a folder holding the student's files, a zip of them, either nested one
folder deep) is graded as before: a per-question table on stdout and --results.

Batch mode grades many and writes a gradebook. It is chosen when any of these holds:
  - more than one SUBMISSION is given;
  - SUBMISSION is a Gradescope "Export Submissions" download (its zip, or the folder
    it unzips to: submission_metadata.yml beside one folder per submission); names,
    student ids and emails then go into the gradebook;
  - SUBMISSION is a folder without student files at its top level but with two or
    more sub-folders or zips that hold them (one per student);
  - --out or --shard is given (forces batch mode, e.g. for a folder of one student).
Batch output (--out, default ./graded): results/<submission>/results.json,
gradebook.csv (submission, name, sid, email, one column per question, total, status),
report.md (per-question mean and median, the properties failed most often) and
totals.png (with --shard I/N: gradebook.shard-I-of-N.csv and so on; `merge` joins
them). Rerunning resumes: submissions already graded from the same files with the
same autograder zip are skipped (--force regrades them). Progress goes to stderr: a
bar on a terminal, one line per submission otherwise.

examples:
  python -m autograder grade alice.zip
  python -m autograder grade assignment_123_export.zip --out graded --jobs 4
  python -m autograder grade class_folder/ --out graded
  python -m autograder grade export.zip --out graded-1 --shard 1/2   # machine 1
  python -m autograder grade export.zip --out graded-2 --shard 2/2   # machine 2
  python -m autograder merge graded-1 graded-2 --out graded
"""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="write dist/autograder.zip and dist/student.zip")
    build_parser.add_argument(
        "--torch",
        choices=("cpu", "cuda"),
        default="cpu",
        help="torch build in the autograder's environment.yml: cpu (default; Gradescope has no GPU and 768 MB) "
        "or cuda (for a grader with a GPU: about 5 GB more, at least 1 GB of memory)",
    )
    build_parser.add_argument(
        "--questions",
        type=lambda text: [q for q in text.split(",") if q],
        help=f"comma-separated question ids to release (default the core four; known: {', '.join(q.id for q in ALL)})",
    )
    build_parser.add_argument("--with-extensions", action="store_true", help="release all seven questions (MoCo, BYOL, DINO too)")
    grade_parser = commands.add_parser(
        "grade",
        help="grade one submission, or a whole class (batch mode), through otter run",
        description=GRADE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grade_parser.add_argument("submission", type=Path, nargs="+", help="submission(s), folder(s) of submissions or a Gradescope export")
    grade_parser.add_argument("--results", type=Path, help="one submission: where to write results.json (default ./results.json)")
    grade_parser.add_argument(
        "--autograder",
        type=Path,
        help="autograder zip to use (default: dist/autograder.zip, built if missing or if the sources changed since)",
    )
    batch_options = grade_parser.add_argument_group("batch mode")
    batch_options.add_argument("--out", type=Path, help="output folder (default ./graded); forces batch mode")
    batch_options.add_argument(
        "--jobs", type=int, help="submissions graded at once (default: the number of CPUs; with more than one, torch uses one thread each)"
    )
    batch_options.add_argument("--force", action="store_true", help="regrade submissions that already have complete results")
    batch_options.add_argument("--shard", help="grade only shard I of N (I/N, 1-based; split by a stable hash of the submission name)")
    batch_options.add_argument("--no-progress", action="store_true", help="no progress bar or per-submission lines on stderr")
    merge_parser = commands.add_parser(
        "merge",
        help="join the gradebooks of batch shards into one gradebook and report",
        description="Join shard gradebooks. Give the shards' output folders (their results/ "
        "feed the most-failed list of the report) or their gradebook CSVs (scores only).",
    )
    merge_parser.add_argument("inputs", type=Path, nargs="+", help="shard output folders or gradebook CSV files")
    merge_parser.add_argument("--out", type=Path, default=Path("graded"), help="where to write gradebook.csv, report.md, totals.png")
    commands.add_parser("stubs", help="rewrite assignment/*.py from solutions/*.py")
    args = parser.parse_args(argv)

    if args.command == "build":
        try:
            questions = ALL if args.with_extensions else select(args.questions) if args.questions else CORE
        except ValueError as error:
            parser.error(str(error))
        for path in build(torch=args.torch, questions=questions):
            print(f"wrote {path}")
        print(f"questions: {', '.join(q.id for q in questions)} ({sum(q.points for q in questions)} points)")
    elif args.command == "grade":
        for path in args.submission:
            if not path.exists():
                parser.error(f"{path} does not exist")
        if args.out is None and args.shard is None and not _is_batch(args.submission):
            results = args.results or Path("results.json")
            data = grade(args.submission[0], results, args.autograder)
            print(summary_table(data))
            print(f"results: {results}")
            _exit_unless_graded(data)
        else:
            _grade_batch(parser, args)
    elif args.command == "merge":
        from autograder.merge import merge

        for path in args.inputs:
            if not path.exists():
                parser.error(f"{path} does not exist")
        try:
            merged = merge(args.inputs, args.out)
        except ValueError as error:
            parser.error(str(error))
        print(merged.summary())
    elif args.command == "stubs":
        for path in write_stubs():
            print(f"wrote {path}")


def _exit_unless_graded(data: dict):
    """Exit 0 when grading completed, whatever the score; say loudly when it did not."""
    status = results_json.status(data)
    if status == "refused":
        print(f"GRADING REFUSED: {results_json.record(data).refused}", file=sys.stderr)
        sys.exit(2)
    if status == "failed":
        print(f"grading did not complete: {data.get('extra_data', {}).get('problem') or data.get('output', '')}", file=sys.stderr)
        sys.exit(1)


def _is_batch(paths: list[Path]) -> bool:
    from autograder.discovery import is_batch

    return is_batch(paths)


def _grade_batch(parser: argparse.ArgumentParser, args):
    import signal

    from autograder import batch
    from autograder.discovery import parse_shard

    if args.results is not None:
        parser.error("--results is for one submission; batch mode writes results/<submission>/results.json under --out")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        shard = parse_shard(args.shard) if args.shard is not None else None
    except ValueError as error:
        parser.error(str(error))
    out = args.out or Path("graded")
    if (args.jobs or batch.cpu_count()) > 1:
        # several gradings share the CPUs: one thread each for torch in Otter's kernel (workers already use one)
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        run = batch.run(args.submission, out, args.autograder, args.jobs, args.force, shard, progress=not args.no_progress)
    except KeyboardInterrupt:
        batch.stop_children()
        print(f"\ninterrupted: finished submissions are kept in {out}; rerun the same command to resume", file=sys.stderr)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(run.summary())
    if any(o.error for o in run.outcomes):
        sys.exit(1)
