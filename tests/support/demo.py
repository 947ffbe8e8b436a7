"""What the demo catalog holds, for tests that compare whole graphs."""

DEMO_EVENTS = 37
DEMO_COUNTS = (102, 174)
"""(nodes, edges) of the demo catalog."""
