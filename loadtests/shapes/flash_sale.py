"""A flash sale: a quiet start, a spike to five times the base load within seconds, then back."""

from loadtests.shaping import ScaledShape


class FlashSale(ScaledShape):
    points = ((0.0, 0.5), (0.3, 0.5), (0.35, 5.0), (0.6, 5.0), (0.7, 1.0), (1.0, 1.0))
