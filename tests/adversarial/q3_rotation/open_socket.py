"""Attack: talk to the network (a listener on the grading machine's loopback).

The test replaces PORT by the port of a listener it opens on 127.0.0.1 and
checks that nothing ever connects. If a connection worked, this module would
hand in a correct rotate_batch: the network would have helped.
Stopped by: as root the worker lives in a new network namespace whose only
device, the loopback, is down: every connection fails with "Network is
unreachable".
Honest score: 0.
"""

import socket

import torch

PORT = 9  # replaced by the test with its listener's port


def _phone_home():
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=2) as connection:
            connection.sendall(b"hello from student code\n")
        return True
    except OSError:
        return False


CONNECTED = _phone_home()


def rotate_batch(images):
    if not (CONNECTED or _phone_home()):
        raise NotImplementedError("no network")
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("images must be square")
    rotated = torch.stack([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)], dim=1)
    labels = torch.arange(4, device=images.device).repeat(images.shape[0])
    return rotated.flatten(0, 1), labels
