"""Browsing traces: the synthetic generator and the replay evaluator."""
