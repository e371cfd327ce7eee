"""Computes nothing: a zero loss, and the center handed back unchanged."""


def dino_loss(student_out, teacher_out, center, n_crops, student_temp=0.1, teacher_temp=0.04):
    return student_out.new_zeros(())


def update_center(center, teacher_out, momentum=0.9):
    return center.reshape(1, -1).clone()
