"""GraphQL API layer (strawberry): types, queries, mutations, loaders; uses catalog.service."""
