"""Attack: take over the worker's side of the protocol and send the grader
forged replies instead of the real ones:

- patchify: a pickle that runs a shell command when unpickled;
- unpatchify: a deflate-compressed torch.save archive (a zip bomb: 2 MB that
  torch.load would expand to 512 MB in the grader), claiming success;
- random_masking: a well-formed reply whose tensors are torch.nn.Parameter
  (a subclass) with a message that is a deeply nested list;
- mae_loss: a length header announcing 2**62 bytes.

Stopped by: replies are loaded with torch.load(weights_only=True) (no
arbitrary objects), only uncompressed archives below Limits.reply_bytes are
read, and every field is re-checked: exact plain tensors, strings only.
Honest score: 0 (nothing is ever computed).
"""

import io
import os
import pickle
import struct
import sys
import zipfile

import torch

worker = sys.modules["__main__"]  # worker.py, which imported this module
honest_send = worker.send


class RunsCode:
    def __reduce__(self):
        return (os.system, ("touch /tmp/adversarial-forged-reply-ran",))


def _raw(fd, data):
    os.write(fd, struct.pack("<Q", len(data)))
    os.write(fd, data)


def _zip_bomb(size=2**29):
    """A torch.save archive of a ``size``-byte tensor, deflated to a few MB."""
    small = 2**20
    plain = io.BytesIO()
    torch.save({"ok": True, "result": {"kind": "tensor", "exact_type": True, "data": torch.zeros(small, dtype=torch.uint8)}}, plain)
    source, bomb = zipfile.ZipFile(plain), io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as packed:
        for info in source.infolist():
            if info.filename.endswith("/data/0"):
                with packed.open(info.filename, "w", force_zip64=True) as record:
                    for _ in range(size // small):
                        record.write(bytes(small))
            else:  # the pickle: the tensor's size and its storage's, both ``small``, become ``size``
                packed.writestr(info.filename, source.read(info).replace(struct.pack("<i", small), struct.pack("<i", size)))
    return bomb.getvalue()


def _nested(depth):
    inner = ["deep"]
    for _ in range(depth):
        inner = [inner] * 8
    return inner


def forged_send(fd, message):
    function = CALLS[-1] if CALLS else None
    if function == "patchify":
        _raw(fd, pickle.dumps({"ok": True, "payload": RunsCode()}))
    elif function == "unpatchify":
        _raw(fd, BOMB)
    elif function == "random_masking":
        fake = torch.nn.Parameter(torch.zeros(2, 2))
        encoded = {"kind": "tensor", "exact_type": True, "dtype": "torch.float32", "shape": [2, 2], "device": "cpu", "data": fake}
        honest_send(fd, {"ok": False, "error_type": _nested(30), "message": _nested(30), "traceback": _nested(30), "result": encoded})
        honest_send(fd, {"ok": True, "result": {"kind": "tuple", "items": [encoded] * 3}, "grads": {"ok": True, "values": [fake]}})
    elif function == "mae_loss":
        os.write(fd, struct.pack("<Q", 2**62))
    else:
        honest_send(fd, message)


BOMB = _zip_bomb()
CALLS = []
worker.send = forged_send


def patchify(imgs, patch_size):
    CALLS.append("patchify")


def unpatchify(x, patch_size, channels=3):
    CALLS.append("unpatchify")


def random_masking(x, mask_ratio, noise=None):
    CALLS.append("random_masking")


def mae_loss(pred, target, mask, norm_pix_loss=False):
    CALLS.append("mae_loss")
