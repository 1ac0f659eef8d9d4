#!/usr/bin/env bash
# Prints the path of the first Python 3.12 or newer it can find, or explains what to install.
set -u
is_new_enough() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.14 python3.13 python3.12 python3 python)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -Vr); do candidates+=("$dir/bin/python3"); done
fi
for dir in $(ls -d "${HOME:-/nonexistent}"/.local/share/uv/python/cpython-3.1[2-9]* 2>/dev/null | sort -Vr); do
  candidates+=("$dir/bin/python3")
done
for candidate in "${candidates[@]}"; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if is_new_enough "$path"; then
    echo "$path"
    exit 0
  fi
done
echo "Seedbed needs Python 3.12 or newer and none was found." >&2
echo "Install one (for example: apt install python3.12, brew install python@3.12, or pyenv install 3.12)" >&2
echo "or point at it with: make PYTHON=/path/to/python3.12 demo" >&2
exit 1
