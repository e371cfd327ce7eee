"""Hostile and broken submissions: grading stays honest, complete and private.

Each module in ``tests/adversarial/<question>/`` attacks one question. Through
the real CLI they are graded a few at a time (one per question, at least one
question left as the reference solution), in both modes the grader meets:
with namespaces, and with namespaces refused the way Docker's defaults refuse
them (Gradescope). Grading must complete, write a valid ``results.json``, give
the attacked questions exactly their honest score (0: every module is written
so that, judged honestly, none of its properties holds or it breaks the
assignment's import rule) and leave the other questions at full marks. The
cheaper checks of each mechanism (user id, filesystem view, network, limits,
clean-up, reply validation) talk to a single worker in-process.
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

from autograder.paths import ROOT, SOLUTIONS
from checker import isolation, wire
from checker.grading import Session
from checker.registry import QUESTIONS
from checker.sandbox import Limits, SandboxUnavailable, Worker, WorkerLost
from checker.student import BadReply, Other, Student, _decode, _Seen, _text
from tests.conftest import HIDDEN, MODES, run_grade, scores, submission

ADVERSARIAL = ROOT / "tests" / "adversarial"
FILES = {q.id: q.file for q in QUESTIONS}
FULL = {q.id: q.points for q in QUESTIONS}
IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(
    not IS_ROOT, reason="only a grader running as root can give the worker its own user id, filesystem view and network namespace"
)
LEVEL = {"namespaces": "namespaces", "docker defaults": "container"}

# One attack per question at most; the questions left out keep the reference solution.
GROUPS = {
    "hangs": {"q2_nt_xent": "infinite_loop", "q3_rotation": "hang_at_import", "q4_mae": "memory_bomb"},
    "exits": {"q1_cosine": "sys_exit_at_import", "q3_rotation": "tensor_subclass", "q4_mae": "os_exit_at_import"},
    "fooling_the_checks": {"q1_cosine": "monkeypatch_comparisons", "q2_nt_xent": "degenerate_mutation", "q4_mae": "disable_hypothesis"},
    "floods_and_forgeries": {"q2_nt_xent": "stride_zero_reply", "q3_rotation": "megabytes_of_output", "q4_mae": "forged_reply"},
    "escaping": {"q1_cosine": "fork_bomb", "q2_nt_xent": "kill_parent", "q3_rotation": "open_socket", "q4_mae": "mmap_bomb"},
    "snooping": {"q1_cosine": "forge_results", "q2_nt_xent": "read_secrets"},
    "the_loopback": {"q1_cosine": "otter_log_server"},
    "forging_measurements": {"q1_cosine": "disable_torch_function", "q3_rotation": "slow_but_correct"},
}
MARKERS = ("/tmp/adversarial-forged-reply-ran", "/tmp/adversarial-forge-results-ran", "/tmp/adversarial-log-server-ran")


def attack(question_id: str, name: str, port: int = 9) -> str:
    source = (ADVERSARIAL / question_id / f"{name}.py").read_text()
    return source.replace("PORT = 9  #", f"PORT = {port}  #")


def test_every_attack_is_graded_through_the_cli():
    on_disk = {(p.parent.name, p.stem) for p in ADVERSARIAL.glob("q*/*.py")}
    grouped = {(q, name) for group in GROUPS.values() for q, name in group.items()}
    hang = {(q.id, "infinite_loop") for q in QUESTIONS}
    assert on_disk == grouped | hang
    assert all(len(group) <= len(QUESTIONS) for group in GROUPS.values())


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
    with socket.create_connection(("127.0.0.1", port), timeout=2) as probe_connection:  # the listener works from here
        probe_connection.sendall(b"probe")
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


@needs_root
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("group", GROUPS)
def test_attacks_get_their_honest_score_through_the_cli(group, mode, dist, tmp_path, listener):
    port, connections = listener
    attacked = GROUPS[group]
    for marker in MARKERS:
        Path(marker).unlink(missing_ok=True)
    folder = submission(tmp_path / "submission", {FILES[q]: attack(q, name, port) for q, name in attacked.items()})
    (folder / "results.json").write_text(json.dumps({"score": 100, "forged": True, "tests": []}))  # handed in: ignored
    results_path = tmp_path / "results.json"
    results_path.write_text(json.dumps({"forged": True}))  # already there: overwritten
    start = time.monotonic()
    done, results = run_grade(dist, folder, results_path, mode)

    assert done.returncode == 0, done.stderr[-3000:]
    assert_valid_results(results)
    assert results["extra_data"]["level"] == LEVEL[mode]
    assert scores(results) == {q: 0 if q in attacked else points for q, points in FULL.items()}
    assert connections == [], "student code reached a listener on the grading machine"
    assert not any(Path(m).exists() for m in MARKERS), "a forged reply or results file ran code in the grader"
    text = json.dumps(results)
    assert "LEAKED" not in text and "reached ports" not in text
    for secret in (SOLUTIONS / "nt_xent.py", ROOT / "grader" / "hidden" / "q2_nt_xent.py"):
        for line in secret.read_text().splitlines():
            code = line.strip()
            if len(code) > 40 and not code.startswith(('"', 'f"')):  # a property's claim is feedback, shown when it fails
                assert code not in text, f"{secret.name} leaked into the feedback"
    assert len(text) < 300_000  # megabytes of output or error text never reach results.json
    assert time.monotonic() - start < 240


@pytest.mark.parametrize("mode", MODES)
def test_a_submission_hanging_everywhere_is_graded_in_under_two_minutes(mode, dist, tmp_path):
    if mode != "namespaces" and not IS_ROOT:
        pytest.skip("without namespaces, only root can isolate workers: grading is refused")
    folder = submission(tmp_path / "submission", {FILES[q.id]: attack(q.id, "infinite_loop") for q in QUESTIONS})
    start = time.monotonic()
    done, results = run_grade(dist, folder, tmp_path / "results.json", mode)
    elapsed = time.monotonic() - start
    assert done.returncode == 0
    assert_valid_results(results)
    assert scores(results) == {q.id: 0 for q in QUESTIONS}
    for entry in results["tests"]:
        if entry["name"] in FULL:
            assert "timed out" in entry["output"]
    assert elapsed < 120, f"grading took {elapsed:.0f} s"


def test_a_slow_module_ends_with_its_time_budget(dist, tmp_path):
    """4.5 s per call, under the call deadline: the question's budget ends it, the others are graded."""
    folder = submission(tmp_path / "submission", {"rotation.py": attack("q3_rotation", "slow_but_correct")})
    start = time.monotonic()
    done, results = run_grade(dist, folder, tmp_path / "results.json")
    assert time.monotonic() - start < Limits().budget_seconds + 120
    assert done.returncode == 0 and scores(results) == {**FULL, "q3_rotation": 0}
    outcomes = [p for p in results["extra_data"]["properties"] if p["question"] == "q3_rotation"]
    assert any("time budget" in " ".join(p["details"]) for p in outcomes)


