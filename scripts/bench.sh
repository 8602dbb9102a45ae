#!/usr/bin/env bash
# Benchmarks tenantform against Terraform on the same configurations and the same provider
# binary, and prints a Markdown table of wall time and peak memory.
#
# Usage: scripts/bench.sh [N ...]          (default N: 100 1000 10000)
#
# For each N it generates two configurations of N tenants, five resources per tenant on
# average, on the embedded backend:
#   saas  examples/saas unchanged (module "tenant" with for_each over the inventory) with a
#         generated tenants.yaml: half the tenants list one admin, half two (a tenant, its
#         database, and a user and a grant per admin);
#   flat  one top-level block per resource: a tenant, its database, an admin and a viewer
#         user, and the admin's grant.
# Then it measures, with /usr/bin/time -v, for tenantform and then for Terraform:
#   apply -auto-approve    (empty state; repeated on a fresh backend)
#   plan                   (no-op, with refresh)
#   plan -refresh=false    (no-op)
#   plan -scope=changed    (saas, tenantform only: one tenant's name edited in tenants.yaml
#                          after the no-op plans; Terraform has no equivalent)
# Each measurement runs BENCH_REPEATS times; the table shows the best wall time, with the
# peak memory of that run. Peak memory is the largest single process (the core or the
# provider plugin), as getrusage reports for waited-for children. A row "protocol floor" per
# N times the provider calls of a no-op plan of 5 N instances alone, without evaluation
# (provider/examples/wire_floor.rs).
#
# Environment:
#   BENCH_DIR           where configurations are generated (default /tmp/tenantform-bench)
#   BENCH_REPEATS       runs per measurement (default 2)
#   BENCH_VARIANTS      which configurations (default "saas flat")
#   TERRAFORM           Terraform command (default .venv-test/bin/terraform-1.15);
#                       set it to "" to measure tenantform only
#   TERRAFORM_MAX_N     largest N Terraform runs at (default 10000)
#   TERRAFORM_TIMEOUT   seconds after which one Terraform command is stopped and recorded as
#                       capped (default 900)
#   TENANTFORM_TIMEOUT  the same for tenantform (default 900)
#   BENCH_CSV           where the results are also written as CSV (default
#                       BENCH_DIR/results.csv)
#   BENCH_CURVE         the growth curve drawn from that CSV by tools/growth-curve (default
#                       docs/perf/growth.png); set it to "" to draw none
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(100 1000 10000)
fi
bench_dir="${BENCH_DIR:-/tmp/tenantform-bench}"
repeats="${BENCH_REPEATS:-2}"
read -r -a variants <<<"${BENCH_VARIANTS:-saas flat}"
terraform="${TERRAFORM-$repo_root/.venv-test/bin/terraform-1.15}"
terraform_max_n="${TERRAFORM_MAX_N:-10000}"
terraform_timeout="${TERRAFORM_TIMEOUT:-900}"
tenantform_timeout="${TENANTFORM_TIMEOUT:-900}"
results_csv="${BENCH_CSV:-$bench_dir/results.csv}"
growth_curve="${BENCH_CURVE-$repo_root/docs/perf/growth.png}"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time for /usr/bin/time -v" >&2
    apt-get install -y time >&2
fi

