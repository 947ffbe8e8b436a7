"""Integrations that write provenance back: spark, torch, serving, great_expectations."""
