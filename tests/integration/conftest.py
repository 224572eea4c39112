"""Fixtures the integration tests share: the real services on this machine."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import redis

REDIS_DB = 14  # a database of its own: the tests flush it


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The machine's Redis, an empty database of the tests' own; skipped where there is none."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the shared cache tier needs one)")
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    client.flushdb()
    yield f"redis://127.0.0.1:6379/{REDIS_DB}"
    client.flushdb()
