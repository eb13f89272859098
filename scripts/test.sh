#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them. `.ci/run` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# WordNet 3.0 (to regenerate and check the built-in class lists) and pdftoppm (to check report pages).
if [ ! -f /usr/share/wordnet/data.noun ] || ! command -v pdftoppm >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wordnet-base poppler-utils >/dev/null
fi

# torch first: 2.13.0 is a local CPU build; a bare `torch` requirement would pull a CUDA build of several GB.
python3 -m pip install -q torch==2.13.0
python3 -m pip install -q -e '.[infer,test,ray]'

python3 -m pytest -q "$@"
