"""Seccomp-BPF filters, installed with the standard library only (``ctypes``).

Two filters, each a short list of rules on system call numbers:

- ``WORKER``: what a worker may never do, whatever the container allows. No
  sockets at all (so no TCP to 127.0.0.1, no Unix socket, no Otter log server,
  no Jupyter port), no new processes (threads only: ``clone`` must carry
  ``CLONE_THREAD``), no ``execve``, no ``ptrace``, no namespaces or mounts, no
  ``io_uring``, ``bpf``, ``userfaultfd``, keyrings or ``memfd_create``.
- ``DOCKER_DEFAULTS``: namespaces refused the way Docker's default profile and
  capabilities refuse them (``unshare``, ``setns``, ``mount`` and ``clone`` with
  a ``CLONE_NEW*`` flag fail with EPERM, ``clone3`` with ENOSYS). Tests install it
  to grade as Gradescope does without a container.

A filter survives ``fork`` and ``execve`` and cannot be removed. Installing one
sets ``PR_SET_NO_NEW_PRIVS``. Only x86_64 and aarch64 are supported; any other
architecture's system calls kill the process.
"""

import ctypes
import errno
import platform
import struct

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
ALLOW, KILL = 0x7FFF0000, 0x80000000  # SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS
LOAD, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ/JGE/JSET|K, BPF_RET|K
NR, ARCH, ARG0 = 0, 4, 16  # offsets in struct seccomp_data (args[0]'s low word, little-endian)
X32_BIT = 0x40000000
CLONE_THREAD = 0x00010000
CLONE_NEW_ANY = 0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET

ARCHES = {  # audit architecture, then the numbers of the system calls named below
    "x86_64": (0xC000003E, True),
    "aarch64": (0xC00000B7, False),
}
SYSCALLS = {  # name: (x86_64, aarch64); None where the call does not exist
    "socket": (41, 198),
    "socketpair": (53, 199),
    "connect": (42, 203),
    "bind": (49, 200),
    "listen": (50, 201),
    "accept": (43, 202),
    "accept4": (288, 242),
    "sendto": (44, 206),
    "recvfrom": (45, 207),
    "sendmsg": (46, 211),
    "recvmsg": (47, 212),
    "sendmmsg": (307, 269),
    "recvmmsg": (299, 243),
    "shutdown": (48, 210),
    "getsockopt": (55, 209),
    "setsockopt": (54, 208),
    "getsockname": (51, 204),
    "getpeername": (52, 205),
    "fork": (57, None),
    "vfork": (58, None),
    "clone": (56, 220),
    "clone3": (435, 435),
    "execve": (59, 221),
    "execveat": (322, 281),
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "unshare": (272, 97),
    "setns": (308, 268),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "memfd_create": (319, 279),
}

NETWORK = ("socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "recvfrom", "sendmsg", "recvmsg")
NETWORK += ("sendmmsg", "recvmmsg", "shutdown", "getsockopt", "setsockopt", "getsockname", "getpeername")
ESCAPES = ("fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "unshare", "setns", "mount")
ESCAPES += ("umount2", "pivot_root", "chroot", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key")
ESCAPES += ("io_uring_setup", "io_uring_enter", "io_uring_register", "memfd_create")


def _errno(code: int) -> int:
    return 0x00050000 | code  # SECCOMP_RET_ERRNO


# (denied calls, action), and the clone rule: (flags, "require" or "forbid", action)
WORKER = (
    [(NETWORK + ESCAPES, _errno(errno.EPERM)), (("clone3",), _errno(errno.ENOSYS))],  # ENOSYS: glibc falls back to clone
    (CLONE_THREAD, "require", _errno(errno.EPERM)),
)
DOCKER_DEFAULTS = (
    [(("unshare", "setns", "mount"), _errno(errno.EPERM)), (("clone3",), _errno(errno.ENOSYS))],
    (CLONE_NEW_ANY, "forbid", _errno(errno.EPERM)),
)


def program(rules, machine: str | None = None) -> list[tuple[int, int, int, int]]:
    """The BPF instructions ``(code, jt, jf, k)`` of a filter for this machine's architecture."""
    machine = machine or platform.machine()
    if machine not in ARCHES:
        raise OSError(errno.ENOSYS, f"seccomp filters are not written for {machine}")
    audit_arch, has_x32 = ARCHES[machine]
    column = 0 if machine == "x86_64" else 1
    denied, (flags, mode, flag_action) = rules
    code = [(LOAD, 0, 0, ARCH), (JEQ, 1, 0, audit_arch), (RET, 0, 0, KILL), (LOAD, 0, 0, NR)]
    if has_x32:
        code += [(JGE, 0, 1, X32_BIT), (RET, 0, 0, KILL)]
    for names, action in denied:
        for name in names:
            number = SYSCALLS[name][column]
            if number is not None:
                code += [(JEQ, 0, 1, number), (RET, 0, 0, action)]
    jump_if_set = (0, 1) if mode == "forbid" else (1, 0)
    code += [(JEQ, 0, 3, SYSCALLS["clone"][column]), (LOAD, 0, 0, ARG0), (JSET, *jump_if_set, flags), (RET, 0, 0, flag_action)]
    return code + [(RET, 0, 0, ALLOW)]


def install(rules):
    """Install a filter on the calling thread (inherited by every thread and process it starts)."""
    instructions = program(rules)
    blob = b"".join(struct.pack("HBBI", *instruction) for instruction in instructions)
    buffer = ctypes.create_string_buffer(blob, len(blob))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(instructions), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)):
        if libc.prctl(*(ctypes.c_ulong(a) for a in args)) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"installing a seccomp filter: {errno.errorcode.get(error, error)}")
