#!/usr/bin/env bash
# Usage: scripts/venv.sh VENV REQUIREMENTS
# Create VENV (if missing) and install the pinned REQUIREMENTS into it; reruns only when the file changes.
# torch's +cpu build lives on PyTorch's CPU index: it is passed to pip where that index resolves;
# elsewhere (an offline wheel cache) a line naming it is dropped, so pip does not retry it for every package.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$1 requirements=$2
PYTHON=${PYTHON:-python3}
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu
stamp=$venv/.installed-$(basename "$requirements")
if [ ! -x "$venv/bin/python" ]; then
  "$PYTHON" -m venv "$venv"
fi
if ! cmp -s "$requirements" "$stamp" 2>/dev/null; then
  filtered=$(mktemp)
  grep -v -- "--extra-index-url $TORCH_CPU_INDEX" "$requirements" > "$filtered"
  index=()
  if "$venv/bin/python" -c "import socket; socket.getaddrinfo('download.pytorch.org', 443)" 2>/dev/null; then
    index=(--extra-index-url "$TORCH_CPU_INDEX")
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${index[@]}" -r "$filtered" 2> >(grep -v "is ignored: it is neither" >&2)
  rm -f "$filtered"
  cp "$requirements" "$stamp"
fi