echo "building release binaries" >&2
cargo build --release --bins >&2
cargo build --release -p terraform-provider-tenant --example wire_floor >&2
target_dir="${CARGO_TARGET_DIR:-$repo_root/target}"
case "$target_dir" in
    /*) ;;
    *) target_dir="$repo_root/$target_dir" ;;
esac
release_dir="$target_dir/release"
tenantform="$release_dir/tenantform"

if [ -n "$terraform" ] && ! "$terraform" version >/dev/null 2>&1; then
    echo "Terraform ($terraform) does not run; measuring tenantform only" >&2
    terraform=""
fi

mkdir -p "$bench_dir"
cli_config="$bench_dir/terraform.tfrc"
cat >"$cli_config" <<EOF
provider_installation {
  dev_overrides {
    "tenantform/tenant" = "$release_dir"
  }
  direct {}
}
EOF
empty_cli_config="$bench_dir/tenantform.tfrc"
echo "# no overrides: the provider is found beside tenantform" >"$empty_cli_config"

# generate_saas DIR N: examples/saas with an inventory of N tenants.
generate_saas() {
    local dir="$1" count="$2"
    mkdir -p "$dir"
    cp "$repo_root/examples/saas/main.tf" "$dir/"
    cp -r "$repo_root/examples/saas/modules" "$dir/"
    local tiers=(free standard enterprise)
    {
        echo "tenants:"
        for ((index = 0; index < count; index++)); do
            local slug
            slug="$(printf 'tenant-%05d' "$index")"
            echo "  $slug:"
            echo "    name: Tenant $index"
            echo "    tier: ${tiers[index % 3]}"
            echo "    admins:"
            echo "      - admin@$slug.example"
            if ((index % 2 == 1)); then
                echo "      - ops@$slug.example"
            fi
            echo "    contacts:"
            echo "      - name: Admin $index"
            echo "        email: admin@$slug.example"
            echo "        kind: technical"
        done
    } >"$dir/tenants.yaml"
}

# generate_flat DIR N: N tenants of five top-level resource blocks each.
generate_flat() {
    local dir="$1" count="$2"
    mkdir -p "$dir"
    {
        cat <<'EOF'
terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

provider "tenant" {
  backend = "embedded"
}
EOF
        for ((index = 0; index < count; index++)); do
            local name slug
            name="$(printf 't%05d' "$index")"
            slug="$(printf 'tenant-%05d' "$index")"
            cat <<EOF

resource "tenant" "$name" {
  slug                = "$slug"
  display_name        = "Tenant $index"
  tier                = "standard"
  deletion_protection = false
}

resource "tenant_database" "$name" {
  tenant_id        = tenant.$name.id
  name             = "main"
  connection_limit = 20
}

resource "tenant_user" "${name}_admin" {
  tenant_id = tenant.$name.id
  email     = "admin@$slug.example"
  role      = "admin"
}

resource "tenant_user" "${name}_viewer" {
  tenant_id = tenant.$name.id
  email     = "viewer@$slug.example"
  role      = "viewer"
}

resource "tenant_grant" "${name}_admin" {
  user_id     = tenant_user.${name}_admin.id
  database_id = tenant_database.$name.id
  privileges  = ["read", "write"]
}
EOF
        done
    } >"$dir/main.tf"
}

# measure DIR TIMEOUT CLI_CONFIG COMMAND...: runs COMMAND in DIR under /usr/bin/time -v and
# prints "SECONDS RSS_MB STATUS", STATUS being ok, changes (exit code 2 of
# `plan -detailed-exitcode`: a no-op plan that is not), capped or failed(CODE).
measure() {
    local dir="$1" timeout_seconds="$2" config="$3"
    shift 3
    local report="$dir/.time-report" log="$dir/.command-log"
    local code=0
    (
        cd "$dir"
        env TF_CLI_CONFIG_FILE="$config" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 \
            /usr/bin/time -v -o "$report" timeout "$timeout_seconds" "$@" >"$log" 2>&1
    ) || code=$?
    local seconds rss_kb
    seconds="$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, part, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + part[i]
        printf "%.2f", s }' "$report")"
    rss_kb="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$report")"
    local status=ok
    if [ "$code" -eq 124 ] || grep -q "Command exited with non-zero status 124" "$report"; then
        status=capped
    elif [ "$code" -eq 2 ]; then
        status="changes"
    elif [ "$code" -ne 0 ]; then
        status="failed($code)"
        echo "--- $* in $dir failed; last lines:" >&2
        tail -20 "$log" >&2
    fi
    echo "$seconds $((rss_kb / 1024)) $status"
}

# best_of COUNT DIR TIMEOUT CLI_CONFIG COMMAND...: the fastest of COUNT runs.
best_of() {
    local count="$1"
    shift
    local best="" result
    for ((run = 0; run < count; run++)); do
        result="$(measure "$@")"
        echo "    run $((run + 1)): $result" >&2
        if [ -z "$best" ] || awk -v a="${result%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best="$result"
        fi
        case "$result" in *capped* | *failed*) break ;; esac
    done
    echo "$best"
}

reset_backend() {
    rm -rf "$1/.tenants" "$1/terraform.tfstate" "$1/terraform.tfstate.backup" \
        "$1/.terraform.tfstate.lock.info"
}

rows=()
csv_rows=()
add_row() {
    local variant="$1" count="$2" tool="$3" command="$4" result="$5"
    read -r seconds rss status <<<"$result"
    local resources=$((count * 5))
    rows+=("| $variant | $count | $resources | $tool | \`$command\` | $seconds | $rss | $status |")
    csv_rows+=("$variant,$count,$resources,$tool,$command,$seconds,$rss,$status")
}

# bench_tool VARIANT N TOOL DIR TIMEOUT CLI_CONFIG PROGRAM
bench_tool() {
    local variant="$1" count="$2" tool="$3" dir="$4" timeout_seconds="$5" config="$6" program="$7"
    local result
    echo "  $tool apply" >&2
    local best=""
    for ((run = 0; run < repeats; run++)); do
        reset_backend "$dir"
        result="$(measure "$dir" "$timeout_seconds" "$config" "$program" apply -auto-approve -input=false -no-color)"
        echo "    run $((run + 1)): $result" >&2
        if [ -z "$best" ] || awk -v a="${result%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best="$result"
        fi
        case "$result" in *capped* | *failed*) break ;; esac
    done
    add_row "$variant" "$count" "$tool" "apply -auto-approve" "$best"
    case "$best" in *capped* | *failed*) return ;; esac
    echo "  $tool plan" >&2
    result="$(best_of "$repeats" "$dir" "$timeout_seconds" "$config" "$program" plan -detailed-exitcode -input=false -no-color)"
    add_row "$variant" "$count" "$tool" "plan" "$result"
    echo "  $tool plan -refresh=false" >&2
    result="$(best_of "$repeats" "$dir" "$timeout_seconds" "$config" "$program" plan -refresh=false -detailed-exitcode -input=false -no-color)"
    add_row "$variant" "$count" "$tool" "plan -refresh=false" "$result"
    if [ "$tool" = tenantform ] && [ "$variant" = saas ]; then
        bench_scoped_plan "$count" "$dir" "$timeout_seconds" "$config" "$program"
    fi
    reset_backend "$dir"
}

# bench_floor N: the protocol's floor under a no-op plan of 5 N resource instances: the three
# calls per instance (validate, read, plan) with 10 in flight and no evaluation
# (provider/examples/wire_floor.rs), recorded as the `plan` of "protocol floor".
bench_floor() {
    local count="$1" best="" seconds
    echo "== protocol floor, $((count * 5)) instances" >&2
    for ((run = 0; run < repeats; run++)); do
        seconds="$("$release_dir/examples/wire_floor" "$((count * 5))" 10 |
            awk '/no-op plan calls:/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "ms,") { printf "%.2f", $i / 1000; exit } }')"
        echo "    run $((run + 1)): ${seconds:-failed}" >&2
        if [ -n "$seconds" ] && { [ -z "$best" ] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; }; then
            best="$seconds"
        fi
    done
    if [ -n "$best" ]; then
        add_row "calls only" "$count" "protocol floor" "plan" "$best - ok"
    else
        add_row "calls only" "$count" "protocol floor" "plan" "- - failed"
    fi
}

# bench_scoped_plan N DIR TIMEOUT CLI_CONFIG PROGRAM: edits one tenant of the applied saas
# configuration and times `plan -scope=changed` (one tenant planned, the others left out by
# the instance record the apply wrote); the inventory is restored afterwards.
bench_scoped_plan() {
    local count="$1" dir="$2" timeout_seconds="$3" config="$4" program="$5"
    local edited=$((count / 2)) result
    cp "$dir/tenants.yaml" "$dir/tenants.yaml.orig"
    sed -i "s/^    name: Tenant $edited\$/    name: Tenant $edited renamed/" "$dir/tenants.yaml"
    echo "  tenantform plan -scope=changed (tenant $edited edited)" >&2
    result="$(best_of "$repeats" "$dir" "$timeout_seconds" "$config" "$program" plan -scope=changed -input=false -no-color)"
    add_row saas "$count" tenantform "plan -scope=changed (one tenant edited)" "$result"
    mv "$dir/tenants.yaml.orig" "$dir/tenants.yaml"
}

for count in "${sizes[@]}"; do
    bench_floor "$count"
    for variant in "${variants[@]}"; do
        echo "== $variant, $count tenants" >&2
        base="$bench_dir/$variant-$count"
        rm -rf "$base"
        "generate_$variant" "$base/tenantform" "$count"
        "$tenantform" -chdir="$base/tenantform" init -input=false >/dev/null
        bench_tool "$variant" "$count" tenantform "$base/tenantform" "$tenantform_timeout" \
            "$empty_cli_config" "$tenantform"
        if [ -n "$terraform" ] && [ "$count" -le "$terraform_max_n" ]; then
            "generate_$variant" "$base/terraform" "$count"
            # Local modules need installing; the provider comes from dev_overrides, so no
            # `init` (which would look the provider up in a registry).
            if [ "$variant" = saas ]; then
                (cd "$base/terraform" && TF_CLI_CONFIG_FILE="$cli_config" "$terraform" get >/dev/null)
            fi
            bench_tool "$variant" "$count" terraform "$base/terraform" "$terraform_timeout" \
                "$cli_config" "$terraform"
        fi
        rm -rf "$base"
    done
done

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(uname -sr)"
echo "Best of $repeats runs; peak memory is the largest single process."
echo
echo "| configuration | tenants | resources | tool | command | wall (s) | peak RSS (MB) | status |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

{
    echo "configuration,tenants,resources,tool,command,wall_s,rss_mb,status"
    printf '%s\n' "${csv_rows[@]}"
} >"$results_csv"
echo
echo "Results as CSV: $results_csv"
if [ -n "$growth_curve" ]; then
    # The curve's tool is a workspace of its own (tools/growth-curve), so that plotters is
    # built only here.
    mkdir -p "$(dirname "$growth_curve")"
    cargo run --release --quiet --manifest-path "$repo_root/tools/growth-curve/Cargo.toml" -- \
        "$results_csv" "$growth_curve" >&2
    echo "Growth curve: $growth_curve"
fi
