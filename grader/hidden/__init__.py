"""Hidden properties, one module per question id: they compare with the reference
solutions and never leave the autograder."""

import importlib


def hidden_properties(question_ids) -> dict:
    """Question id -> its hidden properties (imports the reference solutions)."""
    return {q: list(importlib.import_module(f"grader.hidden.{q}").PROPERTIES) for q in question_ids}
