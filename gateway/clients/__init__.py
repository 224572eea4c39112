"""Clients of other services, below every package that calls them."""
