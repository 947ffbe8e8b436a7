"""Use cases: writing events, lineage, and the composition of a catalog."""
