"""Neo4j adapter over Bolt (the official `neo4j` driver): the scale-out store."""
