"""Cache entries signed in the shared store, so that whoever can write to Redis cannot run code here.

The Redis tier keeps pickles (envelopes holding items, address books, coupons, resolutions), and
unpickling runs whatever the bytes ask for. So each entry carries an HMAC-SHA256, under a key
derived from ``GATEWAY_SECRET``, of the store's namespace (region, cache, format) and the pickle,
checked before anything is unpickled: an entry that fails is logged and reads as a miss, and the
origin fills it again. An entry copied from another region or cache fails the check; one copied to
another key of the same namespace passes it, but its envelope names the key it was written for and
the cache refuses it (``EdgeCache._written_under``). Written here because aiocache's serializers
do not sign, and a typed codec (msgpack) would need every cached type registered in it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
from typing import Any

from aiocache.serializers import BaseSerializer

logger = logging.getLogger(__name__)

_DIGEST_BYTES = hashlib.sha256().digest_size


class SignedPickleSerializer(BaseSerializer):  # type: ignore[misc]  # aiocache is untyped
    DEFAULT_ENCODING = None  # bytes in, bytes out

    def __init__(self, key: bytes, namespace: str) -> None:
        super().__init__()
        self._mac = hmac.new(key, namespace.encode() + b"\0", digestmod=hashlib.sha256)

    def dumps(self, value: Any) -> bytes:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return self._digest(data) + data

    def loads(self, value: bytes | None) -> Any:
        if value is None:  # no such key
            return None
        digest, data = value[:_DIGEST_BYTES], value[_DIGEST_BYTES:]
        if not hmac.compare_digest(digest, self._digest(data)):
            logger.warning("a cache entry failed its signature check (written by something else); ignored")
            return None
        return pickle.loads(data)  # noqa: S301 - signed by an edge, checked above

    def _digest(self, data: bytes) -> bytes:
        mac = self._mac.copy()
        mac.update(data)
        return mac.digest()
