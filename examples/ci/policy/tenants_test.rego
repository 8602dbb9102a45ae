# The review rules' own tests: `tenantform policy test policy`.
package main

import rego.v1

database_change(actions) := {"resource_changes": [{
	"address": "module.tenant[\"acme\"].tenant_database.main",
	"type": "tenant_database",
	"change": {"actions": actions, "after": {}},
}]}

tenant_change(actions, after) := {"resource_changes": [{
	"address": "module.tenant[\"acme\"].tenant.this",
	"type": "tenant",
	"change": {"actions": actions, "after": after},
}]}

test_replacing_a_database_is_denied if {
	count(deny) == 1 with input as database_change(["delete", "create"])
}

test_replacing_a_database_before_destroying_is_denied if {
	count(deny) == 1 with input as database_change(["create", "delete"])
}

test_updating_a_database_is_allowed if {
	count(deny) == 0 with input as database_change(["update"])
}

test_an_unprotected_tenant_is_denied if {
	count(deny_unprotected) == 1 with input as tenant_change(["create"], {"deletion_protection": false})
}

test_a_protected_tenant_is_allowed if {
	count(deny_unprotected) == 0 with input as tenant_change(["create"], {"deletion_protection": true})
}

test_offboarding_warns if {
	count(warn) == 1 with input as tenant_change(["delete"], null)
}
