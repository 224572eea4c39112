"""The edge node: the storefront-facing Starlette app."""
