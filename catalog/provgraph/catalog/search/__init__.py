"""Search for discovery: the SearchIndex port and its SQLite FTS5 side index."""
