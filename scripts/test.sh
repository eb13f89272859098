#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them. `.ci/run` calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# WordNet 3.0 (to regenerate and check the built-in class lists), pdftoppm and pdftotext (to check report pages)
# and a headless chromium (to open the HTML report in a real browser; its test skips where there is none).
if [ ! -f /usr/share/wordnet/data.noun ] || ! command -v pdftoppm >/dev/null || ! command -v chromium >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wordnet-base poppler-utils >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
        || echo "chromium could not be installed: the HTML report's browser test will skip"
fi

# torch first: 2.13.0 is a local CPU build; a bare `torch` requirement would pull a CUDA build of several GB.
python3 -m pip install -q torch==2.13.0
python3 -m pip install -q -e '.[infer,test,ray]'

python3 -m pytest -q "$@"
