"""Progress of a batch: a tqdm bar on a terminal, one plain line per submission otherwise."""

import sys
import time

from autograder import gradebook


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

    def step(self, outcome):
        """``outcome``: a ``batch.Outcome`` (its key, score, status, error and seconds)."""
        self.done += 1
        if not self.enabled:
            return
        score = f"{outcome.graded.total:g}/{gradebook.max_total(gradebook.questions([outcome.graded])):g}"
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
