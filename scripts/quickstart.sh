#!/usr/bin/env bash
# Builds tenantform and the tenant provider, then provisions the quickstart example:
# two tenants, each with a database, an admin user and a grant, on the embedded backend;
# one also gets storage, an API key and a security policy.
# Running it again applies no changes.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

cargo build --bins -p tenantform -p terraform-provider-tenant

target_dir="${CARGO_TARGET_DIR:-$repo_root/target}"
case "$target_dir" in
    /*) ;;
    *) target_dir="$repo_root/$target_dir" ;;
esac
tenantform="$target_dir/debug/tenantform"

cd "$repo_root/examples/quickstart"
"$tenantform" init -input=false
"$tenantform" apply -auto-approve -input=false
echo
echo "Resources in the state:"
"$tenantform" show -no-color
