#!/usr/bin/env bash
# tenantform in CI: one script for both stages of a change to the tenant fleet. The GitHub
# Actions workflow and the GitLab CI file beside it call it; any other CI can.
#
#   tenantform-ci.sh pr      fmt -check, validate, plan -out with the policy gate, and the
#                            pull-request comment (`show -markdown`)
#   tenantform-ci.sh merge   apply the plan the pull request saved; when another change
#                            merged first and the plan went stale, plan again, run the gate
#                            again, and apply that plan
#
# Exit status: 0 when the stage succeeded, 1 when a check, the gate or tenantform failed.
# The pull-request stage writes the comment in every case, failures included.
#
# Plan files (and the plan JSON) hold sensitive values in clear, so the only thing this
# script shares with the pull request is the Markdown comment. The plan file stays in
# TENANTFORM_PRIVATE_DIR, which only CI reads; with TENANTFORM_PLAN_KEY set it is also
# encrypted there (openssl, AES-256-CBC with PBKDF2), so that it can travel between the two
# stages as a CI artifact.
#
# Environment:
#   TENANTFORM                the tenantform command (default: tenantform on PATH)
#   TENANTFORM_DIR            the configuration directory (default: .)
#   TENANTFORM_POLICY_DIR     Rego policies for the gate (default: policy/ of
#                             TENANTFORM_DIR when it exists; none: no gate)
#   TENANTFORM_POLICY_NAMESPACE  the policies' package (default: main)
#   TENANTFORM_PRIVATE_DIR    where the plan file is kept (default:
#                             ${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tenantform-ci)
#   TENANTFORM_COMMENT        where the pull-request comment is written (default:
#                             tenantform-comment.md in the current directory)
#   TENANTFORM_MAX_DESTROY    read by tenantform itself: the most resource instances a plan
#                             may delete or replace
#   TENANTFORM_ALLOW_DESTROY  addresses exempt from that limit, separated by spaces or
#                             newlines (each becomes one -allow-destroy)
#   TENANTFORM_PLAN_KEY       a secret: encrypt the saved plan with it
set -uo pipefail

tenantform="${TENANTFORM:-tenantform}"
config_dir="${TENANTFORM_DIR:-.}"
private_dir="${TENANTFORM_PRIVATE_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tenantform-ci}"
comment="${TENANTFORM_COMMENT:-$PWD/tenantform-comment.md}"
namespace="${TENANTFORM_POLICY_NAMESPACE:-}"
plan_name="tenantform.tfplan"
# GitHub's limit on a comment, with room for the failure section's framing.
comment_limit=60000

log() { printf '==> %s\n' "$*" >&2; }

policy_dir() {
    if [ -n "${TENANTFORM_POLICY_DIR:-}" ]; then
        (cd "$TENANTFORM_POLICY_DIR" && pwd)
    elif [ -d "$config_dir/policy" ]; then
        (cd "$config_dir/policy" && pwd)
    fi
}

# The options of `plan` and `apply` that the gate and the guard need.
gate_options() {
    local policies
    policies="$(policy_dir)"
    if [ -n "$policies" ]; then
        printf '%s\n' "-policy=$policies"
        [ -n "$namespace" ] && printf '%s\n' "-policy-namespace=$namespace"
    fi
    local address
    for address in ${TENANTFORM_ALLOW_DESTROY:-}; do
        printf '%s\n' "-allow-destroy=$address"
    done
}

# Runs tenantform in the configuration directory, its output copied to the log and to $2.
run_logged() {
    local output_file="$1"
    shift
    (cd "$config_dir" && "$tenantform" "$@") >"$output_file" 2>&1
    local status=$?
    cat "$output_file" >&2
    return "$status"
}

# A Markdown comment for a stage that failed: which step, and what tenantform said.
failure_comment() {
    local step="$1" output_file="$2"
    {
        printf '## tenantform: %s failed\n\n' "$step"
        printf '> [!CAUTION]\n> The change cannot be applied as it is. Nothing was changed.\n\n'
        printf '```text\n'
        # A line of backticks inside the text must not close the fence.
        sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^```/` ``/' "$output_file" | head -c "$comment_limit"
        printf '\n```\n'
    } >"$comment"
}

