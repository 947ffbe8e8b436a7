"""Graph stores: the CatalogStore port and its adapters (ladybug/ embedded, neo4j/ over Bolt)."""
