"""The node's state and its work, free of Starlette: acks, idempotency, reference data, prerender, pages."""
