# Unit tests of feature_use.rego, as cases: the test suite evaluates each case's input with the
# real bundle and checks the decision. OPA-style `test_` rules (`with input as …`) run too, through
# the embedded OPA engine (see deny_by_default_test.rego).
package provgraph.feature_use_test

certified := {"urn": "f:ok", "classifications": [], "status": "certified", "quality": "passing"}

email := {"urn": "f:email", "classifications": ["pii.email"], "status": "certified", "quality": "passing"}

draft := {"urn": "f:draft", "classifications": [], "status": "draft", "quality": "unknown"}

old := {"urn": "f:old", "classifications": [], "status": "deprecated", "quality": "passing"}

consented := {"urn": "f:mkt", "classifications": ["consent:marketing"], "status": "certified", "quality": "passing"}

cases := [
	{"name": "clean use is allowed", "input": {"action": "train", "purpose": "fraud", "features": [certified]}, "allow": true, "deny": []},
	{"name": "pii for advertising is denied", "input": {"action": "train", "purpose": "advertising", "features": [email]}, "allow": false, "deny": ["f:email carries personal data (pii) and cannot be used for advertising"]},
	{"name": "pii for fraud is allowed with an audit obligation", "input": {"action": "serve", "purpose": "fraud", "features": [email]}, "allow": true, "deny": [], "obligations": ["log every prediction request for audit (personal data in use)"]},
	{"name": "consent scope binds", "input": {"action": "train", "purpose": "fraud", "features": [consented]}, "allow": false, "deny": ["f:mkt is consented for marketing only, not for fraud"]},
	{"name": "consent scope allows its purpose", "input": {"action": "train", "purpose": "marketing", "features": [consented]}, "allow": true, "deny": []},
	{"name": "production needs certified and passing", "input": {"action": "deploy", "purpose": "fraud", "environment": "production", "features": [draft]}, "allow": false, "deny": ["f:draft has unknown quality checks on its source data; production needs passing checks", "f:draft is not certified (status draft); production needs certified features"]},
	{"name": "a production-stage model needs them too", "input": {"action": "train", "purpose": "fraud", "model": {"stage": "production"}, "features": [draft]}, "allow": false},
	{"name": "staging accepts drafts", "input": {"action": "deploy", "purpose": "fraud", "environment": "staging", "features": [draft]}, "allow": true, "deny": []},
	{"name": "deprecated features do not enter training", "input": {"action": "train", "purpose": "fraud", "features": [old]}, "allow": false, "deny": ["f:old is deprecated and cannot enter a new training run"]},
	{"name": "deprecated features may still be served", "input": {"action": "serve", "purpose": "fraud", "features": [old]}, "allow": true},
	{"name": "an empty input is denied", "input": {}, "allow": false},
	{"name": "an unknown action is denied", "input": {"action": "fly", "purpose": "fraud", "features": [certified]}, "allow": false, "deny": ["input.action must be one of train, deploy, serve, materialize"]},
	{"name": "an empty purpose is denied", "input": {"action": "train", "purpose": "", "features": [certified]}, "allow": false, "deny": ["input.purpose is required"]},
	{"name": "no features is denied", "input": {"action": "train", "purpose": "fraud", "features": []}, "allow": false, "deny": ["input.features must list at least one feature"]},
]
