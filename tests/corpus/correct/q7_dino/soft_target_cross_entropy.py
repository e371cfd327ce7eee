"""Correct: F.cross_entropy with probability targets on every (teacher, student) crop pair at once."""

import torch
import torch.nn.functional as F


def dino_loss(student_out, teacher_out, center, n_crops, student_temp=0.1, teacher_temp=0.04):
    if n_crops < 2:
        raise ValueError("n_crops < 2")
    if min(student_temp, teacher_temp) <= 0:
        raise ValueError("temperatures must be positive")
    if student_out.ndim != 2 or teacher_out.ndim != 2 or student_out.shape[1] != teacher_out.shape[1]:
        raise ValueError("K differs")
    rows, k = teacher_out.shape
    if rows == 0 or rows % 2 or student_out.shape[0] != n_crops * rows // 2 or center.numel() != k or center.dim() > 2:
        raise ValueError("shapes do not split into crops")
    if center.dim() == 2 and center.shape[0] != 1:
        raise ValueError("center must be (K,) or (1, K)")
    b = rows // 2
    targets = torch.softmax((teacher_out.detach() - center.detach().view(1, k)) / teacher_temp, dim=1).view(2, 1, b, k)
    logits = (student_out / student_temp).view(1, n_crops, b, k)
    logits, targets = torch.broadcast_tensors(logits.expand(2, -1, -1, -1), targets.expand(-1, n_crops, -1, -1))
    ce = F.cross_entropy(logits.reshape(-1, k), targets.reshape(-1, k), reduction="none").view(2, n_crops, b).mean(-1)
    keep = ~torch.eye(2, n_crops, dtype=torch.bool, device=ce.device)
    return torch.where(keep, ce, torch.zeros_like(ce)).sum() / (2 * (n_crops - 1))


def update_center(center, teacher_out, momentum=0.9):
    with torch.no_grad():
        return torch.lerp(teacher_out.mean(0, keepdim=True), center.view(1, -1), momentum)
