"""How many Hypothesis examples each property needs to catch what it catches.

    python -m benchmarks.examples [--budgets 3 6 10 25] [--jobs 2]

Grades the reference, every correct variant and every mutant (``tests/corpus``),
in-process, once per budget with every Hypothesis property limited to that many
examples, and records for each property the files it fails and the seconds it
takes. For each property it then reports the smallest budget whose kill set
equals the kill set at the largest budget, next to the budget the property
declares now. Writes ``benchmarks/EXAMPLES_RESULTS.md``.
"""

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hypothesis import settings

from autograder.paths import ROOT, SOLUTIONS


def files() -> list[tuple[str, str, str]]:
    """(question id, name, source text) of every file graded."""
    from checker.registry import ALL
    from tests.corpus import corpus

    found = [(q.id, f"reference/{q.id}", (SOLUTIONS / q.file).read_text()) for q in ALL]
    for kind in ("correct", "mutants"):
        found += [(e.question, f"{kind}/{e.question}/{e.name}", e.source()) for e in corpus(kind)]
    return found


def declared(prop) -> int | None:
    inner = getattr(prop.check, "_hypothesis_internal_use_settings", None)
    return inner.max_examples if inner is not None and hasattr(prop.check, "hypothesis") else None


def grade(job: tuple[str, str, int]) -> dict[str, tuple[bool, float]]:
    """Property key -> (passed, seconds) for one file at one budget (in a pool process)."""
    import shutil
    import tempfile

    from checker.grading import Session
    from checker.registry import question
    from grader.hidden import hidden_properties

    question_id, source, budget = job
    folder = Path(tempfile.mkdtemp())
    try:
        (folder / question(question_id).file).write_text(source)
        session = Session(folder, hidden=hidden_properties([question_id]))
        found = {}
        for prop in session.properties(question_id):
            if declared(prop) is not None:
                prop.check._hypothesis_internal_use_settings = settings(prop.check._hypothesis_internal_use_settings, max_examples=budget)
            start = time.monotonic()
            result = session.check(prop)
            found[prop.key] = (result.passed, time.monotonic() - start)
        session.close()
        return found
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[3, 6, 10, 25])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "EXAMPLES_RESULTS.md")
    args = parser.parse_args()
    from checker.grading import Session
    from checker.registry import ALL
    from grader.hidden import hidden_properties

    todo = files()
    results = {}  # budget -> name -> key -> (passed, seconds)
    with ProcessPoolExecutor(args.jobs) as pool:
        for budget in args.budgets:
            start = time.monotonic()
            graded = pool.map(grade, [(q, source, budget) for q, _, source in todo])
            results[budget] = {name: outcome for (_, name, _), outcome in zip(todo, graded)}
            print(f"budget {budget}: {len(todo)} files in {time.monotonic() - start:.0f} s", flush=True)
    largest = max(args.budgets)
    session = Session(ROOT, hidden=hidden_properties([q.id for q in ALL]))
    lines = [
        "# Examples per property: what each budget catches",
        "",
        f"Files graded: {len(todo)} (reference, correct variants and mutants of `tests/corpus`). For each Hypothesis "
        f"property: the files it fails at {largest} examples (its kill set), the smallest budget that keeps that kill set, "
        "the budget it declares, and its seconds summed over the reference files at each budget.",
        "",
        "| property | kills at "
        + str(largest)
        + " | smallest budget keeping them | declared | "
        + " | ".join(f"s at {b}" for b in args.budgets)
        + " |",
        "| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in args.budgets) + " |",
    ]
    for q in ALL:
        for prop in session.properties(q.id):
            if declared(prop) is None:
                continue
            names = [name for question_id, name, _ in todo if question_id == q.id]
            kills = {b: {n for n in names if not results[b][n][prop.key][0]} for b in args.budgets}
            enough = min(b for b in args.budgets if kills[b] == kills[largest])
            seconds = [sum(results[b][n][prop.key][1] for n in names if n.startswith("reference/")) for b in args.budgets]
            lines.append(
                f"| {q.id}.{prop.key} | {len(kills[largest])} | {enough} | {declared(prop)} | "
                + " | ".join(f"{s:.2f}" for s in seconds)
                + " |"
            )
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
