"""Join the gradebooks of a class graded in shards into one gradebook and report."""

from pathlib import Path

from autograder import gradebook, report
from autograder.batch import RESULTS, BatchRun, Outcome
from autograder.discovery import Entry
from autograder.resumption import read_complete
from grader import results_json


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
