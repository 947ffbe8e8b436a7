# OPA-style unit tests (`test_` rules, run by the test suite through the embedded OPA engine,
# and by `opa test` against the same directory): questions that do not say what is done, for
# what, with which features, are denied whatever the rules say.
package provgraph.deny_by_default_test

import data.provgraph.feature_use
import rego.v1

test_an_empty_question_is_denied if {
	not feature_use.decision.allow with input as {}
}

test_a_question_without_features_is_denied if {
	not feature_use.decision.allow with input as {"action": "train", "purpose": "fraud", "features": []}
}

test_an_unknown_action_is_denied if {
	feature := {"urn": "f:ok", "classifications": [], "status": "certified", "quality": "passing"}
	not feature_use.decision.allow with input as {"action": "fly", "purpose": "fraud", "features": [feature]}
}

test_a_clean_question_is_allowed if {
	feature := {"urn": "f:ok", "feature": "f:ok", "classifications": [], "status": "certified", "quality": "passing"}
	feature_use.decision.allow with input as {"action": "train", "purpose": "fraud", "principal": "ci", "production": false, "features": [feature]}
}

test_a_question_that_does_not_say_whether_it_is_production_is_denied if {
	feature := {"urn": "f:ok", "feature": "f:ok", "classifications": [], "status": "certified", "quality": "passing"}
	not feature_use.decision.allow with input as {"action": "train", "purpose": "fraud", "principal": "ci", "features": [feature]}
}
