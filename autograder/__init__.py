"""Instructor side of the assignment: stubs, build, grading through Otter, hidden properties."""
