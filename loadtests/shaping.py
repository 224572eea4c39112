"""Load shapes as fractions of a base number of users over a run of a given length.

Each shape is a list of (time fraction, user multiplier) points; users are interpolated between
them. ``LOAD_BASE_USERS`` (default 50) and ``LOAD_SECONDS`` (default 300) scale a shape to a box:
the same shape runs as a 20-second smoke in CI and as an hour-long soak elsewhere.
"""

from __future__ import annotations

import os
from typing import ClassVar

from locust import LoadTestShape


class ScaledShape(LoadTestShape):
    abstract = True
    points: ClassVar[tuple[tuple[float, float], ...]] = ((0.0, 1.0), (1.0, 1.0))

    def __init__(self) -> None:
        super().__init__()
        self.base_users = int(os.environ.get("LOAD_BASE_USERS", "50"))
        self.seconds = float(os.environ.get("LOAD_SECONDS", "300"))

    def users_at(self, fraction: float) -> int:
        for (t0, m0), (t1, m1) in zip(self.points, self.points[1:], strict=False):
            if t0 <= fraction <= t1:
                share = 0.0 if t1 == t0 else (fraction - t0) / (t1 - t0)
                return max(1, round(self.base_users * (m0 + (m1 - m0) * share)))
        return max(1, round(self.base_users * self.points[-1][1]))

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed >= self.seconds:
            return None
        users = self.users_at(elapsed / self.seconds)
        # Spawn fast enough to follow the shape within about a twentieth of the run.
        return users, max(1.0, users / max(1.0, self.seconds / 20))
