"""Hostile and broken submissions: grading stays honest, complete and private.

Each module in ``tests/adversarial/<question>/`` attacks one question. Through
the real CLI they are graded a few at a time (one per question, at least one
question left as the reference solution): grading must complete, write a valid
``results.json``, give the attacked questions exactly their honest score (0:
every module is written so that, judged honestly, none of its properties
holds) and leave the other questions at full marks. The cheaper checks of each
mechanism (user id, filesystem view, network, limits, clean-up, reply
validation) talk to a single worker in-process.
"""

import json
import os
import resource
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import hypothesis
import pytest
import torch

from checker import isolation, sandbox
from checker.grading import Session
from checker.registry import QUESTIONS
from checker.sandbox import Limits, Worker, WorkerLost
from checker.student import Other, Student, _decode, _text
from tests.conftest import ROOT, SOLUTIONS, run_grade, scores, submission

ADVERSARIAL = ROOT / "tests" / "adversarial"
FILES = {q.id: q.file for q in QUESTIONS}
FULL = {q.id: q.points for q in QUESTIONS}
IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(
    not IS_ROOT, reason="only a grader running as root can give the worker its own user id, filesystem view and network namespace"
)

# One attack per question at most; the questions left out keep the reference solution.
GROUPS = {
    "hangs": {"q2_nt_xent": "infinite_loop", "q3_rotation": "hang_at_import", "q4_mae": "memory_bomb"},
    "exits": {"q1_cosine": "sys_exit_at_import", "q3_rotation": "tensor_subclass", "q4_mae": "os_exit_at_import"},
    "fooling_the_checks": {"q1_cosine": "monkeypatch_comparisons", "q2_nt_xent": "degenerate_mutation", "q4_mae": "disable_hypothesis"},
    "floods_and_forgeries": {"q3_rotation": "megabytes_of_output", "q4_mae": "forged_reply"},
    "escaping": {"q1_cosine": "fork_bomb", "q2_nt_xent": "kill_parent", "q3_rotation": "open_socket"},
    "snooping": {"q1_cosine": "forge_results", "q2_nt_xent": "read_secrets"},
}
ROOT_GROUPS = {"escaping", "snooping"}  # without root the worker shares the grader's user id
MARKERS = ("/tmp/adversarial-forged-reply-ran", "/tmp/adversarial-forge-results-ran")


def attack(question_id: str, name: str, port: int = 9) -> str:
    source = (ADVERSARIAL / question_id / f"{name}.py").read_text()
    return source.replace("PORT = 9  #", f"PORT = {port}  #")


def test_every_attack_is_graded_through_the_cli():
    on_disk = {(p.parent.name, p.stem) for p in ADVERSARIAL.glob("q*/*.py")}
    grouped = {(q, name) for group in GROUPS.values() for q, name in group.items()}
    hang = {(q.id, "infinite_loop") for q in QUESTIONS}
    assert on_disk == grouped | hang
    assert all(len(group) < len(QUESTIONS) for group in GROUPS.values())


