"""``edge-gateway replay``: a trace driven through a running edge, or through nodes started for it."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.launch import fresh_secrets, start_central, start_edge
from gateway.processes import Supervisor
from gateway.settings import lifted_rate_budgets
from gateway.traces.replay import Replay, catalog_needs


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    speed: float
    max_pause: float
    progress: bool


@dataclass(frozen=True, slots=True)
class ReplayTarget:
    edge: str
    admin_token: str | None  # reads the edge's prerender counts from /metrics
    central: str | None = None  # with ops_token: items the trace names are added there first
    ops_token: str | None = None


async def replay_trace(
    target: ReplayTarget, events: list[dict[str, Any]], options: ReplayOptions
) -> dict[str, Any]:
    replay = Replay(target.edge, options.speed, options.max_pause, admin_token=target.admin_token)
    if target.central and target.ops_token:
        await replay.ensure_catalog(target.central.rstrip("/"), target.ops_token, catalog_needs(events))
    return await replay.run(events, progress=options.progress)


def replay_on_own_nodes(
    events: list[dict[str, Any]], options: ReplayOptions, strategy: str
) -> dict[str, Any]:
    """A central store and an edge on embedded defaults, with the prerender ``strategy``, then the trace.

    The replay's shoppers all come from one address, more of them than a town has: the edge's rate
    budgets are lifted, since this measures prediction, not admission.
    """
    tokens = fresh_secrets()
    env = {**tokens, **lifted_rate_budgets(), "EDGE_PRERENDER_STRATEGY": strategy}
    with tempfile.TemporaryDirectory(prefix="replay-") as workdir:
        supervisor = Supervisor(env=env, grace_seconds=10)
        try:
            central = start_central(supervisor, Path(workdir))
            edge = start_edge(supervisor, Path(workdir), node_id="edge-replay", central_url=central.url)
            target = ReplayTarget(
                edge.url, tokens["EDGE_ADMIN_TOKEN"], central.url, tokens["CENTRAL_OPS_TOKEN"]
            )
            report = asyncio.run(replay_trace(target, events, options))
        finally:
            supervisor.stop()
    return {"strategy": strategy, **report}
