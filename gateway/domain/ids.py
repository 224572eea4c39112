"""Order ids: 128 random bits from a generator seeded once from the OS.

``uuid4()`` asks the kernel for entropy on every call; on the order path that syscall (and the
GIL hand-off around it) cost more than the rest of the id. Order ids must be unique, not secret:
who may see an order is decided by its owner, never by the id being hard to guess.
"""

from __future__ import annotations

import os
import random


class OrderIds:
    def __init__(self) -> None:
        self._random = random.Random(os.urandom(32))  # noqa: S311 - uniqueness, not secrecy

    def next(self) -> str:
        return f"o-{self._random.getrandbits(128):032x}"
