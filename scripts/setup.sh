#!/usr/bin/env bash
# Create .venv with the pinned environment (requirements/lock.txt); re-runs only when the lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.lock-installed
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if ! cmp -s requirements/lock.txt "$stamp" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
  cp requirements/lock.txt "$stamp"
fi
