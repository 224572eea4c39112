"""Run a set of gateway nodes as child processes (for ``demo`` and ``fleet``) and stop them cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType


class NodeFailed(RuntimeError):
    """A child exited or never became ready."""


@dataclass
class Node:
    name: str
    url: str
    process: subprocess.Popen[bytes]


def free_port(host: str, preferred: int) -> int:
    """``preferred`` when it can be bound, otherwise a port the kernel picks."""
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As uvicorn binds: a port whose old connections linger in TIME_WAIT is still free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            port: int = probe.getsockname()[1]
            return port
    raise NodeFailed(f"no free port on {host}")


def wait_ready(node: Node, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            raise NodeFailed(f"{node.name} exited with code {node.process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(node.url + path, timeout=1) as response:  # noqa: S310 - our own node
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise NodeFailed(f"{node.name} was not ready at {node.url}{path} within {timeout:.0f}s")


@dataclass
class Supervisor:
    """Starts nodes in order and stops them in reverse order, on Ctrl-C, SIGTERM or any node's exit."""

    env: Mapping[str, str]
    grace_seconds: float = 12.0
    # Each node's output in <log_dir>/<name>.log instead of this process's own.
    log_dir: Path | None = None
    nodes: list[Node] = field(default_factory=list)

    def start(
        self, name: str, verb_args: Sequence[str], url: str, ready_path: str, timeout: float = 60
    ) -> Node:
        command = [sys.executable, "-m", "gateway.cli", *verb_args]
        # A session of its own: a terminal's Ctrl-C reaches only the supervisor, which then stops
        # the nodes one at a time in reverse order (a second SIGINT would make uvicorn abort).
        output = None if self.log_dir is None else (self.log_dir / f"{name}.log").open("ab")
        try:
            process = subprocess.Popen(  # noqa: S603
                command, env={**os.environ, **self.env}, start_new_session=True, stdout=output, stderr=output
            )
        finally:
            if output is not None:
                output.close()  # the child has its own descriptor
        node = Node(name, url, process)
        self.nodes.append(node)
        wait_ready(node, ready_path, timeout)
        return node

    def wait(self) -> int:
        """Block until a node exits (its code) or the user interrupts (0)."""
        with _sigterm_as_interrupt():
            try:
                while True:
                    for node in self.nodes:
                        code = node.process.poll()
                        if code is not None:
                            print(f"{node.name} exited with code {code}; stopping the rest", file=sys.stderr)
                            return code or 1
                    time.sleep(0.2)
            except KeyboardInterrupt:
                return 0

    def stop(self) -> None:
        """Stop the nodes one at a time, newest first: edges finish before their central store."""
        for node in reversed(self.nodes):
            if node.process.poll() is None:
                node.process.send_signal(signal.SIGINT)
            try:
                node.process.wait(timeout=self.grace_seconds)
            except subprocess.TimeoutExpired:
                print(f"{node.name} did not stop in {self.grace_seconds:.0f}s; killing it", file=sys.stderr)
                node.process.kill()
                node.process.wait()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
