"""Storage behind the central store: an interface, and an embedded SQLite implementation.

Callers depend on :class:`CentralStorage` only, so a PostgreSQL implementation can take over by
configuration without touching routes or the seeder.
"""

from gateway.central.storage.base import CentralStorage, SeedData
from gateway.central.storage.sqlite import SqliteStorage

__all__ = ["CentralStorage", "SeedData", "SqliteStorage"]
