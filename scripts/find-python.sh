#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains what to install and fails.
set -euo pipefail
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.13 python3.12 python3)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13* "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12* \
           /usr/local/bin /usr/bin; do
  for exe in "$dir"/bin/python3 "$dir"/python3.13 "$dir"/python3.12; do
    [ -x "$exe" ] && candidates+=("$exe")
  done
done
for c in "${candidates[@]}"; do
  if path=$(command -v "$c" 2>/dev/null) && \
     "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "No Python >= 3.12 found: install one (for example 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
exit 1
