"""The results table (printed) and the plot (a PNG, drawn with matplotlib's Agg canvas).

The plot uses matplotlib's object API, never ``pyplot``, so importing the demo in a
notebook leaves the notebook's own plotting backend alone.
"""

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def table(results: dict, label_counts: dict, n_test: int, repeats: int, seed: int) -> str:
    """``results[name][fraction] = (mean, std)`` as a fixed-width text table, in percent."""
    fractions = list(label_counts)
    header = ["representation"] + [f"{f:.0%} ({label_counts[f]})" for f in fractions]
    rows = [[name] + [f"{100 * results[name][f][0]:.1f}" for f in fractions] for name in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join([cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])])

    title = (
        f"Linear-probe accuracy (%) on {n_test} held-out test digits; columns: fraction of the "
        f"training labels (number of labels); mean of {repeats} label draws below 100%; seed {seed}"
    )
    return "\n".join([title, line(header), line(["-" * w for w in widths]), *map(line, rows)])


def plot(results: dict, label_counts: dict, path: Path, seed: int) -> Figure:
    """Accuracy against the number of labels (log scale), one line per representation."""
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    counts = list(label_counts.values())
    for name, by_fraction in results.items():
        means = [100 * by_fraction[f][0] for f in label_counts]
        stds = [100 * by_fraction[f][1] for f in label_counts]
        style = "--" if name in ("raw pixels", "random-init encoder") else "-"
        ax.errorbar(counts, means, yerr=stds, fmt=style, marker="o", capsize=3, label=name)
    ax.set_xscale("log")
    ax.set_xticks(counts, [str(c) for c in counts])
    ax.set_xlabel("labelled training digits used by the linear probe")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"Pre-train without labels, then probe with few (seed {seed})")
    ax.grid(alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return fig
