"""The real OPA (v1.20, Go) as a C shared library that the wheel carries, and the engine
process that evaluates bundles with it under a capabilities list, a deadline and a memory
bound."""
