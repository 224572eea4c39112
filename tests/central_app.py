"""A central store served in the test's own process and event loop: uvicorn as a task on a free port.

The forwarder and the change follower then talk to a real central store through their real HTTP
client, without a process to start; the store can be stopped and started again on the same port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn

from gateway.central.app import create_central_app
from gateway.processes import free_port
from gateway.settings import CentralSettings

SECRET = "in-process-central-secret-long"
OPS_TOKEN = "in-process-ops-token"


class CentralInProcess:
    def __init__(self, data_dir: Path) -> None:
        self.port = free_port("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = CentralSettings(
            secret=SECRET, ops_token=OPS_TOKEN, port=self.port, data_dir=data_dir, seed_items=60, seed_users=5
        )
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        config = uvicorn.Config(
            create_central_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None


@contextlib.asynccontextmanager
async def central_in_process(data_dir: Path) -> AsyncIterator[CentralInProcess]:
    central = CentralInProcess(data_dir)
    await central.start()
    try:
        yield central
    finally:
        await central.stop()
