# May this model use these features for this purpose, at this step (train, deploy, serve,
# materialize)? Deny by default: `allow` is true only for a well-formed input with no deny
# reason. The input document is typed in provgraph/policies/input.py, its JSON Schema beside this
# file (input.schema.json); the README describes it ("Policy input and decision").
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
	not object.get(input, "action", null) in actions
}

# object.get, not input.x: a rule over a missing key is undefined, and `not` of it never fires
malformed contains "input.purpose is required" if {
	not is_string(object.get(input, "purpose", null))
}

malformed contains "input.purpose is required" if {
	input.purpose == ""
}

malformed contains "input.features must list at least one feature" if {
	count(object.get(input, "features", [])) == 0
}

malformed contains "input.production must be true or false (the catalog's answer)" if {
	not is_boolean(object.get(input, "production", null))
}

# a feature without the facts the rules read is refused, never waved through
malformed contains sprintf("input.features[%d].%s is missing or of the wrong type", [i, key]) if {
	some i, f in object.get(input, "features", [])
	some key in ["urn", "status", "quality"]
	not is_string(object.get(f, key, null))
}

malformed contains sprintf("input.features[%d].classifications is missing or of the wrong type", [i]) if {
	some i, f in object.get(input, "features", [])
	not is_array(object.get(f, "classifications", null))
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
# What is in production is the catalog's one rule (provgraph.catalog.model.production): the gate
# passes its answer as input.production; the bundle never reads environment names itself.

production if input.model.stage == "production"

production if input.production == true

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
