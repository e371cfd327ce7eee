"""The class report: what the class scored and what it got wrong, on one screen.

Markdown with the per-question mean and median (plus how many got full marks,
zero, or did not attempt the question), a histogram of totals as a PNG, and per
question the properties failed most often, each with its count and one example
of the feedback students got. Statistics count submissions, not students (a
group submission counts once).
"""

import re
import statistics
from collections import Counter
from pathlib import Path

from autograder.gradebook import FAILED, Graded, max_total, questions
from checker.results import NOT_ATTEMPTED, NOT_SCORED

TOP = 5
EXAMPLE_CHARS = 140


def failures(g: Graded, question_id: str) -> list[tuple[str, str]]:
    """The ``(property claim, problem)`` pairs of one question, from the grader's record."""
    if g.record is None:
        return []
    return [(p.claim, p.problem) for p in g.record.question(question_id).failed]


def attempted(g: Graded, question_id: str) -> bool:
    """False when the question scored 0 and every failure says the code is missing or a stub."""
    if g.scores.get(question_id, 0) > 0 or g.record is None:
        return True
    statuses = [p.status for p in g.record.question(question_id).failed if p.status != NOT_SCORED]  # laws of a stub are not scored
    return not statuses or not all(status in NOT_ATTEMPTED for status in statuses)


def most_failed(graded: list[Graded], question_id: str) -> list[tuple[str, int, str, str]]:
    """``(property, count, example problem, example submission)``, most failed first (attempts only).

    The example is the problem most submissions got for that property (the first
    such submission by name), so one odd crash does not stand for the class.
    """
    counts: Counter[str] = Counter()
    problems: dict[str, Counter[str]] = {}
    first: dict[tuple[str, str], str] = {}
    for g in sorted(graded, key=lambda g: g.submission):
        if g.record is None or g.status == FAILED or not attempted(g, question_id):
            continue
        found = failures(g, question_id)
        counts.update(dict(found).keys())
        for claim, problem in found:
            if problem:
                problems.setdefault(claim, Counter())[problem] += 1
                first.setdefault((claim, problem), g.submission)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    rows = []
    for claim, count in ranked:
        if claim in problems:
            problem = min(problems[claim].items(), key=lambda item: (-item[1], first[(claim, item[0])]))[0]
            rows.append((claim, count, problem, first[(claim, problem)]))
        else:
            rows.append((claim, count, "", ""))
    return rows


def markdown(graded: list[Graded], histogram: str | None = None, title: str = "Class report") -> str:
    scored = [g for g in graded if g.status != FAILED]
    students = sum(len(g.submitters) for g in graded)
    lines = [f"# {title}", ""]
    who = f" from {students} students" if students else ""
    lines.append(f"{len(graded)} submissions{who}; {len(graded) - len(scored)} could not be graded.")
    lines.append("Statistics are over graded submissions; a group submission counts once.")
    lines += [
        "",
        "| question | points | mean | median | full marks | zero | not attempted |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    known = all(g.record is not None for g in scored)
    released = questions(graded)
    total = max_total(released)
    for q in released:
        values = [g.scores.get(q.id, 0.0) for g in scored]
        skipped = sum(not attempted(g, q.id) for g in scored) if known else "?"
        lines.append(
            f"| {q.id} | {q.points} | {mean(values)} | {median(values)} | {_count(values, q.points)} | {_count(values, 0)} | {skipped} |"
        )
    totals = [g.total for g in scored]
    lines.append(f"| **total** | {total} | {mean(totals)} | {median(totals)} | {_count(totals, total)} | {_count(totals, 0)} | |")
    if histogram:
        lines += ["", f"![Histogram of totals]({histogram})"]
    lines += ["", "## What the class got wrong", ""]
    if not known:
        lines.append("Feedback texts were not available (gradebook CSVs only): merge the shards' output folders to list failed properties.")
    else:
        lines.append(
            f"Per question, the {TOP} properties failed most often, counted over the submissions that attempted it, with one example of the feedback."
        )
        for q in released:
            tried = [g for g in scored if attempted(g, q.id)]
            lines += ["", f"### {q.id} ({q.points} points): mean {mean([g.scores[q.id] for g in tried])} over {len(tried)} attempts", ""]
            rows = most_failed(scored, q.id)
            if not rows:
                lines.append("No property failed.")
                continue
            lines += ["| failed by | property | example problem | submission |", "| ---: | --- | --- | --- |"]
            for claim, count, problem, who in rows:
                lines.append(f"| {count} of {len(tried)} | {_escape(claim)} | {_code(_clip(problem))} | {_code(who)} |")
    broken = sorted((g for g in graded if g.status == FAILED), key=lambda g: g.submission)
    if broken:
        lines += ["", "## Could not be graded", ""]
        lines.append("These got 0 because grading did not complete. To retry one, delete its results.json and rerun the batch.")
        lines.append("")
        for g in broken:
            lines.append(f"- {_code(g.submission)}" + (f": {_code(_clip(g.problem))}" if g.problem else ""))
    return "\n".join(lines) + "\n"


def histogram(graded: list[Graded], path: Path) -> Path:
    """A PNG histogram of the totals (Agg canvas, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    totals = [g.total for g in graded if g.status != FAILED]
    total = max_total(questions(graded))
    figure = Figure(figsize=(7, 3.5), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    step = max(1, total // 20)
    axes.hist(totals, bins=list(range(0, total + step, step)), color="#4C72B0", edgecolor="white")
    if totals:
        axes.axvline(statistics.mean(totals), color="#C44E52", linestyle="--", label=f"mean {statistics.mean(totals):.1f}")
        axes.legend(loc="upper left")
    axes.set_xlim(0, total + step)
    axes.set_xlabel(f"total score (out of {total})")
    axes.set_ylabel("submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"Totals of {len(totals)} graded submissions")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path


def write(graded: list[Graded], report: Path, png: Path, title: str = "Class report") -> tuple[Path, Path]:
    histogram(graded, png)
    report.write_text(markdown(graded, png.name, title), encoding="utf-8")
    return report, png


def mean(values) -> str:
    return f"{statistics.mean(values):.1f}" if values else "-"


def median(values) -> str:
    return f"{statistics.median(values):g}" if values else "-"


def _count(values, target) -> int:
    return sum(v == target for v in values)


def _clip(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 3] + "..."


def _escape(text: str) -> str:
    """The grader's own text (a property's claim) in a table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _code(text: str) -> str:
    """Text that came from a student (a submission name, an exception message) as an inline code
    span: no link, image, autolink or HTML inside it can render. Pipes are escaped for the table."""
    text = " ".join(text.split())
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}".replace("|", "\\|")
