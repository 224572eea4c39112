"""Group commit for one SQLite connection: the writes that arrive while a commit is on its way to
disk share the next transaction.

The statements of a group run on the event loop thread, and only the ``COMMIT`` (the fsync) runs on
a helper thread. Running the inserts on a writer thread instead was measured to be slower on a
single core: sqlite3 releases the GIL around every statement, so the writer waited on the event
loop for the GIL once per row. Here a group costs two hand-offs between threads, whatever its size,
and the event loop keeps serving requests while the disk flushes. SQLite's automatic checkpoint
runs inside ``COMMIT``, so it too stays off the event loop.

Every step between the end of a ``COMMIT`` and the writers hearing of it waits behind whatever the
event loop has queued by then, so there are as few as can be: the commit thread schedules the
group's end itself (not through ``run_in_executor``'s two futures), and writers that pass a
``settle`` callback are told in that same turn of the loop (not through a future's callbacks).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

Apply = Callable[[sqlite3.Connection], Any]

logger = logging.getLogger("gateway.outbox")


class CommitFailed(Exception):
    """The group's transaction was rolled back; ``disk_full`` tells a full disk from other errors."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        # By SQLite's result code: a message is for people ("no such column: fullname" holds "full").
        self.disk_full = getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


class CommitterClosed(RuntimeError):
    """The committer is closing or closed: the write was not taken."""


Settle = Callable[[Any], None]
"""Told a write's outcome on the event loop: its result once committed, or the :class:`CommitFailed`
that ended its group. It may submit further writes (they go into a later group, or are refused with
:class:`CommitterClosed` once closing has begun); what it raises is logged, and the rest of the
group is told regardless."""


class _Write:
    __slots__ = ("apply", "result", "settle")

    def __init__(self, apply: Apply, settle: Settle) -> None:
        self.apply = apply
        self.settle = settle
        self.result: Any = None


def settle_future(future: asyncio.Future[Any], outcome: Any) -> None:
    """Give a write's outcome to the future awaiting it (a :data:`Settle` for futures)."""
    if future.done():  # the caller went away; what it wrote stands regardless
        return
    if isinstance(outcome, CommitFailed):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class GroupCommitter:
    def __init__(
        self,
        db: sqlite3.Connection,
        loop: asyncio.AbstractEventLoop,
        on_commit: Callable[[float], None] | None = None,
    ) -> None:
        """``on_commit`` is told, on the commit thread, how many seconds each successful ``COMMIT``
        took (its fsync and any automatic checkpoint included, and the commit thread's wait for the
        GIL afterwards): the disk's share of an ack. Failed commits are not reported."""
        self._db = db
        self._loop = loop
        self._on_commit = on_commit
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-commit")
        self._queue: list[_Write] = []
        self._busy = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False
        self.commits = 0

    def submit(self, apply: Apply) -> asyncio.Future[Any]:
        """Run ``apply(db)`` in the next group; the future settles once that group has committed
        (with :class:`CommitFailed` if it did not)."""
        future: asyncio.Future[Any] = self._loop.create_future()
        self.submit_settling(apply, partial(settle_future, future))
        return future

    def submit_settling(self, apply: Apply, settle: Settle) -> None:
        """Run ``apply(db)`` in the next group; ``settle`` is called in the turn of the loop that
        ends the group, without a future's extra turn."""
        if self._closing:
            raise CommitterClosed("the group committer is closed")
        if not self._queue and not self._busy:
            # Let the rest of this turn of the loop add its writes to the same group.
            self._loop.call_soon(self._begin)
        self._queue.append(_Write(apply, settle))
        self._idle.clear()

    async def close(self) -> None:
        """Finish every submitted write, then release the commit thread; later writes are refused."""
        self._closing = True
        await self._idle.wait()
        self._executor.shutdown(wait=True)

    def _begin(self) -> None:
        if self._busy or not self._queue:
            return
        group, self._queue = self._queue, []
        self._busy = True
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for write in group:
                write.result = write.apply(self._db)
            self._executor.submit(self._commit_and_hand_back, group)
        except Exception as exc:  # any failure ends the group; the connection must not stay mid-transaction
            self._rollback()
            # Its writers hear of it now, but the next group waits for a turn of its own: one of
            # them may submit again at once, and beginning that here could fail, and recurse.
            self._finish(group, CommitFailed(exc), begin_next_now=False)

    def _commit_and_hand_back(self, group: list[_Write]) -> None:
        """On the commit thread: whatever happens, the group is handed back to be finished; only then
        is a successful commit's time reported, so that its writers never wait for the observer,
        and nothing the observer does can keep them from hearing."""
        started = time.perf_counter()
        try:
            outcome = self._commit()
        except Exception as exc:  # _commit does not raise; if it ever did, the writers must still hear
            logger.exception("the commit thread failed")
            self._rollback()  # and the next group must not meet this one's transaction
            outcome = CommitFailed(exc)
        took = time.perf_counter() - started
        try:
            self._loop.call_soon_threadsafe(self._finish, group, outcome)
        except RuntimeError:  # the event loop has closed: no one is left to tell
            logger.warning("a group committed after its event loop closed (%d writes)", len(group))
        if outcome is None and self._on_commit is not None:
            try:
                self._on_commit(took)
            except Exception:  # raised on the commit thread, whose futures no one reads: log it here
                logger.exception("observing a commit failed")

    def _commit(self) -> CommitFailed | None:
        """Never raises: the group must always be finished, or every later write would wait."""
        try:
            self._db.execute("COMMIT")
        except Exception as exc:
            self._rollback()
            return CommitFailed(exc)
        return None

    def _rollback(self) -> None:
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the transaction is already gone

    def _finish(
        self, group: list[_Write], error: CommitFailed | None, *, begin_next_now: bool = True
    ) -> None:
        for write in group:
            try:
                write.settle(write.result if error is None else error)
            except Exception:  # one writer's failure must not leave the others, or the group, unfinished
                logger.exception("settling a write failed")
        if error is None:
            self.commits += 1
        self._busy = False
        if not self._queue:
            self._idle.set()
        elif begin_next_now:
            self._begin()
        else:
            self._loop.call_soon(self._begin)
