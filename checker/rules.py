"""The assignment's rule about what a student module may use, read from its source.

The spec: each module may import ``torch``, ``torch.nn.functional`` and ``math``.
Read here as: ``torch`` and its public submodules (``torch.nn``, ``torch.linalg``,
...), ``math``, and ``from __future__``; and nothing that reaches into torch's or
Python's machinery: names and attributes with a leading underscore (``torch._C``),
torch's dispatch and compiler modules (``torch.overrides``, ``torch.ops``,
``torch.utils``, ...), modules reached through torch (``torch.sys``), frames,
builtins that fetch or run code by name (``getattr``, ``eval``, ``__import__``), and
special methods other than ``__init__``, ``__call__`` and ``__repr__``.

The grader applies the rule before anything else (a module that breaks it
earns no points for its question, whatever its properties say), because the
worker's own measurements (torch calls counted, built-ins watched, inputs
compared) could otherwise be forged from inside. The self-check applies it too.
"""

import ast

RULE = (
    "a student module may import only torch (and its public submodules, such as torch.nn.functional) and math, "
    "and may not reach into torch's or Python's machinery (underscore names such as torch._C, torch.overrides, "
    "torch.ops, sys, gc, frames, getattr/eval/exec/__import__)"
)
ALLOWED_ROOTS = ("torch", "math", "__future__")
MACHINERY = {  # attribute or module names that lead out of plain tensor code, wherever they appear
    "overrides", "ops", "utils", "library", "jit", "fx", "compile", "compiler", "export", "package", "hub", "classes",
    "multiprocessing", "distributed", "set_per_process_memory_fraction", "sys", "os", "gc", "inspect", "ctypes",
    "importlib", "builtins", "subprocess", "socket", "modules",
}  # fmt: skip
FRAMES = {
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_lasti", "gi_frame", "gi_code", "cr_frame", "cr_code",
    "ag_frame", "ag_code", "tb_frame", "tb_next", "co_code", "co_consts",
}  # fmt: skip
BUILTINS = {"getattr", "setattr", "delattr", "eval", "exec", "compile", "globals", "locals", "vars", "breakpoint", "__import__"}
SPECIAL_METHODS = {"__init__", "__call__", "__repr__"}
MODULE_DUNDERS = {"__name__", "__doc__", "__file__", "__all__"}


def _special(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _module_allowed(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] in ALLOWED_ROOTS and not any(p.startswith("_") and p != "__future__" or p in MACHINERY for p in parts[1:])


def violations(source: str) -> list[str]:
    """The lines of ``source`` that break the rule, as ``line N: what``; empty when it keeps it.

    A module that does not parse is not judged here (importing it fails in the worker).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    except (RecursionError, MemoryError, ValueError):
        return ["line 1: the module is too deeply nested to be checked"]
    found = []
    for node in ast.walk(tree):
        problem = _problem(node)
        if problem:
            found.append(f"line {getattr(node, 'lineno', 0)}: {problem}")
    return sorted(set(found), key=lambda text: int(text.split(":")[0].split()[1]))


def _problem(node: ast.AST) -> str:
    if isinstance(node, ast.Import):
        bad = [a.name for a in node.names if not _module_allowed(a.name)]
        return f"imports {', '.join(bad)}" if bad else ""
    if isinstance(node, ast.ImportFrom):
        module = "." * node.level + (node.module or "")
        if node.level or not _module_allowed(module):
            return f"imports from {module}"
        bad = [a.name for a in node.names if a.name == "*" or a.name.startswith("_") and module != "__future__" or a.name in MACHINERY]
        return f"imports {', '.join(bad)} from {module}" if bad else ""
    if isinstance(node, ast.Attribute):
        name = node.attr
        private = name.startswith("_") and not _special(name) and not (isinstance(node.value, ast.Name) and node.value.id == "self")
        if private or (_special(name) and name not in SPECIAL_METHODS | MODULE_DUNDERS) or name in MACHINERY or name in FRAMES:
            return f"uses .{name}"
        return ""
    if isinstance(node, ast.Name):
        if node.id in BUILTINS or (_special(node.id) and node.id not in MODULE_DUNDERS):
            return f"uses {node.id}"
        return ""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _special(node.name) and node.name not in SPECIAL_METHODS:
        return f"defines {node.name}"
    return ""
