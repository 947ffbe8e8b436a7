# Unit tests of feature_use.rego, as cases: the test suite evaluates each case's input with the
# real bundle and checks the decision. OPA-style `test_` rules (`with input as …`) run too, through
# the embedded OPA engine (see deny_by_default_test.rego). Every input is checked against the
# typed policy input (provgraph/policies/input.py, input.schema.json): a case marked
# "malformed" must fail that check, every other case must pass it, so a key renamed on either
# side fails a test.
package provgraph.feature_use_test

certified := {"urn": "f:ok", "feature": "f:ok", "classifications": [], "status": "certified", "quality": "passing"}

email := {"urn": "f:email", "feature": "f:email", "classifications": ["pii.email"], "status": "certified", "quality": "passing"}

draft := {"urn": "f:draft", "feature": "f:draft", "classifications": [], "status": "draft", "quality": "unknown"}

old := {"urn": "f:old", "feature": "f:old", "classifications": [], "status": "deprecated", "quality": "passing"}

consented := {"urn": "f:mkt", "feature": "f:mkt", "classifications": ["consent:marketing"], "status": "certified", "quality": "passing"}

cases := [
	{"name": "clean use is allowed", "input": {"principal": "ci", "production": false, "action": "train", "purpose": "fraud", "features": [certified]}, "allow": true, "deny": []},
	{"name": "pii for advertising is denied", "input": {"principal": "ci", "production": false, "action": "train", "purpose": "advertising", "features": [email]}, "allow": false, "deny": ["f:email carries personal data (pii) and cannot be used for advertising"]},
	{"name": "pii for fraud is allowed with an audit obligation", "input": {"principal": "ci", "production": false, "action": "serve", "purpose": "fraud", "features": [email]}, "allow": true, "deny": [], "obligations": ["log every prediction request for audit (personal data in use)"]},
	{"name": "consent scope binds", "input": {"principal": "ci", "production": false, "action": "train", "purpose": "fraud", "features": [consented]}, "allow": false, "deny": ["f:mkt is consented for marketing only, not for fraud"]},
	{"name": "consent scope allows its purpose", "input": {"principal": "ci", "production": false, "action": "train", "purpose": "marketing", "features": [consented]}, "allow": true, "deny": []},
	{"name": "production needs certified and passing", "input": {"action": "deploy", "purpose": "fraud", "principal": "ci", "environment": "prod-eu", "production": true, "features": [draft]}, "allow": false, "deny": ["f:draft has unknown quality checks on its source data; production needs passing checks", "f:draft is not certified (status draft); production needs certified features"]},
	{"name": "a production-stage model needs them too", "input": {"action": "train", "purpose": "fraud", "principal": "ci", "production": false, "model": {"urn": "m@1", "stage": "production"}, "features": [draft]}, "allow": false},
	{"name": "staging accepts drafts", "input": {"action": "deploy", "purpose": "fraud", "principal": "ci", "environment": "staging", "production": false, "features": [draft]}, "allow": true, "deny": []},
	{"name": "deprecated features do not enter training", "input": {"principal": "ci", "production": false, "action": "train", "purpose": "fraud", "features": [old]}, "allow": false, "deny": ["f:old is deprecated and cannot enter a new training run"]},
	{"name": "deprecated features may still be served", "input": {"principal": "ci", "production": false, "action": "serve", "purpose": "fraud", "features": [old]}, "allow": true},
	{"name": "an empty input is denied", "input": {}, "allow": false, "malformed": true},
	{"malformed": true, "name": "an unknown action is denied", "input": {"principal": "ci", "production": false, "action": "fly", "purpose": "fraud", "features": [certified]}, "allow": false, "deny": ["input.action must be one of train, deploy, serve, materialize"]},
	{"name": "production must be stated by the gate", "input": {"principal": "ci", "action": "deploy", "purpose": "fraud", "environment": "production", "features": [draft]}, "allow": false, "deny": ["input.production must be true or false (the catalog's answer)"], "malformed": true},
	{"name": "a feature without its facts is refused", "input": {"principal": "ci", "production": true, "action": "deploy", "purpose": "fraud", "features": [{"urn": "f:x", "feature": "f:x", "classifications": [], "certification": "certified", "quality": "passing"}]}, "allow": false, "deny": ["input.features[0].status is missing or of the wrong type"], "malformed": true},
	{"name": "a question without an action is denied", "input": {"principal": "ci", "production": false, "purpose": "fraud", "features": [certified]}, "allow": false, "deny": ["input.action must be one of train, deploy, serve, materialize"], "malformed": true},
	{"name": "a question without a purpose is denied", "input": {"principal": "ci", "production": false, "action": "train", "features": [certified]}, "allow": false, "deny": ["input.purpose is required"], "malformed": true},
	{"malformed": true, "name": "an empty purpose is denied", "input": {"principal": "ci", "production": false, "action": "train", "purpose": "", "features": [certified]}, "allow": false, "deny": ["input.purpose is required"]},
	{"name": "no features is denied", "input": {"principal": "ci", "production": false, "action": "train", "purpose": "fraud", "features": []}, "allow": false, "deny": ["input.features must list at least one feature"]},
]
