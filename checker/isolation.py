"""Confine the current process: a fresh fork of the zygote, before any student code runs.

``confine(cfg)`` is trusted code, standard library only. In order:

1. Namespaces, where the system allows them: new mount, network and PID namespaces
   (inside a new user namespace when the grader is not root). The process forks
   once so that the worker is PID 1 of its own PID namespace: it sees and can
   signal only its own threads, and everything it could leave behind dies with
   it. It then sees a private, read-only view of the filesystem (system
   directories, the Python installation, a few devices, its ``/proc``, and a small
   ``tmpfs`` home holding its one student file), and no network at all.
2. Where namespaces are refused (Docker's defaults, hence Gradescope): as root,
   the worker gets a user id of its own, and the grader's directories
   (``cfg["secrets"]``) are closed to other users with ``chmod go-rwx``.
3. Limits: address space (everything the process can map, shared mappings
   included: what it maps now plus ``memory_bytes``), CPU time, threads, file
   size, open files, no core files; ``oom_score_adj`` 1000, so that when the
   container runs out of memory the kernel kills a worker, never the grader.
4. As root: drop every group and switch to the worker's user id for good.
5. A seccomp filter (``checker.seccomp.WORKER``): no sockets, no new processes,
   no ``execve``, no ``ptrace``, whatever the container allows.

What was achieved is returned as plain facts, which the worker reports before
the student's module is imported; ``level(facts)`` names the guarantee.
"""

import ctypes
import os
import resource
import stat

from checker import seccomp

UID_BASE = 1_900_000_000  # far above any real account; + pid keeps concurrent workers apart

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG = 1
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18

SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")  # where another user id can leave files

PRIVATE_VIEW = "private read-only view"
CLOSED = "shared, grader's directories closed to other users"
OWN_PID_NAMESPACE, OWN_USER = "own PID namespace", "own user id"
LEVELS = ("none", "container", "namespaces")  # weakest first

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


def die_with_parent(parent: int):
    """SIGKILL this process when its parent dies (cleared by a change of user id: set it after)."""
    import signal

    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def worker_uid(pid: int) -> int:
    return UID_BASE + pid


def config(home: str, readable: list[str], secrets: list[str], limits, cuda: bool = False) -> dict:
    """What ``confine`` needs; built by the grader, sent as JSON."""
    return {
        "home": home,
        "view_root": os.path.join(os.path.dirname(home), "view"),
        "readable": readable,
        "secrets": secrets,
        "isolate": limits.isolate,
        # The CUDA runtime maps tens of GB of address space: no address-space limit where the grader has a GPU.
        "memory_bytes": None if cuda else limits.memory_bytes,
        "cpu_seconds": limits.cpu_seconds,
        "threads": limits.threads + (64 if cuda else 0),  # the CUDA runtime starts threads of its own
        "file_bytes": limits.file_bytes,
        "open_files": limits.open_files,
        "home_bytes": limits.home_bytes,
        "cuda": cuda,
        "gpu_memory_fraction": limits.gpu_memory_fraction,
    }


def python_paths() -> list[str]:
    """The directories a worker needs to run this interpreter and import torch."""
    import sys

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(sys.executable)}
    paths |= {os.path.realpath(p) for p in list(paths)}
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(p for p in paths if p and os.path.isdir(p))


def environment(home: str) -> dict:
    """The zygote's and so every worker's whole environment: nothing of the grader's."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",  # no OpenMP pool in the zygote: forking it stays safe
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "PYTORCH_NVML_BASED_CUDA_CHECK": "1",  # torch.cuda.is_available() without initialising CUDA before a fork
    }
    for name in ("LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _inside(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


# -- namespaces and the private view ---------------------------------------------------------


def uid_mappable(uid: int) -> bool:
    """Whether ``uid`` exists in this user namespace (not so as root of ``unshare -Ur``)."""
    try:
        with open("/proc/self/uid_map") as f:
            ranges = [tuple(map(int, line.split())) for line in f if line.strip()]
    except OSError:
        return False
    return any(inside <= uid < inside + count for inside, _, count in ranges)


def enter_namespaces(as_root: bool):
    """New mount, network and PID namespaces (and a user namespace without root); then fork
    so that the caller continues as PID 1 of the new PID namespace. The parent left behind
    waits for it and exits the way it did."""
    uid, gid = os.getuid(), os.getgid()
    unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | (0 if as_root else CLONE_NEWUSER))
    if not as_root:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    child = os.fork()
    if child == 0:
        die_with_parent(0)  # the parent is outside this PID namespace: getppid() is 0
        return
    os.closerange(0, 65536)  # only PID 1 holds the pipes: its death is the worker's death
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


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


def build_view(cfg: dict, uid: int, gid: int):
    """Mount, under ``view_root``, a filesystem holding only what the worker needs."""
    root, home = cfg["view_root"], cfg["home"]
    copies = {name: open(os.path.join(home, name), "rb").read() for name in os.listdir(home)}
    os.makedirs(root, mode=0o700, exist_ok=True)
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
    os.makedirs(root + "/proc", mode=0o755)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)  # this PID namespace's processes only
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
    os.chroot(root)


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
    """Let other users search (not list) the directories above the interpreter and the home."""
    for path in paths:
        parent = os.path.realpath(path)
        while parent != "/":
            parent = os.path.dirname(parent)
            mode = os.stat(parent).st_mode
            if not mode & stat.S_IXOTH:
                os.chmod(parent, stat.S_IMODE(mode) | stat.S_IXOTH)


# -- limits and identity ---------------------------------------------------------------------


def mapped_bytes() -> int | None:
    """What this process maps now (``VmSize``), or None without ``/proc``."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration):
        return None


