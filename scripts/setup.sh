#!/usr/bin/env bash
# Create .venv with the pinned environment (requirements/lock.txt); reruns only when the lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh .venv requirements/lock.txt
