"""Locust files, load shapes and the SLO gate for the edge gateway."""
