"""The edge app in-process for benchmarks, with its central store unreachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.benchmarks.asgi import EdgeInProcess


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[EdgeInProcess]:
    running = EdgeInProcess(tmp_path)
    yield running
    running.close()
