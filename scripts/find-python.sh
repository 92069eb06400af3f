#!/usr/bin/env bash
# Print the path of the first Python >= 3.12 that actually runs.
#
# `command -v` is not enough: on some machines python3.12/python3.13 are pyenv shims that
# exist on PATH but fail unless a version is selected, so every candidate is executed.
set -u
check='import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'
resolve='import sys; print(sys.executable)'

try() {
  "$@" -c "$check" >/dev/null 2>&1 && "$@" -c "$resolve" 2>/dev/null && exit 0
}

[ -n "${SALDO_PYTHON:-}" ] && try "$SALDO_PYTHON"
for name in python3.13 python3.12 python3.14 python3; do
  command -v "$name" >/dev/null 2>&1 && try "$name"
done
# pyenv installs that are present but not selected
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
    try "$dir/bin/python3"
  done
fi
echo "saldo: no Python 3.12 or newer runs on this machine; install one (or set SALDO_PYTHON)" >&2
exit 1
