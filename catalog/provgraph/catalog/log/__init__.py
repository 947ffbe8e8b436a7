"""The append-only event log: the catalog's system of record."""
