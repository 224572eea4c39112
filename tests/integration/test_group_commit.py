"""Group commit on a real SQLite file: shared commits, per-writer outcomes, failures that end a group."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.outbox.group_commit import CommitFailed, CommitterClosed, GroupCommitter


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "group.sqlite3", isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE rows (n INTEGER PRIMARY KEY)")
    yield connection
    connection.close()


@pytest.fixture
async def committer(db: sqlite3.Connection) -> AsyncIterator[GroupCommitter]:
    running = GroupCommitter(db, asyncio.get_running_loop())
    yield running
    async with asyncio.timeout(5):  # a wedged committer fails the test instead of hanging the suite
        await running.close()


def _insert(n: int) -> Any:
    return lambda db: db.execute("INSERT INTO rows VALUES (?)", (n,)).lastrowid


def _rows(db: sqlite3.Connection) -> list[int]:
    return [n for (n,) in db.execute("SELECT n FROM rows ORDER BY n")]


async def test_writes_of_one_turn_share_a_commit_and_each_hears_its_own_result(
    committer: GroupCommitter, db: sqlite3.Connection
) -> None:
    heard: list[Any] = []
    told_while_group_ending: list[bool] = []

    def hear(outcome: Any) -> None:
        told_while_group_ending.append(committer._busy)  # before the next group may begin
        heard.append(outcome)

    committer.submit_settling(_insert(1), hear)
    second = committer.submit(_insert(2))
    committer.submit_settling(_insert(3), hear)
    assert await second == 2
    assert heard == [1, 3]
    assert told_while_group_ending == [True, True]
    assert committer.commits == 1
    assert _rows(db) == [1, 2, 3]


async def test_a_failing_statement_fails_its_whole_group_and_the_next_group_commits(
    committer: GroupCommitter, db: sqlite3.Connection
) -> None:
    heard: list[Any] = []
    committer.submit_settling(_insert(1), heard.append)
    duplicate = committer.submit(_insert(1))  # the primary key refuses it: the group rolls back
    with pytest.raises(CommitFailed):
        await duplicate
    assert len(heard) == 1
    assert isinstance(heard[0], CommitFailed)
    assert not db.in_transaction
    assert await committer.submit(_insert(2)) == 2
    assert _rows(db) == [2]


async def test_a_writer_whose_settle_raises_keeps_neither_its_group_nor_later_ones_from_finishing(
    committer: GroupCommitter, db: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(_: Any) -> None:
        raise RuntimeError("a writer's bookkeeping failed")

    committer.submit_settling(_insert(1), refuse)
    neighbour = committer.submit(_insert(2))
    with caplog.at_level(logging.ERROR, logger="gateway.outbox"):
        async with asyncio.timeout(2):  # without the guard, the neighbour would wait forever
            assert await neighbour == 2
    assert "settling a write failed" in caplog.text
    async with asyncio.timeout(2):
        assert await committer.submit(_insert(3)) == 3
    assert _rows(db) == [1, 2, 3]


async def test_a_caller_that_left_does_not_undo_its_write(
    committer: GroupCommitter, db: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    left = committer.submit(_insert(1))
    left.cancel()
    with caplog.at_level(logging.ERROR, logger="gateway.outbox"):
        assert await committer.submit(_insert(2)) == 2
    assert _rows(db) == [1, 2]
    assert caplog.text == ""  # its settling found the future cancelled and let it be


async def test_a_commit_that_fails_on_the_commit_thread_fails_its_group(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA foreign_keys = ON")
    # Checked at COMMIT: the statements pass, and the commit thread's COMMIT fails.
    db.execute("CREATE TABLE child (parent INTEGER REFERENCES rows (n) DEFERRABLE INITIALLY DEFERRED)")
    committer = GroupCommitter(db, asyncio.get_running_loop())
    try:
        orphan = committer.submit(lambda db: db.execute("INSERT INTO child VALUES (42)").lastrowid)
        neighbour = committer.submit(_insert(1))
        for write in (orphan, neighbour):
            with pytest.raises(CommitFailed, match="FOREIGN KEY"):
                await write
        assert not db.in_transaction
        assert await committer.submit(_insert(2)) == 2
        assert _rows(db) == [2]
    finally:
        async with asyncio.timeout(5):
            await committer.close()


async def test_a_commit_thread_that_raises_still_hands_its_group_back(
    committer: GroupCommitter,
    db: sqlite3.Connection,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_commit() -> None:
        raise RuntimeError("a bug in the commit path")

    monkeypatch.setattr(committer, "_commit", broken_commit)
    first, second = committer.submit(_insert(1)), committer.submit(_insert(2))
    with caplog.at_level(logging.ERROR, logger="gateway.outbox"):
        async with asyncio.timeout(5):
            for write in (first, second):
                with pytest.raises(CommitFailed, match="a bug in the commit path"):
                    await write
    assert "the commit thread failed" in caplog.text
    assert not db.in_transaction
    monkeypatch.undo()
    assert await committer.submit(_insert(3)) == 3
    assert _rows(db) == [3]


async def test_writers_that_resubmit_after_failures_do_not_wedge_the_committer(
    committer: GroupCommitter, db: sqlite3.Connection
) -> None:
    """A writer may try again as soon as it hears of a failure, over and over; the committer must
    neither recurse on it nor stop."""
    attempts = 0
    done: asyncio.Future[asyncio.Future[Any]] = asyncio.get_running_loop().create_future()

    def retry(outcome: Any) -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 2_000:  # past Python's recursion limit, were each retry begun inside the last
            committer.submit_settling(_insert(1), retry)
        else:
            done.set_result(committer.submit(_insert(2)))

    await committer.submit(_insert(1))
    committer.submit_settling(_insert(1), retry)  # the primary key refuses it, every time
    async with asyncio.timeout(10):
        assert await (await done) == 2
    assert attempts == 2_000
    assert _rows(db) == [1, 2]


async def test_writes_are_refused_once_closing_began(db: sqlite3.Connection) -> None:
    committer = GroupCommitter(db, asyncio.get_running_loop())
    pending = committer.submit(_insert(1))
    closing = asyncio.ensure_future(committer.close())
    await asyncio.sleep(0)
    with pytest.raises(CommitterClosed):
        committer.submit(_insert(2))
    async with asyncio.timeout(5):
        await closing
    assert await pending == 1
    assert _rows(db) == [1]


async def test_each_committed_group_reports_how_long_its_commit_took(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("CREATE TABLE child (parent INTEGER REFERENCES rows (n) DEFERRABLE INITIALLY DEFERRED)")
    took: list[tuple[float, str]] = []
    committer = GroupCommitter(
        db, asyncio.get_running_loop(), on_commit=lambda s: took.append((s, threading.current_thread().name))
    )
    try:
        async with asyncio.timeout(5):
            await asyncio.gather(committer.submit(_insert(1)), committer.submit(_insert(2)))
            await committer.submit(_insert(3))
            orphan = committer.submit(lambda db: db.execute("INSERT INTO child VALUES (42)").lastrowid)
            with pytest.raises(CommitFailed, match="FOREIGN KEY"):
                await orphan  # its COMMIT failed: nothing is reported for it
    finally:
        await committer.close()  # waits for the commit thread, which reports after handing back
    assert len(took) == 2
    assert all(seconds > 0 and thread.startswith("outbox-commit") for seconds, thread in took)


@pytest.mark.parametrize("failure", [ValueError("observer broke"), asyncio.CancelledError()])
async def test_an_observer_that_raises_does_not_fail_or_wedge_the_groups(
    db: sqlite3.Connection, failure: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_: float) -> None:
        raise failure

    committer = GroupCommitter(db, asyncio.get_running_loop(), on_commit=broken)
    try:
        async with asyncio.timeout(5):
            assert await committer.submit(_insert(1)) == 1
            assert await committer.submit(_insert(2)) == 2
    finally:
        async with asyncio.timeout(5):
            await committer.close()
    assert _rows(db) == [1, 2]
    if isinstance(failure, Exception):
        assert "observing a commit failed" in caplog.text