@pytest.fixture
def listener():
    """A TCP listener on the grading machine's loopback; records every connection."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    received.append(connection.recv(100))
                except OSError:
                    received.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:  # the listener works from here
        probe.sendall(b"probe")
    deadline = time.monotonic() + 5
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert received == [b"probe"]
    received.clear()
    yield port, received
    stop.set()
    thread.join()
    server.close()


def assert_valid_results(results: dict):
    assert isinstance(results, dict) and isinstance(results.get("tests"), list)
    entries = [t for t in results["tests"] if isinstance(t, dict)]
    for q in QUESTIONS:
        mine = [t for t in entries if t.get("name") == q.id]
        assert len(mine) == 1, q.id
        assert mine[0]["max_score"] == q.points and 0 <= mine[0]["score"] <= q.points
    assert "forged" not in json.dumps(results)


# -- through the CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize("group", GROUPS)
def test_attacks_get_their_honest_score_through_the_cli(group, dist, tmp_path, listener):
    if group in ROOT_GROUPS and not IS_ROOT:
        pytest.skip("these attacks are stopped by the worker's own user id and namespaces: only when grading as root")
    port, connections = listener
    attacked = GROUPS[group]
    for marker in MARKERS:
        Path(marker).unlink(missing_ok=True)
    folder = submission(tmp_path / "submission", {FILES[q]: attack(q, name, port) for q, name in attacked.items()})
    (folder / "results.json").write_text(json.dumps({"score": 100, "forged": True, "tests": []}))  # handed in: ignored
    results_path = tmp_path / "results.json"
    results_path.write_text(json.dumps({"forged": True}))  # already there: overwritten
    done, results = run_grade(dist, folder, results_path)

    assert done.returncode == 0, done.stderr[-3000:]
    assert_valid_results(results)
    assert scores(results) == {q: 0 if q in attacked else points for q, points in FULL.items()}
    assert connections == [], "student code reached a listener on the grading machine"
    assert not any(Path(m).exists() for m in MARKERS), "a forged reply or results file ran code in the grader"
    text = json.dumps(results)
    assert "LEAKED" not in text
    for secret in (SOLUTIONS / "nt_xent.py", ROOT / "autograder" / "hidden" / "q2_nt_xent.py"):
        for line in secret.read_text().splitlines():
            if len(line.strip()) > 40:
                assert line.strip() not in text, f"{secret.name} leaked into the feedback"
    assert len(text) < 200_000  # megabytes of output or error text never reach results.json


def test_a_submission_hanging_everywhere_is_graded_in_under_two_minutes(dist, tmp_path):
    folder = submission(tmp_path / "submission", {FILES[q.id]: attack(q.id, "infinite_loop") for q in QUESTIONS})
    start = time.monotonic()
    done, results = run_grade(dist, folder, tmp_path / "results.json")
    elapsed = time.monotonic() - start
    assert done.returncode == 0
    assert_valid_results(results)
    assert scores(results) == {q.id: 0 for q in QUESTIONS}
    for entry in results["tests"]:
        if entry["name"] in FULL:
            assert "timed out" in entry["output"]
    assert elapsed < 120, f"grading took {elapsed:.0f} s"


# -- one worker, in-process ------------------------------------------------------------------

PROBE = """
import json, os, resource, socket

