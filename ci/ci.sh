#!/usr/bin/env bash
# aiofile CI: `ci/ci.sh STEP`, from any directory. Steps run from the repository root.
#
#   fmt         rustfmt check: workspace, fuzz/, ci/nostd-check/
#   clippy      clippy -D warnings: workspace (all targets), then with all features
#   test        cargo test --workspace (+ facade re-runs per forced reactor)
#   doc         rustdoc with -D warnings, all features
#   nostd       proves aiofile-core links with no std and no alloc (ci/nostd-check)
#   fuzz-smoke  every cargo-fuzz target in fuzz/, briefly
#   all         every step above, in that order
#
# Environment knobs:
#   AIOFILE_FUZZ_RUNS (20000) / AIOFILE_FUZZ_SECONDS (10): per-target fuzz-smoke budget,
#     whichever ends first.
#   AIOFILE_FUZZ_TARGETS="mode_parse utf8": fuzz only these (default: every [[bin]] in
#     fuzz/Cargo.toml).
#   AIOFILE_FUZZ_TOOLCHAIN=nightly|stable: force one (default: nightly if rustup has it,
#     else stable with RUSTC_BOOTSTRAP=1, as the new CI machine has only stable).
#   AIOFILE_FUZZ_REQUIRE_NIGHTLY=1: print SKIP and pass instead of that stable fallback.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STEPS=(fmt clippy test doc nostd fuzz-smoke)

# Reactors the facade's tests are re-run under, one `AIOFILE_REACTOR=<name>` run each.
# Adding one is a one-line change, e.g. FORCED_REACTORS=(uring aio threads).
FORCED_REACTORS=(uring aio threads)

NOSTD_DIR=ci/nostd-check
# An explicit --target-dir, so a CARGO_TARGET_DIR in the environment cannot move the archive.
NOSTD_BUILD=(cargo build --release --manifest-path "$NOSTD_DIR/Cargo.toml" --target-dir "$NOSTD_DIR/target")
NOSTD_LIB="$NOSTD_DIR/target/release/libaiofile_nostd_check.a"

usage() {
    echo "usage: ci/ci.sh {$(IFS='|'; echo "${STEPS[*]}")|all}"
    awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "${BASH_SOURCE[0]}"
}

# Echo a command, then run it.
run() {
    echo "+ $*"
    "$@"
}

# --------------------------------------------------------------------------- fmt
# All three checks run; the step fails if any did. (No `--all` on the last two: with a
# manifest path it would also format the core, a path dependency, a second time.)
step_fmt() {
    local rc=0
    run cargo fmt --all --check || rc=1
    run cargo fmt --check --manifest-path fuzz/Cargo.toml || rc=1
    run cargo fmt --check --manifest-path "$NOSTD_DIR/Cargo.toml" || rc=1
    return "$rc"
}

# ------------------------------------------------------------------------ clippy
step_clippy() {
    run cargo clippy --workspace --all-targets -- -D warnings
    # Every feature of every member at once (core: alloc, defmt; the facade's when it has
    # some). clippy does not link, so defmt needs no linker script here.
    run cargo clippy --workspace --all-targets --all-features -- -D warnings
    run cargo clippy --manifest-path "$NOSTD_DIR/Cargo.toml" --release -- -D warnings
}

# -------------------------------------------------------------------------- test
step_test() {
    local log
    log="$(mktemp)"
    # --nocapture so kernel-feature probes' "SKIP: ..." lines reach the log and the count.
    run cargo test --workspace -- --nocapture 2>&1 | tee "$log"
    local reactor
    for reactor in ${FORCED_REACTORS[@]+"${FORCED_REACTORS[@]}"}; do
        test_facade_with_reactor "$reactor" 2>&1 | tee -a "$log"
    done
    summarize_tests "$log"
    rm -f "$log"
}

# Re-runs the facade's tests with the reactor forced (`uring`, `aio` or `threads`).
test_facade_with_reactor() {
    echo "--- facade tests with AIOFILE_REACTOR=$1"
    run env AIOFILE_REACTOR="$1" cargo test -p aiofile --tests -- --nocapture
}

# How many tests ran, and which kernel-dependent ones skipped (they print "SKIP: why").
summarize_tests() {
    local passed skipped
    passed=$(grep -Eo '^test result: ok\. [0-9]+ passed' "$1" | awk '{s += $4} END {print s + 0}')
    skipped=$(grep -c 'SKIP' "$1" || true)
    echo "--- test summary: $passed tests passed (all runs together), $skipped skip messages"
    grep 'SKIP' "$1" | sort | uniq -c | sed 's/^/    /' || true
}

# --------------------------------------------------------------------------- doc
step_doc() {
    run env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features
}

# ------------------------------------------------------------------------- nostd
# How this can fail (and was seen failing):
# - a crate in the core's graph links std (e.g. `extern crate std;` added to core/src/lib.rs,
#   or a dependency's `std` feature turned on): the no_std staticlib's own #[panic_handler]
#   collides with std's, rustc stops with E0152 "found duplicate lang item `panic_impl`".
#   The `std-canary` feature of ci/nostd-check does exactly that, and this step requires
#   that build to fail with E0152;
# - the core uses `alloc` without the `alloc` feature: "no global memory allocator found";
# - std or alloc symbols in the archive, or a probe that gives wrong answers once linked
#   into a C program with no Rust std.
step_nostd() {
    run cargo check -p aiofile-core --no-default-features
    run cargo check -p aiofile-core --features defmt
    run "${NOSTD_BUILD[@]}"
    nostd_scan_symbols "$NOSTD_LIB"
    nostd_link_and_run "$NOSTD_LIB"
    nostd_canary_must_fail
}

# Fails when the archive defines or references anything from std or alloc. readelf reads
# the ELF symbol tables directly (GNU nm's LLVM plugin chokes on the embedded bitcode of
# rustc objects and then reports "no symbols"); -C demangles both Rust manglings.
nostd_scan_symbols() {
    local lib="$1" names hits
    echo "+ readelf -sW -C $lib | scan for std::/alloc:: symbols"
    names="$(readelf -sW -C "$lib" | awk 'NF >= 8 { print $8 }')"
    if ! grep -q 'aiofile_nostd_probe' <<<"$names" || ! grep -q 'aiofile_core::' <<<"$names"; then
        echo "nostd: the archive does not contain the probe and the core's code" >&2
        return 1
    fi
    hits="$(grep -E '(^|[^:[:alnum:]_])(std|alloc)::' <<<"$names" | sort -u || true)"
    if [[ -n "$hits" ]]; then
        echo "nostd: std/alloc symbols in $lib:" >&2
        head -20 <<<"$hits" >&2
        return 1
    fi
    echo "  $(grep -c 'aiofile_core::' <<<"$names") aiofile_core symbols, no std:: or alloc:: symbol"
}

# Links the staticlib into a C program (libc only) and runs the probe's checks.
nostd_link_and_run() {
    local lib="$1" exe="$NOSTD_DIR/target/link_test"
    if ! command -v cc >/dev/null; then
        echo "nostd: SKIP link test: no C compiler (cc)"
        return 0
    fi
    run cc -O2 -o "$exe" "$NOSTD_DIR/link_test.c" "$lib" -Wl,--gc-sections
    run "$exe"
}

# The std-canary build must fail, and for the right reason.
nostd_canary_must_fail() {
    local log="$NOSTD_DIR/target/canary.log"
    echo "+ ${NOSTD_BUILD[*]} --features std-canary (must fail)"
    if "${NOSTD_BUILD[@]}" --features std-canary >"$log" 2>&1; then
        echo "nostd: the std-canary build succeeded: the check cannot detect std" >&2
        return 1
    fi
    if ! grep -q 'E0152' "$log"; then
        echo "nostd: the std-canary build failed, but not with E0152:" >&2
        tail -20 "$log" >&2
        return 1
    fi
    echo "  canary failed as it must: $(grep -m1 'E0152' "$log")"
}

# -------------------------------------------------------------------- fuzz-smoke
step_fuzz_smoke() {
    local runs="${AIOFILE_FUZZ_RUNS:-20000}" secs="${AIOFILE_FUZZ_SECONDS:-10}"
    local -a fuzz targets
    case "${AIOFILE_FUZZ_TOOLCHAIN:-$(fuzz_default_toolchain)}" in
        nightly) fuzz=(cargo +nightly fuzz) ;;
        stable)
            echo "fuzz-smoke: on stable with RUSTC_BOOTSTRAP=1 (no nightly toolchain here)"
            fuzz=(env RUSTC_BOOTSTRAP=1 cargo fuzz)
            ;;
        skip)
            echo "SKIP fuzz-smoke: no nightly toolchain and AIOFILE_FUZZ_REQUIRE_NIGHTLY=1"
            return 0
            ;;
        *)
            echo "fuzz-smoke: AIOFILE_FUZZ_TOOLCHAIN must be nightly or stable" >&2
            return 2
            ;;
    esac
    command -v cargo-fuzz >/dev/null || run ci/setup.sh fuzz
    if [[ -n "${AIOFILE_FUZZ_TARGETS:-}" ]]; then
        read -r -a targets <<<"$AIOFILE_FUZZ_TARGETS"
    else
        mapfile -t targets < <(fuzz_targets)
    fi
    if [[ ${#targets[@]} -eq 0 ]]; then
        echo "fuzz-smoke: no [[bin]] targets in fuzz/Cargo.toml" >&2
        return 1
    fi
    local t
    for t in "${targets[@]}"; do
        run "${fuzz[@]}" build "$t"
    done
    for t in "${targets[@]}"; do
        run "${fuzz[@]}" run "$t" -- -runs="$runs" -max_total_time="$secs"
    done
}

# nightly when rustup has it; else stable (cargo-fuzz's -Z flags through RUSTC_BOOTSTRAP=1:
# a new machine has only the stable toolchain), or skip if nightly is required.
fuzz_default_toolchain() {
    if cargo +nightly --version >/dev/null 2>&1; then
        echo nightly
    elif [[ "${AIOFILE_FUZZ_REQUIRE_NIGHTLY:-0}" == 1 ]]; then
        echo skip
    else
        echo stable
    fi
}

# Target names: every `name = "..."` under a [[bin]] table of fuzz/Cargo.toml.
fuzz_targets() {
    awk '/^\[\[bin\]\]/ { bin = 1; next }
         /^\[/ { bin = 0 }
         bin && /^name *=/ { gsub(/^name *= *"|".*$/, ""); print }' fuzz/Cargo.toml
}

# ------------------------------------------------------------------------ driver
# Runs one step with a banner and its duration; its exit status goes to STEP_RC (run_step
# itself always succeeds). The step runs in a subshell that is never in a condition context
# (`if`, `||`, ...), where bash would ignore `set -e` inside it.
STEP_RC=0
run_step() {
    local name="$1" start took
    echo
    echo "==================== ci: $name ===================="
    start=$(date +%s)
    set +e
    (
        set -e
        "step_${name//-/_}"
    )
    STEP_RC=$?
    set -e
    took=$(($(date +%s) - start))
    if [[ $STEP_RC -eq 0 ]]; then
        echo "==================== ci: $name ok (${took}s) ===================="
    else
        echo "==================== ci: $name FAILED, exit $STEP_RC (${took}s) ===================="
    fi
}

# Every step in order; keeps going after a failure so one run shows every problem.
run_all() {
    local step start took failed=()
    start=$(date +%s)
    for step in "${STEPS[@]}"; do
        run_step "$step"
        [[ $STEP_RC -eq 0 ]] || failed+=("$step")
    done
    took=$(($(date +%s) - start))
    echo
    if [[ ${#failed[@]} -eq 0 ]]; then
        echo "ci: all ${#STEPS[@]} steps ok (${STEPS[*]}) in ${took}s"
        return 0
    fi
    echo "ci: FAILED steps: ${failed[*]} (of ${STEPS[*]}) in ${took}s"
    return 1
}

main() {
    if [[ $# -ne 1 ]]; then
        usage >&2
        exit 2
    fi
    case "$1" in
        all) run_all ;;
        -h | --help | help) usage ;;
        *)
            local step
            for step in "${STEPS[@]}"; do
                if [[ "$1" == "$step" ]]; then
                    run_step "$step"
                    exit "$STEP_RC"
                fi
            done
            echo "ci: unknown step '$1'" >&2
            usage >&2
            exit 2
            ;;
    esac
}

main "$@"
