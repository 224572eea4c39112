"""The edge's HTTP resources, one module each: they read Starlette requests into the services."""
