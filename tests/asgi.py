"""An HTTP scope for driving an ASGI app in-process, shared by the tests and the benchmarks."""

from __future__ import annotations

from typing import Any


def http_scope(method: str, target: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """The scope uvicorn would build for ``method target`` (a path with an optional query)."""
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
        "headers": headers,
    }
