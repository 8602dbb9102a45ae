# The fleet's review rules, evaluated by `tenantform plan -policy=policy` against the JSON
# plan (the document `tenantform show -json PLANFILE` prints), as conftest would.
package main

import rego.v1

# Replacing a tenant's database drops its data: a change must never do that silently.
deny contains msg if {
	some change in input.resource_changes
	change.type == "tenant_database"
	change.change.actions == ["delete", "create"]
	msg := sprintf("%s would be replaced, and its data lost", [change.address])
}

deny contains msg if {
	some change in input.resource_changes
	change.type == "tenant_database"
	change.change.actions == ["create", "delete"]
	msg := sprintf("%s would be replaced, and its data lost", [change.address])
}

# Every tenant is created with deletion protection.
deny_unprotected contains msg if {
	some change in input.resource_changes
	change.type == "tenant"
	"create" in change.change.actions
	change.change.after.deletion_protection == false
	msg := sprintf("%s is created without deletion protection", [change.address])
}

# Offboarding is allowed, and reviewers must see it.
warn contains msg if {
	some change in input.resource_changes
	change.type == "tenant"
	change.change.actions == ["delete"]
	msg := sprintf("%s is offboarded: its data is archived, then deleted", [change.address])
}
