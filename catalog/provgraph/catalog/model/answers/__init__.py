"""What the catalog answers, declared once: the services return these, REST sends them as they
are (its OpenAPI document is generated from them), the typed client reads them back into the
same classes, and GraphQL maps each once. Frozen dataclasses: cheap to build on the hot path,
validated by pydantic only at the edges."""
