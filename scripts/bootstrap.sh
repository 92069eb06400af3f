#!/usr/bin/env bash
# Create .venv from nothing and install Saldo into it (with the dev extras when asked).
# Re-running is cheap: the install is skipped while pyproject.toml is unchanged.
set -eu
cd "$(dirname "$0")/.."
extras=${1:-}
venv=.venv
stamp="$venv/.saldo-installed$extras"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  python=$(scripts/find-python.sh)
  echo "saldo: creating $venv with $python" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi
