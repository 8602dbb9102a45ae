#!/usr/bin/env bash
# Runs the cargo-fuzz (libFuzzer) targets of fuzz/ (a workspace of its own, outside the main
# one). Fuzzing is never part of scripts/test.sh: the tests only replay the committed corpora
# and fuzz/regressions/ through the same entry points (tenantform::fuzzing and
# terraform_provider_tenant::fuzzing).
#
#   scripts/fuzz.sh list             the targets
#   scripts/fuzz.sh TARGET SECONDS   fuzzes TARGET for SECONDS (-max_total_time), growing
#                                    fuzz/corpus/TARGET/, then prints the executions count;
#                                    FUZZ_MAX_RUNS=N stops it after N executions (-runs)
#   scripts/fuzz.sh cmin TARGET      minimizes fuzz/corpus/TARGET/ (`cargo fuzz cmin`)
#
# Installs cargo-fuzz from crates.io when it is missing. The toolchain is stable, so cargo
# fuzz runs with RUSTC_BOOTSTRAP=1 for the nightly flags it passes. The build has debug
# assertions (overflow checks) on and, by default, no sanitizer (FUZZ_SANITIZER=none): the
# code fuzzed is safe Rust, and the sanitizer build is much slower on a small machine; set
# FUZZ_SANITIZER=address to use AddressSanitizer. A crash leaves its input in
# fuzz/artifacts/TARGET/ (not committed): fix the bug, then copy the input to
# fuzz/regressions/TARGET/ so the tests keep replaying it.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_dir="$repo_root/fuzz"
targets=(config_eval fmt state_v4 plan_file values provider_request)
sanitizer="${FUZZ_SANITIZER:-none}"

log() { printf '==> %s\n' "$*" >&2; }

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

is_target() {
    local candidate
    for candidate in "${targets[@]}"; do
        [ "$candidate" = "$1" ] && return 0
    done
    return 1
}

cargo_fuzz() {
    if ! command -v cargo-fuzz >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo-fuzz" ]; then
        log "installing cargo-fuzz from crates.io"
        nice -n 10 cargo install cargo-fuzz --locked
    fi
    (cd "$fuzz_dir" && RUSTC_BOOTSTRAP=1 nice -n 10 cargo fuzz "$@")
}

run_target() {
    local target="$1" seconds="$2" log_file
    mkdir -p "$fuzz_dir/corpus/$target"
    log_file="$(mktemp)"
    trap 'rm -f "$log_file"' RETURN
    log "fuzzing $target for $seconds s (sanitizer: $sanitizer)"
    set +e
    local limits=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096)
    if [ -n "${FUZZ_MAX_RUNS:-}" ]; then
        limits+=(-runs="$FUZZ_MAX_RUNS")
    fi
    cargo_fuzz run -s "$sanitizer" --debug-assertions "$target" "corpus/$target" -- \
        "${limits[@]}" -print_final_stats=1 2>&1 | tee "$log_file"
    local status="${PIPESTATUS[0]}"
    set -e
    local executions
    executions="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log_file" | tail -n 1)"
    echo "target: $target"
    echo "executions: ${executions:-unknown}"
    echo "corpus files: $(find "$fuzz_dir/corpus/$target" -type f | wc -l)"
    return "$status"
}

case "${1:-}" in
    list)
        printf '%s\n' "${targets[@]}"
        ;;
    cmin)
        [ $# -eq 2 ] && is_target "$2" || usage
        cargo_fuzz cmin -s "$sanitizer" --debug-assertions "$2" "corpus/$2"
        ;;
    *)
        [ $# -eq 2 ] && is_target "$1" && [[ "$2" =~ ^[0-9]+$ ]] || usage
        run_target "$1" "$2"
        ;;
esac
