"""How busy this node is right now, shared by the in-flight limiter and whoever backs off under load."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LoadGauge:
    inflight: int = 0
    busy_above: int = 64

    @property
    def busy(self) -> bool:
        return self.inflight > self.busy_above
