"""Regions and their edge nodes: the TOML definitions the fleet runner and the edges read."""
