from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes import Cluster, cluster


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A central store and an edge node as real uvicorn processes, shared by one test module."""
    with cluster(Path(tmp_path_factory.mktemp("cluster"))) as nodes:
        yield nodes