def _limit(kind, value):
    soft, hard = value if isinstance(value, tuple) else (value, value)
    _, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def set_limits(cfg: dict, own_user: bool):
    _limit(resource.RLIMIT_CPU, (cfg["cpu_seconds"], cfg["cpu_seconds"] + 5))
    _limit(resource.RLIMIT_FSIZE, cfg["file_bytes"])
    _limit(resource.RLIMIT_NOFILE, cfg["open_files"])
    _limit(resource.RLIMIT_CORE, 0)
    # Counted per real user id: a fresh id starts from zero; a shared one from what it already runs.
    already = 0 if own_user else user_threads(os.getuid())
    _limit(resource.RLIMIT_NPROC, already + cfg["threads"])
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")


def limit_memory(cfg: dict, mapped: int | None) -> str:
    """Cap the address space at what is mapped now plus ``memory_bytes``; say what was set."""
    if cfg["memory_bytes"] is None:
        return "no address-space limit (CUDA)"
    mapped = mapped_bytes() or mapped
    if mapped is None:
        return "no address-space limit (no /proc)"
    _limit(resource.RLIMIT_AS, mapped + cfg["memory_bytes"])
    return f"address space capped at what the worker maps at start + {cfg['memory_bytes'] // 2**20} MiB"


def user_threads(uid: int) -> int:
    """Threads and processes counted against ``uid``'s RLIMIT_NPROC (zombies included)."""
    return sum(len(os.listdir(f"/proc/{pid}/task")) for pid in processes_of(uid, zombies=True) if os.path.isdir(f"/proc/{pid}/task"))


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
    """SIGKILL every process of a worker's own user id, then remove what it left in shared directories."""
    if uid < UID_BASE:
        raise ValueError("only a worker's own user id may be cleared")
    for _ in range(rounds):
        pids = processes_of(uid)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
    remove_files_of(uid)


def remove_files_of(uid: int, folders=SHARED_WRITABLE):
    """Delete what ``uid`` created in the world-writable directories (a full ``/dev/shm`` is memory)."""
    import shutil

    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
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


# -- all together ----------------------------------------------------------------------------


def confine(cfg: dict) -> dict:
    """Confine this process as the module docstring says; returns the facts (plain strings)."""
    facts = {"user": "same as the grader", "files": "shared", "processes": "shared", "network": "shared"}
    as_root = os.geteuid() == 0
    uid = worker_uid(os.getpid())
    own_user = cfg["isolate"] and as_root and uid_mappable(uid)
    uid, gid = (uid, uid) if own_user else (os.getuid(), os.getgid())
    mapped = mapped_bytes()  # before the view: /proc may be missing there
    if cfg["isolate"]:
        try:
            enter_namespaces(as_root)
        except OSError as refused:  # Docker's defaults (Gradescope); user namespaces switched off
            facts["namespaces"] = f"refused ({refused.strerror})"
        else:
            facts["processes"] = OWN_PID_NAMESPACE
            try:
                build_view(cfg, uid, gid)
                facts["files"] = PRIVATE_VIEW
            except OSError as refused:  # the mounts made so far are private to this process
                facts["namespaces"] = f"no private view ({refused.strerror})"
    if own_user and facts["files"] != PRIVATE_VIEW:
        os.chown(cfg["home"], uid, gid)
        facts["exposed"] = ", ".join(close_secrets(cfg))
        open_path_to(cfg["readable"] + [cfg["home"]])
        facts["files"] = CLOSED
    os.chdir(cfg["home"])
    set_limits(cfg, own_user)
    if own_user:
        parent = os.getppid()
        drop_privileges(uid, gid)
        die_with_parent(parent)
        facts["user"] = OWN_USER
        if facts["processes"] == "shared":
            facts["processes"] = OWN_USER
    facts["memory"] = limit_memory(cfg, mapped) if not cfg["cuda"] else "no address-space limit (CUDA)"
    return facts


def seal(facts: dict):
    """The last step before the student's module: the seccomp filter (after CUDA has started)."""
    try:
        seccomp.install(seccomp.WORKER)
        facts["network"] = "none (no sockets, no new processes)"
    except OSError as refused:
        facts["network"] = f"shared (seccomp refused: {refused.strerror})"
    os.umask(0o077)


def level(facts: dict) -> str:
    """The guarantee the facts amount to: ``namespaces``, ``container`` or ``none``."""
    sealed = facts.get("network", "").startswith("none")
    contained = facts.get("processes") in (OWN_PID_NAMESPACE, OWN_USER) and not facts.get("exposed")
    if sealed and contained and facts.get("files") == PRIVATE_VIEW:
        return "namespaces"
    if sealed and contained and facts.get("files") == CLOSED and facts.get("processes") == OWN_USER:
        return "container"
    return "none"
