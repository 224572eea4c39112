"""Serving a node: the server's settings, and its guards against slow and abusive clients."""
