"""Container health check without curl: ``python -m gateway.healthcheck``.

One image runs either role, so it probes the edge port and the central port (``EDGE_PORT``,
``CENTRAL_PORT``) and is healthy when the node listening there answers ``/healthz`` with 200.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def healthy(port: int, timeout: float = 2.0) -> bool:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    ports = {int(os.environ.get("EDGE_PORT", "8801")), int(os.environ.get("CENTRAL_PORT", "8800"))}
    return 0 if any(healthy(port) for port in sorted(ports)) else 1


if __name__ == "__main__":
    sys.exit(main())
