"""The composition root: the FastAPI app, REST routes, auth and the `provgraph` CLI.

Dependencies point one way: server -> {graphql, integrations} -> policies -> catalog.
"""
