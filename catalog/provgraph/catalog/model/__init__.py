"""Domain model: URNs, kinds, graph records and catalog events. Imports no storage or web code."""
