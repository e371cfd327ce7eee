"""Computes nothing: a zero loss, and the target handed back unchanged."""


def byol_loss(p, z):
    return p.new_zeros(())


def ema_update(online, target, momentum):
    return [t.clone() for t in target]
