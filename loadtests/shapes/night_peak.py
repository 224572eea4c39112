"""The 22:00-01:00 peak of a normal night: a climb to the base load, a long plateau, a taper."""

from loadtests.shaping import ScaledShape


class NightPeak(ScaledShape):
    points = ((0.0, 0.3), (0.3, 1.0), (0.8, 1.0), (1.0, 0.4))
