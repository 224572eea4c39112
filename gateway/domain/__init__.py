"""Plain-Python domain code (no Starlette): testable and benchmarkable alone."""
