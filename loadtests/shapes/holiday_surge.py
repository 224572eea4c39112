"""A holiday evening: 2.3 times the normal peak, reached gradually and held."""

from loadtests.shaping import ScaledShape


class HolidaySurge(ScaledShape):
    points = ((0.0, 0.5), (0.25, 2.3), (0.9, 2.3), (1.0, 1.0))
