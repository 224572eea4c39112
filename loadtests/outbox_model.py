"""A model of the acknowledgement's commit wait: the outbox alone, no HTTP, at a steady rate.

    python -m loadtests.outbox_model [--rate 2500] [--seconds 8] [--work-us 180] [--switch-interval S]

Orders arrive as a Poisson stream; each first keeps the event loop busy for ``--work-us`` (the
CPU an edge spends on an order besides its commit), then appends to an ``Outbox`` (WAL,
``synchronous=FULL``) while a forwarder-like task marks batches forwarded every 50 ms. Prints the
append latency and where each group's time went, in ms: from the group's first write until its
statements run, ``wait_for_loop_turn`` when the committer was idle (the rest of the loop's turn,
other orders' work included) or ``wait_for_group_ahead`` when a group was committing; then
``statements`` (on the loop), ``to_thread`` (until the commit thread starts the ``COMMIT``),
``commit`` (the ``COMMIT`` call, fsync and any automatic checkpoint included), ``back_to_loop`` and
``resume`` (from the group's end to its appends going on). Run it pinned to one core (``taskset -c
0``), as the server benchmark runs a node.

It times the group committer by wrapping its methods, so it knows their names; it is a probe for
studying the tail, not part of the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvloop
from hdrh.histogram import HdrHistogram

from gateway.outbox.group_commit import Apply, GroupCommitter, Settle
from gateway.outbox.store import NewOrder, Outbox

STAGES = (
    "append",
    "wait_for_loop_turn",
    "wait_for_group_ahead",
    "statements",
    "to_thread",
    "commit",
    "back_to_loop",
    "resume",
)


class _Timings:
    def __init__(self) -> None:
        self.histograms = {stage: HdrHistogram(1, 60_000_000, 3) for stage in STAGES}
        self.marks: dict[str, float] = {}
        self.first_write: tuple[float, bool] | None = None  # when the next group began, and if one was ahead

    def record(self, stage: str, since: float, until: float) -> None:
        self.histograms[stage].record_value(max(1, int((until - since) * 1e6)))

    def mark(self, name: str) -> float:
        self.marks[name] = now = time.perf_counter()
        return now


@contextmanager
def _instrumented(timings: _Timings) -> Iterator[None]:
    """The group committer's methods timed for as long as this lasts, then put back.

    Every mark a stage starts from is set before the step that hands the group on, so the other
    thread never reads the mark of the group before.
    """
    submit, begin, commit, finish = (
        GroupCommitter.submit_settling,
        GroupCommitter._begin,
        GroupCommitter._commit,
        GroupCommitter._finish,
    )

    def timed_submit(self: GroupCommitter, apply: Apply, settle: Settle) -> None:
        if not self._queue:  # the first write of the next group
            timings.first_write = (time.perf_counter(), self._busy)

        def apply_and_mark(db: sqlite3.Connection) -> Any:
            result = apply(db)
            timings.mark("statements_done")  # the last one marks the hand-off to the commit thread
            return result

        submit(self, apply_and_mark, settle)

    def timed_begin(self: GroupCommitter) -> None:
        if not self._busy and self._queue and timings.first_write is not None:
            started = timings.mark("begun")
            first_write, group_ahead = timings.first_write
            timings.first_write = None
            timings.record(
                "wait_for_group_ahead" if group_ahead else "wait_for_loop_turn", first_write, started
            )
        begin(self)

    def timed_commit(self: GroupCommitter) -> Any:
        started = time.perf_counter()
        handed_on = timings.marks.get("statements_done", started)
        timings.record("statements", timings.marks.get("begun", handed_on), handed_on)
        timings.record("to_thread", handed_on, started)
        outcome = commit(self)
        timings.record("commit", started, timings.mark("committed"))
        return outcome

    def timed_finish(self: GroupCommitter, group: Any, error: Any, **options: Any) -> None:
        committed = timings.marks.pop("committed", None)  # None: the statements failed, no commit
        if committed is not None:
            timings.record("back_to_loop", committed, time.perf_counter())
        timings.mark("finished")
        finish(self, group, error, **options)

    GroupCommitter.submit_settling = timed_submit  # type: ignore[method-assign]
    GroupCommitter._begin = timed_begin  # type: ignore[method-assign]
    GroupCommitter._commit = timed_commit  # type: ignore[method-assign]
    GroupCommitter._finish = timed_finish  # type: ignore[method-assign]
    try:
        yield
    finally:
        GroupCommitter.submit_settling = submit  # type: ignore[method-assign]
        GroupCommitter._begin = begin  # type: ignore[method-assign]
        GroupCommitter._commit = commit  # type: ignore[method-assign]
        GroupCommitter._finish = finish  # type: ignore[method-assign]


async def run(rate: float, seconds: float, work_us: float, directory: Path) -> dict[str, dict[str, float]]:
    """Each stage's count and p50, p90, p99 and max in ms."""
    timings = _Timings()
    with _instrumented(timings):
        await _orders(timings, rate, seconds, work_us, directory)
    return {
        stage: {
            "count": histogram.get_total_count(),
            "p50": histogram.get_value_at_percentile(50) / 1000,
            "p90": histogram.get_value_at_percentile(90) / 1000,
            "p99": histogram.get_value_at_percentile(99) / 1000,
            "max": histogram.get_max_value() / 1000,
        }
        for stage, histogram in timings.histograms.items()
    }


