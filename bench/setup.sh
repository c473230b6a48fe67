#!/usr/bin/env bash
# Installs what aiofile-bench compares against: fio and hyperfine (Debian packages,
# when missing) and a Python venv at bench/.venv with the reference library
# (aiofile 3.12.3 + caio from PyPI). Safe to rerun.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

missing=()
command -v fio >/dev/null 2>&1 || missing+=(fio)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

python="${PYTHON:-python3}"
if [ ! -x "$here/.venv/bin/python" ]; then
    "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check "aiofile==3.12.3" caio
"$here/.venv/bin/python" -c 'import aiofile, caio; print("seed ready: aiofile", __import__("importlib.metadata").metadata.version("aiofile"), "caio", caio.__version__)'
echo "fio: $(fio --version)"
