#!/usr/bin/env bash
# Set up, build both zips, then grade the reference solutions and the untouched stubs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m autograder build
mkdir -p dist/results
echo; echo "== Reference solutions"
.venv/bin/python -m autograder grade solutions --results dist/results/reference.json
echo; echo "== Untouched stubs"
.venv/bin/python -m autograder grade assignment --results dist/results/stubs.json
