"""Correct: DINOLoss's own loop over crop pairs (chunk, skip v == t, count the terms)."""

import torch
import torch.nn.functional as F


def dino_loss(student_out, teacher_out, center, n_crops, student_temp=0.1, teacher_temp=0.04):
    if n_crops < 2 or student_temp <= 0 or teacher_temp <= 0:
        raise ValueError("bad n_crops or temperature")
    if student_out.dim() != 2 or teacher_out.dim() != 2 or student_out.shape[-1] != teacher_out.shape[-1]:
        raise ValueError("K differs")
    k = teacher_out.shape[-1]
    if teacher_out.shape[0] % 2 or student_out.shape[0] != n_crops * (teacher_out.shape[0] // 2) or teacher_out.shape[0] == 0:
        raise ValueError("rows do not split into crops")
    if tuple(center.shape) not in ((k,), (1, k)):
        raise ValueError("bad center")
    student_out = (student_out / student_temp).chunk(n_crops)
    teacher_out = F.softmax((teacher_out - center) / teacher_temp, dim=-1).detach().chunk(2)
    total_loss, n_loss_terms = 0, 0
    for iq, q in enumerate(teacher_out):
        for v in range(len(student_out)):
            if v == iq:
                continue
            loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
            total_loss += loss.mean()
            n_loss_terms += 1
    return total_loss / n_loss_terms


def update_center(center, teacher_out, momentum=0.9):
    batch_center = torch.sum(teacher_out.detach(), dim=0, keepdim=True) / len(teacher_out)
    return center.detach().reshape(1, -1) * momentum + batch_center * (1 - momentum)
