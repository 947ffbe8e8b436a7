"""Governance: the Rego bundle, the PolicyEngine port and its engines, the decision model."""
