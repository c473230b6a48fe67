#!/usr/bin/env bash
# Installs the tools the CI steps need, only those missing: `ci/setup.sh [fuzz|bench|all]`.
# Idempotent: a second run installs nothing and only says what is already there.
#
#   fuzz   cargo-fuzz (cargo install --locked), for `ci/ci.sh fuzz-smoke`
#   bench  fio and hyperfine (apt-get), for the benchmarks in bench/
#   all    both
set -euo pipefail

say() { echo "setup: $*"; }

setup_fuzz() {
    if command -v cargo-fuzz >/dev/null; then
        say "cargo-fuzz present ($(cargo fuzz --version 2>/dev/null || echo '?'))"
        return 0
    fi
    say "installing cargo-fuzz (cargo install cargo-fuzz --locked; takes a few minutes)"
    cargo install cargo-fuzz --locked --quiet
    say "installed $(cargo fuzz --version)"
}

setup_bench() {
    local -a missing=()
    command -v fio >/dev/null || missing+=(fio)
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    if [[ ${#missing[@]} -eq 0 ]]; then
        say "fio and hyperfine present"
        return 0
    fi
    say "installing ${missing[*]} (apt-get)"
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    say "installed ${missing[*]}"
}

case "${1:-all}" in
    fuzz) setup_fuzz ;;
    bench) setup_bench ;;
    all)
        setup_fuzz
        setup_bench
        ;;
    *)
        echo "usage: ci/setup.sh [fuzz|bench|all]" >&2
        exit 2
        ;;
esac