def cosine_similarity(u, v, eps=1e-8):
    report = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "sid": os.getsid(0), "pid": os.getpid(),
              "root_listing": sorted(os.listdir("/")), "home": os.getcwd(), "env": dict(os.environ),
              "data_used": next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmData")),
              "limits": {n: resource.getrlimit(getattr(resource, n)) for n in
                         ("RLIMIT_DATA", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")}}
    for name, path in READ.items():
        try:
            with open(path) as f:
                report[name] = f.read(100)
        except OSError as error:
            report[name] = type(error).__name__
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=2).close()
        report["network"] = "connected"
    except OSError as error:
        report["network"] = error.strerror
    parent = os.getppid()
    for name, action in (("signal", lambda: os.kill(parent, 0)), ("parent_cwd", lambda: os.readlink(f"/proc/{parent}/cwd"))):
        try:
            action()
            report[name] = "allowed"
        except OSError as error:
            report[name] = type(error).__name__
    raise ValueError(json.dumps(report))
"""


def probe(tmp_path: Path, limits: Limits = Limits(), port: int = 9, read: dict | None = None) -> tuple[dict, dict]:
    """What a student module sees from inside a worker, and the isolation the launcher reported."""
    read = read or {"solution": str(SOLUTIONS / "nt_xent.py")}
    module = tmp_path / "cosine.py"
    module.write_text(f"PORT = {port}\nREAD = {read!r}\n" + PROBE)
    worker = Worker(module, limits)
    try:
        assert worker.load() == {"ok": True}
        reply = worker.request({"op": "call", "function": "cosine_similarity", "args": [torch.ones(2), torch.ones(2)]}, 10, "probing")
    finally:
        worker.close()
    return json.loads(reply["message"]), worker.isolation


@needs_root
def test_worker_runs_as_its_own_user_in_a_private_view_without_network(tmp_path, listener):
    port, connections = listener
    seen, facts = probe(tmp_path, port=port)
    assert facts == {"user": f"uid {seen['uid']}", "filesystem": "private read-only view", "network": "none"}
    assert seen["uid"] >= isolation.UID_BASE and seen["gid"] == seen["uid"] and seen["groups"] == []
    assert seen["sid"] == seen["pid"]  # its own session
    assert seen["solution"] == "FileNotFoundError"  # the repository is not even visible
    assert set(seen["root_listing"]) <= {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "dev", "proc", "sys", "tmp"} | {
        Path(p).parts[1] for p in isolation.python_paths()
    }
    assert seen["network"] == "Network is unreachable" and connections == []
    assert seen["signal"] == "PermissionError" and seen["parent_cwd"] in ("PermissionError", "FileNotFoundError")
    assert set(seen["env"]) <= set(isolation.environment("/")) | {"TORCHINDUCTOR_CACHE_DIR"}
    limits = Limits()
    data = seen["limits"]["RLIMIT_DATA"][0]
    assert seen["limits"]["RLIMIT_DATA"] == [data, data] and 0 < data - seen["data_used"] <= limits.memory_bytes
    assert seen["limits"]["RLIMIT_NPROC"] == [limits.processes] * 2
    assert seen["limits"]["RLIMIT_CPU"] == [limits.cpu_seconds, limits.cpu_seconds + 5]
    assert seen["limits"]["RLIMIT_FSIZE"] == [limits.file_bytes] * 2 and seen["limits"]["RLIMIT_CORE"] == [0, 0]


def test_without_isolation_the_worker_keeps_the_limits(tmp_path):
    """What a grader without root gets (here forced with ``isolate=False``): same user, same limits."""
    seen, facts = probe(tmp_path, Limits(isolate=False))
    assert facts["user"] == "same as the grader" and seen["uid"] == os.getuid()
    assert seen["sid"] == seen["pid"]
    assert 0 < seen["limits"]["RLIMIT_DATA"][0] - seen["data_used"] <= Limits().memory_bytes
    assert seen["limits"]["RLIMIT_FSIZE"] == [Limits().file_bytes] * 2


AS_NOBODY = """
import json, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.test_adversarial import probe
seen, facts = probe(Path({folder!r}))
print(json.dumps({{"seen": seen, "facts": facts}}))
"""


@needs_root
@pytest.mark.skipif(not (shutil.which("unshare") and shutil.which("setpriv")), reason="needs util-linux's unshare and setpriv")
def test_as_an_ordinary_user_the_worker_still_gets_a_private_view(tmp_path):
    """The instructor's laptop: no root, so no user switch; where the system allows unprivileged
    user namespaces the worker still gets the private view and no network. Run here as `nobody`,
    in a mount namespace that only makes the Python installation reachable for that user."""
    folder = Path(tempfile.mkdtemp(prefix="as-nobody-"))
    folder.chmod(0o777)
    setup = ["mount --make-rprivate /"]
    for i, path in enumerate(isolation.python_paths()):  # expose each path hidden under a closed directory
        real = Path(path).resolve()
        closed = next((p for p in reversed(real.parents) if not p.stat().st_mode & stat.S_IXOTH), None)
        if closed is not None:
            stage = folder / f"stage{i}"
            stage.mkdir()
            setup += [
                f"mount --bind {real} {stage}",
                f"mountpoint -q {closed} || mount -t tmpfs -o mode=755 tmpfs {closed}",
                f"mkdir -p {real}",
                f"mount --move {stage} {real}",
            ]
    code = AS_NOBODY.format(root=str(ROOT), folder=str(folder))
    command = " && ".join(
        setup + [f"cd {ROOT} && setpriv --reuid=65534 --regid=65534 --clear-groups {sys.executable} -c {shlex.quote(code)}"]
    )
    try:
        done = subprocess.run(["unshare", "-m", "bash", "-c", command], capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    seen, facts = report["seen"], report["facts"]
    assert seen["uid"] == 65534 and facts["user"] == "same as the grader"
    assert 0 < seen["limits"]["RLIMIT_DATA"][0] - seen["data_used"] <= Limits().memory_bytes
    if "namespaces" in facts:
        pytest.skip(f"unprivileged user namespaces are refused here: {facts['namespaces']}")
    assert facts["network"] == "none" and seen["network"] == "Network is unreachable"
    assert facts["filesystem"] == "private read-only view" and seen["solution"] == "FileNotFoundError"


@needs_root
@pytest.mark.parametrize("refused", ["namespaces", "mounts"])
def test_without_a_private_view_the_graders_directories_are_closed(refused, tmp_path, monkeypatch):
    """A container that refuses namespaces (no CAP_SYS_ADMIN), or allows them but refuses mounts
    (an AppArmor profile): the user switch and chmod remain, and the network namespace if any."""
    lib = Path(tempfile.mkdtemp(prefix="grader-lib-"))  # under /tmp, reachable by anyone unless closed
    secret = lib / "solutions"
    secret.mkdir(mode=0o755)
    (secret / "nt_xent.py").write_text("REFERENCE")
    lib.chmod(0o755)
    monkeypatch.setattr(sandbox, "grader_secrets", lambda: [str(secret)])
    limits = Limits(namespaces=refused != "namespaces")
    if refused == "mounts":  # the view's mount point does not exist: its first mount fails
        config = isolation.config
        monkeypatch.setattr(isolation, "config", lambda *a, **k: {**config(*a, **k), "view_root": str(lib / "missing")})
    above = {str(p): stat.S_IMODE(p.stat().st_mode) for path in isolation.python_paths() for p in Path(path).resolve().parents}
    try:
        seen, facts = probe(tmp_path, limits, read={"solution": str(secret / "nt_xent.py")})
    finally:
        for path, mode in above.items():  # put back what opening the way to the interpreter changed
            os.chmod(path, mode)
        mode = stat.S_IMODE(secret.stat().st_mode)
        shutil.rmtree(lib)
    assert facts["user"] == f"uid {seen['uid']}" and facts["filesystem"] == "shared, grader's directories closed to other users"
    expected = "not used (turned off in Limits)" if refused == "namespaces" else "no private view (mount "
    assert facts["namespaces"].startswith(expected)
    assert seen["uid"] >= isolation.UID_BASE
    assert seen["solution"] == "PermissionError" and mode == 0o700
    assert seen["signal"] == "PermissionError"
    assert (seen["network"] == "Network is unreachable") == (refused == "mounts")


@needs_root
def test_a_fork_bomb_is_capped_and_nothing_survives_the_worker(tmp_path):
    module = tmp_path / "cosine.py"
    module.write_text(attack("q1_cosine", "fork_bomb"))
    limits = Limits(call_seconds=3)
    worker = Worker(module, limits)
    assert worker.load() == {"ok": True}
    peak, stop = [0], threading.Event()

    def count():
        while not stop.is_set():
            peak[0] = max(peak[0], len(isolation.processes_of(worker.uid)))
            time.sleep(0.05)

    counter = threading.Thread(target=count)
    counter.start()
    with pytest.raises(WorkerLost, match="timed out"):
        worker.request({"op": "call", "function": "cosine_similarity", "args": [torch.ones(2), torch.ones(2)]}, 3, "bombing")
    stop.set()
    counter.join()
    assert 1 < peak[0] <= limits.processes  # it did fork, and no more than RLIMIT_NPROC allows
    assert isolation.processes_of(worker.uid) == []  # children that called setsid() were killed too


def test_clearing_a_user_refuses_ordinary_user_ids():
    with pytest.raises(ValueError):
        isolation.kill_user(0)
    with pytest.raises(ValueError):
        isolation.kill_user(os.getuid())


def test_megabytes_of_output_are_dropped_quickly(tmp_path):
    module = tmp_path / "rotation.py"
    module.write_text(attack("q3_rotation", "megabytes_of_output"))
    start = time.monotonic()
    worker = Worker(module)
    loaded = worker.load()  # 40 MB of output while importing
    reply = worker.request({"op": "call", "function": "rotate_batch", "args": [torch.ones(1, 1, 2, 2)]}, 10, "flooding")
    worker.close()
    assert loaded == {"ok": True} and reply["ok"] is False
    assert time.monotonic() - start < 60
    text = worker.output.text()
    assert len(text) < Limits().output_bytes + 100 and "more bytes of output dropped" in text
    assert len(reply["message"]) <= 2000  # the worker clips messages; feedback.clip clips again


def test_a_memory_bomb_fails_inside_its_call_below_the_limit(tmp_path):
    module = tmp_path / "mae.py"
    module.write_text(attack("q4_mae", "memory_bomb"))
    worker = Worker(module)
    try:
        assert worker.load() == {"ok": True}
        reply = worker.request({"op": "call", "function": "mae_loss", "args": [torch.ones(1)] * 3}, 30, "hoarding")
        peak_kb = int(next(line for line in open(f"/proc/{worker.process.pid}/status") if line.startswith("VmHWM")).split()[1])
    finally:
        worker.close()
    assert reply["ok"] is False and reply["error_type"] in ("RuntimeError", "MemoryError")
    assert peak_kb * 1024 < 400 * 2**20  # torch's ~250 MB of data, 64 MB for the student, libraries mapped from disk


def test_monkeypatching_inside_the_worker_changes_nothing_in_the_grader(tmp_path):
    before = (torch.allclose, torch.isclose, torch.equal, torch.Tensor.__eq__, hypothesis.given, hypothesis.settings.default.max_examples)
    for question_id, name in (("q1_cosine", "monkeypatch_comparisons"), ("q4_mae", "disable_hypothesis")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / FILES[question_id]).write_text(attack(question_id, name))
        result = Session(folder).grade(question_id)
        assert result.score == 0, [o.message for o in result.outcomes if o.passed]
    after = (torch.allclose, torch.isclose, torch.equal, torch.Tensor.__eq__, hypothesis.given, hypothesis.settings.default.max_examples)
    assert before == after


def test_patching_torch_does_not_hide_a_modified_input(tmp_path):
    """The worker measures mutation with torch functions bound before the student's import."""
    (tmp_path / "rotation.py").write_text(
        "import torch\ntorch.equal = lambda a, b: True\ntorch.Tensor.clone = lambda self, *a, **k: self\n"
        "def rotate_batch(images):\n    images.add_(1)\n    return images, images\n"
    )
    student = Student(tmp_path / "rotation.py")
    try:
        assert student.call("rotate_batch", torch.zeros(1, 1, 2, 2)).mutated == (0,)
    finally:
        student.close()


# -- what crosses the boundary ---------------------------------------------------------------


def test_replies_are_plain_data_of_bounded_size():
    plain = torch.arange(4.0)
    assert torch.equal(
        _decode({"kind": "tensor", "exact_type": True, "dtype": "torch.float32", "shape": [4], "device": "cpu", "data": plain}, set()),
        plain,
    )
    parameter = torch.nn.Parameter(plain.clone())
    with pytest.raises(WorkerLost):
        _decode({"kind": "tensor", "exact_type": True, "dtype": "torch.float32", "shape": [4], "device": "cpu", "data": parameter}, set())
    sparse = plain.to_sparse()
    with pytest.raises(WorkerLost):
        _decode({"kind": "tensor", "exact_type": True, "dtype": "torch.float32", "shape": [4], "device": "cpu", "data": sparse}, set())
    assert isinstance(_decode({"kind": "tensor", "exact_type": False}, set()), Other)
    shared = {"kind": "tuple", "items": []}
    shared["items"] = [shared] * 8  # a reply built from shared references: never walked deeply
    assert _decode({"kind": "tuple", "items": [shared] * 8}, set()) == (Other("tuple", "a tuple inside a tuple"),) * 8
    nested = ["x"]
    for _ in range(40):
        nested = [nested] * 8
    assert _text(nested) == "" and _text("a" * 10_000) == "a" * 2000


def test_compressed_or_pickled_replies_are_refused_before_loading(tmp_path):
    import io
    import pickle
    import zipfile

    buffer = io.BytesIO()
    torch.save({"ok": True, "data": torch.zeros(1000)}, buffer)
    assert sandbox._uncompressed_archive(buffer.getvalue())
    deflated = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(deflated, "w") as packed:
        for info in source.infolist():
            packed.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    assert not sandbox._uncompressed_archive(deflated.getvalue())
    assert not sandbox._uncompressed_archive(pickle.dumps({"ok": True}))


def test_a_truncated_reply_header_costs_only_the_call(tmp_path):
    module = tmp_path / "rotation.py"
    module.write_text("import os, sys\ndef rotate_batch(images):\n    os.write(int(sys.argv[2]), b'\\x01\\x02')\n    os._exit(3)\n")
    worker = Worker(module)
    assert worker.load() == {"ok": True}
    with pytest.raises(WorkerLost, match="died"):
        worker.request({"op": "call", "function": "rotate_batch", "args": [torch.ones(1, 1, 2, 2)]}, 10, "replying")


def test_the_limits_apply_to_the_worker_only(tmp_path):
    before = [resource.getrlimit(r) for r in (resource.RLIMIT_DATA, resource.RLIMIT_NPROC, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE)]
    probe(tmp_path)
    after = [resource.getrlimit(r) for r in (resource.RLIMIT_DATA, resource.RLIMIT_NPROC, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE)]
    assert before == after
