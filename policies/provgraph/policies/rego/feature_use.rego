# May this model use these features for this purpose, at this step (train, deploy, serve,
# materialize)? Deny by default: `allow` is true only for a well-formed input with no deny
# reason. The input document is described in the README ("Policy input and decision").
package provgraph.feature_use

import rego.v1

actions := {"train", "deploy", "serve", "materialize"}

default allow := false

allow if {
	count(malformed) == 0
	count(deny) == 0
}

decision := {
	"allow": allow,
	"deny": sort(array.concat([r | some r in malformed], [r | some r in deny])),
	"obligations": sort([o | some o in obligations]),
}

# ---- the input must say what is being done, by whom, for what ------------------------------

malformed contains "input.action must be one of train, deploy, serve, materialize" if {
	not input.action in actions
}

malformed contains "input.purpose is required" if {
	not is_string(input.purpose)
}

malformed contains "input.purpose is required" if {
	input.purpose == ""
}

malformed contains "input.features must list at least one feature" if {
	count(object.get(input, "features", [])) == 0
}

# ---- personal data is never used for advertising --------------------------------------------

advertising_purposes := {"advertising", "ad_targeting", "marketing"}

pii(feature) if {
	some tag in feature.classifications
	tag == "pii"
}

pii(feature) if {
	some tag in feature.classifications
	startswith(tag, "pii.")
}

deny contains sprintf("%s carries personal data (pii) and cannot be used for %s", [f.urn, input.purpose]) if {
	input.purpose in advertising_purposes
	some f in input.features
	pii(f)
}

# ---- consent-scoped features only for the purpose consented to ------------------------------

deny contains sprintf("%s is consented for %s only, not for %s", [f.urn, scope, input.purpose]) if {
	some f in input.features
	some tag in f.classifications
	startswith(tag, "consent:")
	scope := substring(tag, 8, -1)
	scope != input.purpose
}

# ---- production needs certified features with passing quality checks -----------------------

production if input.model.stage == "production"

production if input.environment == "production"

deny contains sprintf("%s is not certified (status %s); production needs certified features", [f.urn, f.status]) if {
	production
	some f in input.features
	f.status != "certified"
}

deny contains sprintf("%s has %s quality checks on its source data; production needs passing checks", [f.urn, f.quality]) if {
	production
	some f in input.features
	f.quality != "passing"
}

# ---- deprecated features do not enter new training runs -------------------------------------

deny contains sprintf("%s is deprecated and cannot enter a new training run", [f.urn]) if {
	input.action == "train"
	some f in input.features
	f.status == "deprecated"
}

# ---- what an allowed use must also do --------------------------------------------------------

obligations contains "log every prediction request for audit (personal data in use)" if {
	input.action in {"deploy", "serve"}
	some f in input.features
	pii(f)
}
