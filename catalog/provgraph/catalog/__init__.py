"""provgraph catalog core: domain model, use cases, storage adapters, app and CLI."""
