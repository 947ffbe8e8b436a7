"""OpenLineage (spec 2-0-x) ingestion: envelopes, facets, and translation into catalog events."""
