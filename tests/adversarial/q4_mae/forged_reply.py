"""Attack: take over the worker's side of the protocol and send the grader
forged replies instead of the real ones:

- patchify: a pickle that runs a shell command when unpickled;
- unpatchify: a header announcing a 16384 x 16384 float tensor, with 4 bytes of data;
- random_masking: a message nested 100,000 lists deep, then a tensor reference
  that was never sent;
- mae_loss: a length header announcing 2**62 bytes.

Stopped by: replies are read with checker.wire (JSON and raw tensor bytes, never
a pickle), every tensor is built from exactly the bytes it occupies, replies
above Limits.reply_bytes are refused, and any malformed reply kills the worker.
Honest score: 0 (nothing is ever computed).
"""

import fcntl
import json
import os
import pickle
import struct


class RunsCode:
    def __reduce__(self):
        return (os.system, ("touch /tmp/adversarial-forged-reply-ran",))


def _reply_fd():
    """The pipe the worker answers on: the only write-only pipe besides stdout and stderr."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
            if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
    raise RuntimeError("no reply pipe found")


def _raw(data):
    fd = _reply_fd()
    os.write(fd, struct.pack("<Q", len(data)))
    os.write(fd, data)
    os._exit(0)  # the grader has its forged reply: do not send a second one


def _wire(header: dict, body: bytes = b""):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def patchify(imgs, patch_size):
    _raw(pickle.dumps({"ok": True, "payload": RunsCode()}))


def unpatchify(x, patch_size, channels=3):
    reply = {"ok": True, "result": {"kind": "tensor", "exact_type": True, "dtype": "torch.float32", "shape": [16384, 16384],
                                    "device": "cpu", "data": {"$tensor": 0}}}  # fmt: skip
    _raw(_wire({"tensors": [["torch.float32", [16384, 16384]]], "message": reply}, b"\0" * 4))


def random_masking(x, mask_ratio, noise=None):
    deep = b"[" * 100_000 + b"]" * 100_000
    fd = _reply_fd()
    header = b'{"tensors": [], "message": ' + deep + b"}"
    os.write(fd, struct.pack("<Q", 8 + len(header)))
    os.write(fd, struct.pack("<Q", len(header)) + header)
    _raw(_wire({"tensors": [], "message": {"ok": True, "result": {"$tensor": 5}}}))


def mae_loss(pred, target, mask, norm_pix_loss=False):
    os.write(_reply_fd(), struct.pack("<Q", 2**62))
    os._exit(0)
