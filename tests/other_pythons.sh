#!/usr/bin/env bash
# The in-process part of the suite on every other CPython >= 3.11 this machine has (pyenv's, or
# python3.N on PATH), each in its own .venv-3.N with the test extra; `make test` runs it after
# the main run (.venv), which runs everything. What needs live servers (tests/serving, the
# *_live.py modules, Autobahn) or a browser (tests/browser) stays with the main run: it checks
# gunicorn, the kernel's sockets and Chromium, which do not change with the Python, and takes
# minutes a run (the whole suite on each Python would pass the 15-minute budget).
set -euo pipefail
cd "$(dirname "$0")/.."
main=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ran="$(.venv/bin/python -c 'import platform; print(platform.python_version())') (.venv, whole suite)"
others=""
for minor in $(seq 11 20); do
  version="3.$minor"
  [ "$version" = "$main" ] && continue
  python=""
  for candidate in "$HOME"/.pyenv/versions/"$version".*/bin/python"$version" \
                   "$(command -v python"$version" || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c '' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
  [ -z "$python" ] && continue
  venv=".venv-$version"
  if [ ! -f "$venv/.installed-test" ] || [ setup.cfg -nt "$venv/.installed-test" ]; then
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
    touch "$venv/.installed-test"
  fi
  full=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')
  echo "== the in-process suite on CPython $full ($python)"
  # shellcheck disable=SC2086  # PYTEST_ARGS is a list of arguments
  "$venv/bin/python" -m pytest -q -p no:cacheprovider \
    --ignore tests/realtime/test_autobahn.py --ignore tests/serving --ignore tests/browser \
    --ignore-glob '*_live.py' ${PYTEST_ARGS:-}
  others="$others, $full"
done
echo "The suite ran on CPython $ran${others:+; its in-process part on ${others#, }}."