async def _orders(timings: _Timings, rate: float, seconds: float, work_us: float, directory: Path) -> None:
    outbox = Outbox(directory / "outbox.sqlite3")
    outbox.open()
    payload = os.urandom(650).hex().encode()  # a review packet's size
    work = work_us / 1e6

    async def order(number: int) -> None:
        busy_until = time.perf_counter() + work
        while time.perf_counter() < busy_until:
            pass
        started = time.perf_counter()
        await outbox.append(
            NewOrder(f"o-{number}", "u-1", f"k-{number}", "f" * 64, "accepted", payload, payload[:370])
        )
        now = time.perf_counter()
        timings.record("append", started, now)
        timings.record("resume", timings.marks.get("finished", now), now)

    async def forward() -> None:
        while True:
            await asyncio.sleep(0.05)
            if batch := await outbox.pending(200):
                await outbox.mark_forwarded([queued.seq for queued in batch])

    forwarder = asyncio.create_task(forward())
    pending: set[asyncio.Task[None]] = set()
    try:
        await _arrivals(order, rate, seconds, pending)
        await asyncio.gather(*pending)
    finally:
        for task in (forwarder, *pending):
            task.cancel()
        await asyncio.gather(forwarder, *pending, return_exceptions=True)
        await outbox.close()


async def _arrivals(
    order: Callable[[int], Awaitable[None]], rate: float, seconds: float, pending: set[asyncio.Task[None]]
) -> None:
    """A Poisson stream of orders, the same one every run."""
    rng = random.Random(1)
    start = next_arrival = time.perf_counter()
    number = 0
    while next_arrival - start < seconds:
        next_arrival += rng.expovariate(rate)
        if (delay := next_arrival - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(order(number))
        pending.add(task)
        task.add_done_callback(pending.discard)
        number += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=2500.0, help="orders a second")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--work-us", type=float, default=180.0, help="loop CPU per order besides the commit")
    parser.add_argument("--switch-interval", type=float, help="sys.setswitchinterval, in seconds")
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    with tempfile.TemporaryDirectory(prefix="outbox-model-") as directory:
        results = uvloop.run(run(args.rate, args.seconds, args.work_us, Path(directory)))
    print(f"rate {args.rate:.0f}/s, {args.work_us:.0f} µs of loop work an order; ms:")
    for stage, figures in results.items():
        count = int(figures.pop("count"))
        print(
            f"  {stage:21s} " + "  ".join(f"{name} {value:6.2f}" for name, value in figures.items()),
            f" n {count}",
        )


if __name__ == "__main__":
    main()