@needs_root
@pytest.mark.skipif(not shutil.which("unshare"), reason="needs util-linux's unshare")
def test_root_of_a_user_namespace_grades_with_namespaces_and_is_not_blamed(dist, tmp_path):
    """Root inside ``unshare -Ur``: no other user id exists, so no worker can switch to one.
    The worker still gets PID, mount and network namespaces, and the reference full marks."""
    done, results = run_grade(dist, SOLUTIONS, tmp_path / "results.json", wrapper=["unshare", "-Ur"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert scores(results) == FULL and results["extra_data"]["level"] == "namespaces"
    assert results["extra_data"]["isolation"]["user"] == "same as the grader"


@needs_root
@pytest.mark.skipif(not shutil.which("unshare"), reason="needs util-linux's unshare")
def test_where_student_code_cannot_be_isolated_grading_is_refused_without_blame(dist, tmp_path):
    """Root of a user namespace (no other user id) in a container that refuses namespaces: nothing
    could keep student code from the grader, so nothing runs and the results say why."""
    wrapper = ["unshare", "-Ur", *MODES["docker defaults"]]
    done, results = run_grade(dist, SOLUTIONS, tmp_path / "results.json", wrapper=wrapper)
    assert done.returncode == 2 and "GRADING REFUSED" in done.stderr
    assert results["extra_data"]["status"] == "refused" and results["extra_data"]["refused"]
    assert_valid_results(results)
    for entry in results["tests"]:
        if entry["name"] in FULL:
            assert "not graded" in entry["output"] and "not of your code" in entry["output"]
            assert "your code" not in entry["output"].replace("not of your code", "")


# -- one worker, in-process ------------------------------------------------------------------

PROBE = """
import json, os, resource, socket

def cosine_similarity(u, v, eps=1e-8):
    report = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "sid": os.getsid(0), "pid": os.getpid(),
              "root_listing": sorted(os.listdir("/")), "home": os.getcwd(), "env": dict(os.environ),
              "mapped": next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize")),
              "limits": {n: resource.getrlimit(getattr(resource, n)) for n in
                         ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE")},
              "oom_score_adj": open("/proc/self/oom_score_adj").read().strip()}
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
    try:
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        report["fork"] = "allowed"
    except OSError as error:
        report["fork"] = error.strerror
    parent = os.getppid()
    for name, action in (("signal", lambda: os.kill(parent, 0)), ("parent_cwd", lambda: os.readlink(f"/proc/{parent}/cwd"))):
        try:
            action()
            report[name] = "allowed" if parent else "no parent in sight"
        except OSError as error:
            report[name] = type(error).__name__
    raise ValueError(json.dumps(report))
"""


def probe(tmp_path: Path, limits: Limits = Limits(), port: int = 9, read: dict | None = None, secrets=()) -> tuple[dict, dict]:
    """What a student module sees from inside a worker, and the isolation the worker reported."""
    read = read or {"solution": str(SOLUTIONS / "nt_xent.py")}
    module = tmp_path / "cosine.py"
    module.write_text(f"PORT = {port}\nREAD = {read!r}\n" + PROBE)
    worker = Worker(module, limits, tuple(secrets))
    try:
        assert worker.load() == {"ok": True}
        reply = worker.request({"op": "call", "function": "cosine_similarity", "args": [torch.ones(2), torch.ones(2)]}, 10, "probing")
    finally:
        worker.close()
    return json.loads(reply["message"]), worker.isolation


def assert_limits(seen: dict, limits: Limits = Limits()):
    address_space = seen["limits"]["RLIMIT_AS"][0]
    assert seen["limits"]["RLIMIT_AS"] == [address_space] * 2 and 0 < address_space - seen["mapped"] <= limits.memory_bytes
    assert seen["limits"]["RLIMIT_CPU"] == [limits.cpu_seconds, limits.cpu_seconds + 5]
    assert seen["limits"]["RLIMIT_FSIZE"] == [limits.file_bytes] * 2 and seen["limits"]["RLIMIT_CORE"] == [0, 0]
    assert seen["oom_score_adj"] == "1000"
    assert seen["fork"] == "Operation not permitted"


@needs_root
def test_worker_runs_as_its_own_user_in_a_private_view_without_network(tmp_path, listener):
    port, connections = listener
    seen, facts = probe(tmp_path, port=port)
    assert isolation.level(facts) == "namespaces"
    assert facts["user"] == isolation.OWN_USER and facts["files"] == isolation.PRIVATE_VIEW
    assert facts["processes"] == isolation.OWN_PID_NAMESPACE and facts["network"].startswith("none")
    assert seen["uid"] >= isolation.UID_BASE and seen["gid"] == seen["uid"] and seen["groups"] == []
    assert seen["pid"] == 1 and seen["sid"] == 0  # PID 1 of its own namespace; its session leader is outside
    assert seen["solution"] == "FileNotFoundError"  # the repository is not even visible
    assert set(seen["root_listing"]) <= {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "dev", "proc", "sys", "tmp"} | {
        Path(p).parts[1] for p in isolation.python_paths()
    }
    assert seen["network"] == "Operation not permitted" and connections == []
    assert seen["signal"] == "no parent in sight"
    assert set(seen["env"]) <= set(isolation.environment("/"))
    assert_limits(seen)
    assert seen["limits"]["RLIMIT_NPROC"] == [Limits().threads] * 2


def test_without_isolation_the_worker_keeps_the_limits_and_the_filter(tmp_path):
    """What a grader without root and without user namespaces gets (forced with ``isolate=False``)."""
    seen, facts = probe(tmp_path, Limits(isolate=False))
    assert facts["user"] == "same as the grader" and seen["uid"] == os.getuid()
    assert isolation.level(facts) == "none" and seen["network"] == "Operation not permitted"
    assert_limits(seen)
    with pytest.raises(SandboxUnavailable, match="'container' is required"):
        probe(tmp_path, Limits(isolate=False, require="container"))


PROBE_IN_SUBPROCESS = """
import json, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from checker.sandbox import Limits
from tests.test_adversarial import probe
seen, facts = probe(Path({folder!r}), read={read!r}, secrets={secrets!r})
print(json.dumps({{"seen": seen, "facts": facts}}))
"""


def probe_in_subprocess(folder: Path, wrapper: list[str], read: dict | None = None, secrets=(), prefix=()) -> tuple[dict, dict]:
    code = PROBE_IN_SUBPROCESS.format(root=str(ROOT), folder=str(folder), read=read, secrets=list(secrets))
    done = subprocess.run([*prefix, *wrapper, sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["seen"], report["facts"]


@needs_root
def test_as_in_gradescopes_container_the_graders_directories_are_closed(tmp_path):
    """Namespaces refused as Docker refuses them: the user switch, chmod, seccomp and limits remain."""
    lib = Path(tempfile.mkdtemp(prefix="grader-lib-"))  # under /tmp, reachable by anyone unless closed
    secret = lib / "solutions"
    secret.mkdir(mode=0o755)
    (secret / "nt_xent.py").write_text("REFERENCE")
    lib.chmod(0o755)
    above = {str(p): stat.S_IMODE(p.stat().st_mode) for path in isolation.python_paths() for p in Path(path).resolve().parents}
    try:
        seen, facts = probe_in_subprocess(tmp_path, MODES["docker defaults"], {"solution": str(secret / "nt_xent.py")}, [str(lib)])
    finally:
        for path, mode in above.items():  # put back what opening the way to the interpreter changed
            os.chmod(path, mode)
        mode = stat.S_IMODE(lib.stat().st_mode)
        shutil.rmtree(lib)
    assert isolation.level(facts) == "container", facts
    assert facts["user"] == isolation.OWN_USER and facts["files"] == isolation.CLOSED and facts["processes"] == isolation.OWN_USER
    assert facts["namespaces"] == "refused (unshare: Operation not permitted)"
    assert seen["uid"] >= isolation.UID_BASE
    assert seen["solution"] == "PermissionError" and mode == 0o700
    assert seen["signal"] == "PermissionError" and seen["network"] == "Operation not permitted"
    assert_limits(seen)


@needs_root
@pytest.mark.skipif(not (shutil.which("unshare") and shutil.which("setpriv")), reason="needs util-linux's unshare and setpriv")
def test_as_an_ordinary_user_the_worker_still_gets_namespaces(tmp_path):
    """The instructor's laptop: no root, so no user switch; where the system allows unprivileged
    user namespaces the worker still gets PID, mount and network namespaces. Run here as
    `nobody`, in a mount namespace that only makes the Python installation reachable for that user."""
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
    code = PROBE_IN_SUBPROCESS.format(root=str(ROOT), folder=str(folder), read=None, secrets=[])
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
    assert_limits(seen)
    if "namespaces" in facts:
        pytest.skip(f"unprivileged user namespaces are refused here: {facts['namespaces']}")
    assert isolation.level(facts) == "namespaces" and seen["network"] == "Operation not permitted"
    assert facts["files"] == isolation.PRIVATE_VIEW and seen["solution"] == "FileNotFoundError"
    assert seen["pid"] == 1 and seen["signal"] == "no parent in sight"


def test_a_fork_bomb_forks_nothing(tmp_path):
    module = tmp_path / "cosine.py"
    module.write_text(attack("q1_cosine", "fork_bomb"))
    worker = Worker(module, Limits(call_seconds=3))
    try:
        assert worker.load() == {"ok": True}
        try:
            reply = worker.request({"op": "call", "function": "cosine_similarity", "args": [torch.ones(2), torch.ones(2)]}, 3, "bombing")
        except WorkerLost:
            reply = {"ok": False}
        children = subprocess.run(["pgrep", "-s", str(worker.pid)], capture_output=True, text=True).stdout.split()
    finally:
        worker.close()
    assert reply["ok"] is False and len(children) <= 2  # the worker (and, with a PID namespace, its parent)


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
    assert len(reply["message"]) <= 2000  # the worker clips messages; the results model clips again


@pytest.mark.parametrize("name", ["memory_bomb", "mmap_bomb"])
def test_a_memory_bomb_fails_inside_its_call_below_the_limit(name, tmp_path):
    module = tmp_path / "mae.py"
    module.write_text(attack("q4_mae", name))
    worker = Worker(module)
    try:
        assert worker.load() == {"ok": True}
        before = _private_kb(worker.pid)
        reply = worker.request({"op": "call", "function": "mae_loss", "args": [torch.ones(1)] * 3}, 30, "hoarding")
        grown = _private_kb(worker.pid) - before
    finally:
        worker.close()
    assert reply["ok"] is False and reply["error_type"] in ("RuntimeError", "MemoryError", "OSError")
    assert grown * 1024 <= Limits().memory_bytes + 16 * 2**20


def _private_kb(pid: int) -> int:
    """Memory the process holds alone (Private_Clean + Private_Dirty): what it cost the machine."""
    lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    return sum(int(line.split()[1]) for line in lines if line.startswith(("Private_Clean", "Private_Dirty")))


def test_monkeypatching_inside_the_worker_changes_nothing_in_the_grader(tmp_path):
    before = (torch.allclose, torch.isclose, torch.equal, torch.Tensor.__eq__, hypothesis.given, hypothesis.settings.default.max_examples)
    for question_id, name in (("q1_cosine", "monkeypatch_comparisons"), ("q4_mae", "disable_hypothesis")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / FILES[question_id]).write_text(attack(question_id, name))
        result = Session(folder, hidden=HIDDEN).grade(question_id)
        assert result.score == 0, [p.message for p in result.properties if p.passed]
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


def test_a_slow_student_stops_at_the_question_budget(tmp_path):
    (tmp_path / "rotation.py").write_text("import time\ndef rotate_batch(images):\n    time.sleep(0.8)\n    return images, images\n")
    student = Student(tmp_path / "rotation.py", limits=Limits(call_seconds=2, budget_seconds=3))
    start = time.monotonic()
    try:
        with pytest.raises(BaseException, match="time budget"):
            for _ in range(10):
                student.call("rotate_batch", torch.zeros(1, 1, 2, 2))
    finally:
        student.close()
    assert time.monotonic() - start < 3 + 2 + 1


# -- what crosses the boundary ---------------------------------------------------------------


def test_replies_are_plain_data_of_bounded_size():
    plain = torch.arange(4.0)
    encoded = {"kind": "tensor", "exact_type": True, "dtype": "torch.float32", "shape": [4], "device": "cpu", "data": plain}
    assert torch.equal(_decode(encoded, _Seen()), plain)
    with pytest.raises(BadReply):
        _decode({**encoded, "shape": [2, 2]}, _Seen())
    with pytest.raises(BadReply):
        _decode({**encoded, "data": "not a tensor"}, _Seen())
    assert isinstance(_decode({"kind": "tensor", "exact_type": False}, _Seen()), Other)
    shared = {"kind": "tuple", "items": []}
    assert _decode({"kind": "tuple", "items": [shared] * 8}, _Seen()) == (Other("tuple", "a tuple inside a tuple or list"),) * 8
    seen = _Seen()
    assert _decode({"kind": "tuple", "items": [{"kind": "list", "items": [encoded]}, {"kind": "int", "value": 3}]}, seen) == (
        Other("list", "a list inside a tuple or list"),
        3,
    )
    assert [t.tolist() for t in _decode({"kind": "list", "items": [encoded, {**encoded, "requires_grad": True}]}, seen)] == [
        plain.tolist()
    ] * 2
    assert seen.history and seen.devices == {"cpu"}
    with pytest.raises(BadReply):
        _decode({"kind": "int", "value": "3"}, _Seen())  # only a real int is an int
    nested = ["x"]
    for _ in range(40):
        nested = [nested] * 8
    assert _text(nested) == "" and _text("a" * 10_000) == "a" * 2000


def test_the_wire_carries_data_and_never_more_than_was_sent():
    message = {"ok": True, "values": [torch.arange(6.0).reshape(2, 3).t(), torch.tensor(True), None, 1.5, "text"]}
    back = wire.loads(wire.dumps(message))
    assert torch.equal(back["values"][0], message["values"][0]) and back["values"][2:] == [None, 1.5, "text"]
    huge = wire.dumps({"t": torch.zeros(1)}).replace(b"[1]", b"[16384, 16384]")  # 1 GiB claimed, 4 bytes sent
    with pytest.raises(wire.Malformed):
        wire.loads(huge)
    import pickle

    for bad in (pickle.dumps({"ok": True}), b"\x05" + b"\0" * 7 + b"[[[[[", wire.dumps({"t": torch.zeros(2)}) + b"extra"):
        with pytest.raises(wire.Malformed):
            wire.loads(bad)
    diagonal = torch.arange(4.0, dtype=torch.float64).reshape(2, 2)[:1, :1].diagonal().reshape(1, 1, 1)  # size-1 dims, stride 2
    assert torch.equal(wire.loads(wire.dumps({"t": diagonal}))["t"], diagonal)
    expanded = torch.zeros(1).expand(1000, 1000)  # a stride-0 view is sent as its full bytes, never as a view
    assert len(wire.dumps({"t": expanded})) > 4 * 1000 * 1000


def test_a_truncated_reply_header_costs_only_the_call(tmp_path):
    module = tmp_path / "rotation.py"
    module.write_text(
        "import fcntl, os\n"
        "def rotate_batch(images):\n"
        "    for fd in range(3, 64):\n"
        "        try:\n"
        "            if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:\n"
        "                os.write(fd, b'\\x01\\x02')\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(3)\n"
    )
    worker = Worker(module)
    assert worker.load() == {"ok": True}
    with pytest.raises(WorkerLost, match="died"):
        worker.request({"op": "call", "function": "rotate_batch", "args": [torch.ones(1, 1, 2, 2)]}, 10, "replying")


def test_the_limits_apply_to_the_worker_only(tmp_path):
    kinds = (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE)
    before = [resource.getrlimit(r) for r in kinds]
    probe(tmp_path)
    assert [resource.getrlimit(r) for r in kinds] == before
