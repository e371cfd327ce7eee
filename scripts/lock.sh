#!/usr/bin/env bash
# Re-resolve the two pinned environments in scratch venvs (after changing requirements/*.txt):
#   requirements/lock.txt        <- requirements/dev.txt     (developers, CI, local grading)
#   requirements/gradescope.txt  <- requirements/grading.txt (the pip section of the autograder's environment.yml)
# tests/test_requirements.py checks that every package Gradescope gets has the same version in the dev lock.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
index="--extra-index-url https://download.pytorch.org/whl/cpu"
for name in dev grading; do
  python3 -m venv "$tmp/$name"
  (cd requirements && "$tmp/$name/bin/pip" install --quiet --disable-pip-version-check $index -r "$name.txt")
done
{ echo "# Full pinned environment for developers and CI: pip freeze of requirements/dev.txt (scripts/lock.sh writes it)."
  echo "$index"
  "$tmp/dev/bin/pip" freeze --disable-pip-version-check; } > requirements/lock.txt
{ echo "# What Gradescope installs: the pip section of the autograder's environment.yml, written by"
  echo "# scripts/lock.sh as pip freeze of requirements/grading.txt. torch's +cpu build is on PyTorch's CPU index."
  echo "$index"
  "$tmp/grading/bin/pip" freeze --disable-pip-version-check; } > requirements/gradescope.txt
