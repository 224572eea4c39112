"""Server-Timing: the phases a request went through, and the header that reports them.

Plain Python: services record phases without knowing how the answer is sent, and load tools read
the header back without importing the server.
"""

from __future__ import annotations

import time

Phases = list[tuple[str, float]]  # (name, milliseconds), in the order they ran


def add_phase(phases: Phases | None, name: str, started: float) -> None:
    """Record a phase that began at ``started`` (a ``time.perf_counter()`` reading) and ends now."""
    if phases is not None:
        phases.append((name, (time.perf_counter() - started) * 1000))


def server_timing(phases: Phases, started: float) -> bytes:
    """The ``Server-Timing`` value: each phase, then the total since ``started``."""
    total_ms = (time.perf_counter() - started) * 1000
    entries = [f"{name};dur={ms:.2f}" for name, ms in phases]
    entries.append(f"total;dur={total_ms:.2f}")
    return ", ".join(entries).encode()


def server_timing_total(header: str) -> float | None:
    """The ``total;dur=`` entry of a Server-Timing header, in milliseconds (for load tools)."""
    for entry in header.split(","):
        name, _, rest = entry.strip().partition(";")
        if name == "total" and rest.startswith("dur="):
            return float(rest[4:])
    return None