private_plan() {
    if [ -n "${TENANTFORM_PLAN_KEY:-}" ]; then
        printf '%s\n' "$private_dir/$plan_name.enc"
    else
        printf '%s\n' "$private_dir/$plan_name"
    fi
}

# Moves the plan tenantform wrote into the private directory (encrypted when a key is set).
store_plan() {
    local written="$1"
    mkdir -p "$private_dir"
    chmod 700 "$private_dir"
    rm -f "$private_dir/$plan_name" "$private_dir/$plan_name.enc"
    if [ -n "${TENANTFORM_PLAN_KEY:-}" ]; then
        openssl enc -aes-256-cbc -pbkdf2 -salt -pass env:TENANTFORM_PLAN_KEY \
            -in "$written" -out "$(private_plan)" || return 1
        rm -f "$written"
    else
        mv "$written" "$(private_plan)" || return 1
    fi
    chmod 600 "$(private_plan)"
}

# Copies the stored plan to $1, decrypting it when a key is set.
load_plan() {
    local target="$1" stored
    stored="$(private_plan)"
    [ -f "$stored" ] || return 1
    if [ -n "${TENANTFORM_PLAN_KEY:-}" ]; then
        openssl enc -d -aes-256-cbc -pbkdf2 -pass env:TENANTFORM_PLAN_KEY \
            -in "$stored" -out "$target"
    else
        cp "$stored" "$target"
    fi
}

# init, fmt -check and validate; on failure writes the comment (pull-request stage).
check_configuration() {
    local output_file="$1"
    log "init"
    run_logged "$output_file" init -input=false -no-color || {
        failure_comment "init" "$output_file"
        return 1
    }
    log "fmt -check"
    run_logged "$output_file" fmt -check -recursive -diff -no-color || {
        failure_comment "fmt -check" "$output_file"
        return 1
    }
    log "validate"
    run_logged "$output_file" validate -no-color || {
        failure_comment "validate" "$output_file"
        return 1
    }
}

# Plans into $1 (a path inside the configuration directory) with the gate and the guard.
plan_with_gate() {
    local plan_file="$1" output_file="$2"
    local options
    mapfile -t options < <(gate_options)
    log "plan ${options[*]}"
    run_logged "$output_file" plan -input=false -no-color -out="$plan_file" "${options[@]}"
}

stage_pr() {
    check_configuration "$scratch/output" || return 1
    local written=".tenantform-ci-$$.tfplan"
    if ! plan_with_gate "$written" "$scratch/output"; then
        rm -f "$config_dir/$written"
        failure_comment "plan" "$scratch/output"
        return 1
    fi
    log "show -markdown"
    if ! (cd "$config_dir" && "$tenantform" show -markdown "$written") >"$comment"; then
        rm -f "$config_dir/$written"
        return 1
    fi
    store_plan "$config_dir/$written" || return 1
    log "the comment is in $comment; the plan is kept in $(private_plan)"
}

# Applies the saved plan of the pull request; plans again (gate included) when it is stale
# or missing.
stage_merge() {
    log "init"
    run_logged "$scratch/output" init -input=false -no-color || return 1
    local plan_file="$config_dir/.tenantform-ci-$$.tfplan"
    if load_plan "$plan_file"; then
        log "apply the saved plan"
        if run_logged "$scratch/output" apply -input=false -no-color "$(basename "$plan_file")"; then
            rm -f "$plan_file" "$(private_plan)"
            return 0
        fi
        rm -f "$plan_file"
        if ! grep -q "Saved plan is stale" "$scratch/output"; then
            return 1
        fi
        log "the saved plan is stale: another change was applied first; planning again"
    else
        log "no saved plan in $private_dir: planning now"
    fi
    plan_with_gate "$(basename "$plan_file")" "$scratch/output" || {
        rm -f "$plan_file"
        return 1
    }
    log "apply the new plan"
    run_logged "$scratch/output" apply -input=false -no-color "$(basename "$plan_file")"
    local status=$?
    rm -f "$plan_file" "$(private_plan)"
    return "$status"
}

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

case "${1:-}" in
    pr) stage_pr ;;
    merge) stage_merge ;;
    *)
        echo "usage: $0 pr|merge" >&2
        exit 2
        ;;
esac
