"""Confine one worker, then exec it: the launcher ``checker.sandbox`` starts.

    python -I isolation.py CONFIG_JSON -- python -I worker.py REQ_FD REPLY_FD

The launcher is trusted code that runs before any student code, in the fresh
session ``Worker`` started. It uses only the standard library and does, in order:

1. As root (Gradescope, CI): pick a user id no one else has (``UID_BASE`` plus
   the launcher's pid, so two workers alive at the same time never share one),
   then try to enter new mount and network namespaces. With them, the worker
   sees a private, read-only view of the filesystem: the system directories, the
   Python installation, a few device files and its own small ``tmpfs`` home
   holding copies of ``worker.py`` and the student's file; nothing of the
   grader (reference solutions, hidden tests, Otter's directory, results), and
   no network at all (the loopback device of a new namespace is down). Where
   namespaces are refused (a container without ``CAP_SYS_ADMIN``), the grader's
   directories are closed to other users with ``chmod`` instead, and the
   directories above the Python installation are made searchable.
2. Resource limits (``resource.setrlimit``): data segment, CPU time, processes,
   file size, open files, no core files. The data segment is capped generously
   while torch loads; the worker then lowers it to what it uses plus
   ``Limits.memory_bytes`` before it imports the student's module.
3. As root: drop every group and switch to the worker's user id for good
   (``setresgid``/``setresuid``), then ``PR_SET_NO_NEW_PRIVS``. The worker can
   no longer signal the grader, read its files or its ``/proc`` entries.
4. ``execve`` the worker with a small, clean environment. What was achieved is
   passed in ``SANDBOX_FACTS`` and reported in the worker's first message, before
   the student's module is imported.

Without root nothing here can switch users: the worker runs under the grader's
own user id with the same limits, where ``RLIMIT_NPROC`` counts the processes the
user already has. Where the system allows unprivileged user namespaces (most
Linux distributions), the same private filesystem view and empty network
namespace are set up inside one; the worker can still signal the grader.
"""

import ctypes
import json
import os
import resource
import stat
import sys

UID_BASE = 1_900_000_000  # far above any real account; + pid keeps concurrent workers apart
BOOT_DATA_BYTES = 1024 * 2**20  # RLIMIT_DATA while the worker imports torch, before it tightens it

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38

SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def unshare(flags: int):
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source, target, fstype, flags, data=None):
    encode = lambda s: None if s is None else os.fsencode(s)  # noqa: E731
    result = _libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data))
    _check(result, f"mount {target}")


def worker_uid(launcher_pid: int) -> int:
    return UID_BASE + launcher_pid


def config(home: str, view_root: str, readable: list[str], secrets: list[str], limits, cuda: bool = False) -> dict:
    """What the launcher needs; built by the grader, passed as JSON."""
    return {
        "home": home,
        "view_root": view_root,
        "readable": readable,
        "secrets": secrets,
        "isolate": limits.isolate,
        "namespaces": limits.namespaces,
        # The CUDA runtime maps several GB of host memory: no data limit where the grader has a GPU.
        "memory_bytes": None if cuda else limits.memory_bytes,
        "cpu_seconds": limits.cpu_seconds,
        "processes": limits.processes + (64 if cuda else 0),  # the CUDA runtime starts threads of its own
        "file_bytes": limits.file_bytes,
        "open_files": limits.open_files,
        "home_bytes": limits.home_bytes,
    }


