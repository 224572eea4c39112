"""Storage behind the central store: an interface, and an embedded SQLite implementation.

Callers depend on :class:`CentralStorage` only, so a PostgreSQL implementation can take over by
configuration without touching routes or the seeder.
"""

from gateway.central.storage.base import (
    CentralStorage,
    IngestOrder,
    IngestResult,
    ReviewItem,
    StoredOrderRow,
)
from gateway.central.storage.sqlite import SqliteStorage
from gateway.seed import SeedData

__all__ = [
    "CentralStorage",
    "IngestOrder",
    "IngestResult",
    "ReviewItem",
    "SeedData",
    "SqliteStorage",
    "StoredOrderRow",
]
