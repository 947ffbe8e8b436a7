"""What the demo catalog holds, for tests that compare whole graphs."""

DEMO_EVENTS = 28
DEMO_COUNTS = (94, 162)
"""(nodes, edges) of the demo catalog."""