def python_paths() -> list[str]:
    """The directories a worker needs to run this interpreter and import torch."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(sys.executable)}
    paths |= {os.path.realpath(p) for p in list(paths)}
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(p for p in paths if p and os.path.isdir(p))


def _inside(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


# -- the private filesystem view (mount namespace) ------------------------------------------


def _bind(source: str, root: str, *, writable_devices: bool = False):
    """Make ``source`` appear, read-only, at the same path inside ``root``."""
    if not os.path.lexists(source):
        return
    target = root + source
    if os.path.lexists(target):
        return
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    if os.path.islink(source):
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        os.mkdir(target, 0o755)
    else:
        open(target, "w").close()
    mount(source, target, None, MS_BIND | MS_REC)
    # Keep the flags the source mount already has: in a user namespace they are locked.
    kept = os.statvfs(source).f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC)
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | kept | (0 if writable_devices else MS_NODEV)
    mount(None, target, None, flags)


def _mount_proc(root: str):
    """A /proc of its own that lists only the worker's processes (not the grader's command
    lines, nor anyone else's); else the host's, read-only; else none (a user namespace may
    be refused both)."""
    os.makedirs(root + "/proc", mode=0o755, exist_ok=True)
    for option in ("hidepid=invisible", "hidepid=2"):
        try:
            mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, option)
            return
        except OSError:
            continue
    os.rmdir(root + "/proc")
    try:
        _bind("/proc", root)
    except OSError:
        pass


def build_view(cfg: dict, uid: int, gid: int):
    """Mount, under ``view_root``, a filesystem holding only what the worker needs."""
    root, home = cfg["view_root"], cfg["home"]
    copies = {name: open(os.path.join(home, name), "rb").read() for name in os.listdir(home)}
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates back to the host
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    for path in SYSTEM_PATHS:
        _bind(path, root)
    for path in sorted(cfg["readable"], key=len):  # the interpreter, its prefix, site-packages
        real = os.path.realpath(path)
        if real == "/":
            raise OSError(0, "the Python installation is the whole filesystem")
        _bind(real, root)
        if real != path and not os.path.lexists(root + path):
            os.makedirs(os.path.dirname(root + path), mode=0o755, exist_ok=True)
            os.symlink(real, root + path)
    os.makedirs(root + "/dev", mode=0o755, exist_ok=True)
    for name in DEVICES + tuple(n for n in os.listdir("/dev") if n.startswith("nvidia")):  # CUDA needs /dev/nvidia*
        path = f"/dev/{name}"
        if os.path.exists(path) and stat.S_ISCHR(os.stat(path).st_mode):
            _bind(path, root, writable_devices=True)
    _mount_proc(root)
    try:
        _bind("/sys", root)
    except OSError:  # refused in some user namespaces; torch only reads the CPU count there
        pass
    os.makedirs(root + home, mode=0o755, exist_ok=True)
    mount("tmpfs", root + home, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=0700,uid={uid},gid={gid},size={cfg['home_bytes']}")
    for name, data in copies.items():
        with open(os.path.join(root + home, name), "wb") as f:
            f.write(data)
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755")


def enter_view(cfg: dict, uid: int, gid: int) -> str:
    """Build the private view (in the mount namespace just entered), then chroot into it.

    A failure while building leaves the process in the host's tree, as if there were no
    namespace (mounts made so far are private to it); the chroot comes only after success.
    """
    try:
        build_view(cfg, uid, gid)
    except OSError as refused:
        return f"no private view ({refused.strerror})"
    os.chroot(cfg["view_root"])
    os.chdir(cfg["home"])
    return ""


# -- without namespaces: permissions --------------------------------------------------------


def close_secrets(cfg: dict) -> list[str]:
    """``chmod go-rwx`` the grader's directories; returns those that could not be closed."""
    exposed = []
    for path in cfg["secrets"]:
        if not os.path.isdir(path):
            continue
        if any(_inside(p, path) for p in cfg["readable"]):
            exposed.append(path)  # the interpreter lives inside: closing it would stop the worker
            continue
        mode = os.stat(path).st_mode
        if mode & 0o077:
            os.chmod(path, stat.S_IMODE(mode) & ~0o077)
    return exposed


def open_path_to(paths: list[str]):
    """Let other users search (not list) the directories above the interpreter."""
    for path in paths:
        parent = os.path.realpath(path)
        while parent != "/":
            parent = os.path.dirname(parent)
            mode = os.stat(parent).st_mode
            if not mode & stat.S_IXOTH:
                os.chmod(parent, stat.S_IMODE(mode) | stat.S_IXOTH)


# -- limits and identity ---------------------------------------------------------------------


def user_processes(uid: int) -> int:
    """Threads and processes counted against ``uid``'s RLIMIT_NPROC (zombies included)."""
    return sum(len(os.listdir(f"/proc/{pid}/task")) for pid in processes_of(uid, zombies=True) if os.path.isdir(f"/proc/{pid}/task"))


