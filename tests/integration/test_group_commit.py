"""Group commit on a real SQLite file: shared commits, per-writer outcomes, failures that end a group."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.outbox.group_commit import CommitFailed, GroupCommitter


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
    await running.close()


def _insert(n: int) -> Any:
    return lambda db: db.execute("INSERT INTO rows VALUES (?)", (n,)).lastrowid


def _rows(db: sqlite3.Connection) -> list[int]:
    return [n for (n,) in db.execute("SELECT n FROM rows ORDER BY n")]


async def test_writes_of_one_turn_share_a_commit_and_each_hears_its_own_result(
    committer: GroupCommitter, db: sqlite3.Connection
) -> None:
    heard: list[Any] = []
    committer.submit_settling(_insert(1), heard.append)
    second = committer.submit(_insert(2))
    committer.submit_settling(_insert(3), heard.append)
    assert await second == 2
    assert heard == [1, 3]
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
    committer: GroupCommitter, db: sqlite3.Connection
) -> None:
    left = committer.submit(_insert(1))
    left.cancel()
    assert await committer.submit(_insert(2)) == 2
    assert _rows(db) == [1, 2]
