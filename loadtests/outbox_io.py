"""What the outbox writes and spends per order, in an outbox that already holds many orders.

    python -m loadtests.outbox_io [--stored 200000] [--orders 6000] [--group 1 --group 16]

Stores ``--stored`` orders first, forwarded (as an edge busy for days holds them until the
idempotency retention ends), then appends ``--orders`` more, ``--group`` at a time, marking them
forwarded 200 at a time as the forwarder does. Prints, per order: KB the process wrote to disk
(``/proc/self/io``: the WAL, the checkpoints' copies, the marks), CPU (the event loop and the commit
thread), orders a second, and an append's p50 and p99. The orders carry a 1.4 KB review packet (an
order with flags and coupons; the server benchmark's plain order has 755 bytes) and a 380-byte
answer, with the edge's order ids and random idempotency keys, as shoppers' clients make them.
Linux only (``/proc``); run it pinned to one core (``taskset -c 0``) and with its directory on the
disk under test (``--directory``; the system's temporary one by default, which on a tmpfs writes
nothing to disk and fsyncs for free).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import tempfile
import time
from pathlib import Path

import msgspec
import uvloop

from gateway.domain.ids import OrderIds
from gateway.outbox.store import NewOrder, Outbox

_FORWARD_EVERY = 200
_PAYLOAD = os.urandom(700).hex().encode()  # 1.4 KB: a review packet with flags and coupons
_RESPONSE = b"x" * 380  # an acknowledgement's


class PerOrder(msgspec.Struct, frozen=True):
    group: int
    kb_written: float
    cpu_us: float
    orders_per_second: float
    append_p50_ms: float
    append_p99_ms: float


async def measure(directory: Path, stored: int, orders: int, group: int) -> PerOrder:
    outbox = Outbox(directory / "outbox.sqlite3")
    outbox.open()
    ids = OrderIds()

    def new_order(number: int) -> NewOrder:
        return NewOrder(
            ids.next(),
            f"u-{number % 500:04d}",
            secrets.token_hex(16),
            "f" * 64,
            "accepted",
            _PAYLOAD,
            _RESPONSE,
        )

    try:
        for start in range(0, stored, 500):
            batch = [new_order(n) for n in range(start, min(stored, start + 500))]
            appended = await asyncio.gather(*(outbox.append(order) for order in batch))
            await outbox.mark_forwarded([a.order.seq for a in appended])
        latencies: list[float] = []
        unforwarded: list[int] = []

        async def append(number: int) -> None:
            started = time.perf_counter()
            appended = await outbox.append(new_order(number))
            latencies.append(time.perf_counter() - started)
            unforwarded.append(appended.order.seq)

        written, cpu, wall = _written_bytes(), time.process_time(), time.perf_counter()
        for start in range(0, orders, group):
            await asyncio.gather(*(append(n) for n in range(start, min(orders, start + group))))
            if len(unforwarded) >= _FORWARD_EVERY:
                await outbox.mark_forwarded(unforwarded)
                unforwarded.clear()
        written, cpu, wall = _written_bytes() - written, time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await outbox.close()
    latencies.sort()
    return PerOrder(
        group=group,
        kb_written=round(written / orders / 1024, 1),
        cpu_us=round(cpu / orders * 1e6, 1),
        orders_per_second=round(orders / wall),
        append_p50_ms=round(latencies[len(latencies) // 2] * 1000, 2),
        append_p99_ms=round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
    )


def _written_bytes() -> int:
    with open("/proc/self/io", encoding="ascii") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("write_bytes:"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stored", type=int, default=200_000, help="forwarded orders stored first")
    parser.add_argument("--orders", type=int, default=6000, help="orders appended and measured")
    parser.add_argument("--group", type=int, action="append", help="orders appended at a time (repeatable)")
    parser.add_argument("--directory", type=Path, help="where the outbox goes (on the disk under test)")
    args = parser.parse_args()
    if args.orders < 1 or args.stored < 0:
        parser.error("--orders must be at least 1 and --stored at least 0")
    for group in args.group or [1, 16]:
        if group < 1:
            parser.error("--group must be at least 1")
        with tempfile.TemporaryDirectory(prefix="outbox-io-", dir=args.directory) as directory:
            result = uvloop.run(measure(Path(directory), args.stored, args.orders, group))
        print(
            f"{group:3d} at a time: {result.kb_written:5.1f} KB written, {result.cpu_us:5.1f} µs CPU;"
            f" {result.orders_per_second:6d} orders/s; append p50 {result.append_p50_ms:.2f} ms,"
            f" p99 {result.append_p99_ms:.2f} ms"
        )


if __name__ == "__main__":
    main()
