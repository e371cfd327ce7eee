"""Where things are in the repository: the one definition of its root and main folders.

Instructor side: nothing here ships to students or to Gradescope (the grading code
there finds its files from its own location, ``grader/gradescope.py``).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"  # the references, with their BEGIN/END SOLUTION markers
ASSIGNMENT = ROOT / "assignment"  # what students get (stubs generated from SOLUTIONS)
DIST = ROOT / "dist"  # built zips
REQUIREMENTS = ROOT / "requirements"
