"""REST routes and HTTP plumbing of the FastAPI app (the app factory is provgraph.server.app)."""
