#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, then runs it.
#   - Debian's chromium for the browser tests (when missing; needs root or sudo)
#   - a virtual environment .venv with crowd and its test extras
#   - ruff, then pytest (arguments are passed to pytest)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

if [ -z "${VIRTUAL_ENV:-}" ]; then
    [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
    # shellcheck disable=SC1091
    . .venv/bin/activate
fi
echo "== installing crowd with its test extras into ${VIRTUAL_ENV}"
python -m pip install -q --disable-pip-version-check -e '.[test]'

export OPENBLAS_NUM_THREADS=1
echo "== ruff"
ruff check .
echo "== pytest"
# Two workers: the suite mostly waits (server processes, browsers, timers), so two files
# at a time halve its length on two cores; each file runs whole on one worker (its module
# fixtures are shared). CROWD_TEST_WORKERS=0 runs everything in one process.
python -m pytest -n "${CROWD_TEST_WORKERS:-2}" --dist loadfile "$@"