def set_limits(cfg: dict, switched: bool):
    def limit(kind, value):
        soft, hard = value if isinstance(value, tuple) else (value, value)
        _, current_hard = resource.getrlimit(kind)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(kind, (soft, hard))

    # While Python and torch load: a generous cap. The worker itself lowers it to what it then
    # uses plus ``memory_bytes``, before importing the student's module (see worker.tighten_memory).
    limit(resource.RLIMIT_DATA, BOOT_DATA_BYTES if cfg["memory_bytes"] is not None else resource.RLIM_INFINITY)
    limit(resource.RLIMIT_CPU, (cfg["cpu_seconds"], cfg["cpu_seconds"] + 5))
    limit(resource.RLIMIT_FSIZE, cfg["file_bytes"])
    limit(resource.RLIMIT_NOFILE, cfg["open_files"])
    limit(resource.RLIMIT_CORE, 0)
    # Counted per real user id: a fresh id starts from zero; a shared one from what it already runs.
    already = 0 if switched else user_processes(os.getuid())
    limit(resource.RLIMIT_NPROC, already + cfg["processes"])


def processes_of(uid: int, zombies: bool = False) -> list[int]:
    """Pids whose real user id is ``uid`` (read from ``status``: a process cannot hide it)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
            except OSError:
                continue
            zombie = fields.get("State", "").split()[:1] == ["Z"]  # already dead, waiting to be reaped
            if (zombies or not zombie) and int(fields.get("Uid", "-1 0").split()[0]) == uid:
                pids.append(int(entry))
    return pids


def kill_user(uid: int, rounds: int = 100):
    """SIGKILL every process of a worker's own user id, including any that left its session."""
    if uid < UID_BASE:
        raise ValueError("only a worker's own user id may be cleared")
    for _ in range(rounds):
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


def drop_privileges(uid: int, gid: int):
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise RuntimeError("the worker could get root back")


def unprivileged_namespaces():
    """Without root: a user namespace mapping our own ids, with new mount and network namespaces."""
    uid, gid = os.getuid(), os.getgid()
    unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def environment(home: str) -> dict:
    """The worker's whole environment: nothing of the grader's."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }
    for name in ("LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def launch(cfg: dict, command: list[str]):
    facts = {"user": "same as the grader", "filesystem": "shared", "network": "shared"}
    switch = os.geteuid() == 0 and cfg["isolate"]
    uid, gid = (worker_uid(os.getpid()),) * 2 if switch else (os.getuid(), os.getgid())
    if cfg["isolate"]:
        try:
            if not cfg["namespaces"]:
                raise OSError(0, "turned off in Limits")
            if switch:
                os.chown(cfg["home"], uid, gid)
                unshare(CLONE_NEWNS | CLONE_NEWNET)
            else:
                unprivileged_namespaces()
        except OSError as refused:  # no CAP_SYS_ADMIN in a container; user namespaces switched off
            facts["namespaces"] = f"not used ({refused.strerror})"
        else:
            facts["network"] = "none"
            failed = enter_view(cfg, uid, gid)
            if failed:
                facts["namespaces"] = failed
            else:
                facts["filesystem"] = "private read-only view"
    if switch and facts["filesystem"] == "shared":
        os.chown(cfg["home"], uid, gid)
        facts["exposed"] = close_secrets(cfg)
        open_path_to(cfg["readable"] + [cfg["home"]])
        facts["filesystem"] = "shared, grader's directories closed to other users"
    set_limits(cfg, switch)
    if switch:
        drop_privileges(uid, gid)
        facts["user"] = f"uid {uid}"
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")  # no setuid binary gives anything back
    os.umask(0o077)
    env = environment(cfg["home"])
    env["SANDBOX_FACTS"] = json.dumps(facts)
    env["SANDBOX_MEMORY_BYTES"] = str(cfg["memory_bytes"] or "")
    os.execve(command[0], command, env)


if __name__ == "__main__":
    separator = sys.argv.index("--")
    launch(json.loads(sys.argv[1]), sys.argv[separator + 1 :])
