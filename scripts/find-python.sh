#!/usr/bin/env bash
# Prints the path of a Python 3.12 interpreter that really runs, or fails with a clear message.
set -u
candidates=(python3.12)
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/3.12*/bin/python3.12; do candidates+=("$p"); done
fi
for p in /root/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do candidates+=("$p"); done
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
    command -v "$p" 2>/dev/null || echo "$p"
    exit 0
  fi
done
echo "find-python: no working Python 3.12 found (tried: ${candidates[*]}); install python3.12 and python3.12-venv" >&2
exit 1
