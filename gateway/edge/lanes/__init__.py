"""Plain ASGI paths in front of the middleware stack, for the two requests that dominate a node's load."""
