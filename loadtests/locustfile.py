"""Storefront browsing against an edge node: sessions, then item reads with ETag revalidation.

    locust -f loadtests/locustfile.py --host http://127.0.0.1:8801 --headless -u 50 -r 10 -t 30s

Users and items follow the demo data's names (``u-0000``…, ``sku-00000``…); set ``EDGE_LOAD_SKUS``
to the number of items to spread reads over (default 2,000, a realistic hot set).
"""

from __future__ import annotations

import os
import random

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

HOT_SKUS = int(os.environ.get("EDGE_LOAD_SKUS", "2000"))


class Shopper(FastHttpUser):
    wait_time = between(0.5, 3)

    def on_start(self) -> None:
        self.etags: dict[str, str] = {}
        self.auth: dict[str, str] = {}
        user = f"u-{random.randrange(1000):04d}"
        with self.client.post("/v1/sessions", json={"user_id": user}, catch_response=True) as response:
            if response.status_code not in (200, 201):
                response.failure(f"session: {response.status_code}")
                return
            self.auth = {"authorization": f"Bearer {response.json()['token']}"}

    @task(5)
    def browse_item(self) -> None:
        sku = f"sku-{min(int(random.paretovariate(1.2)) - 1, HOT_SKUS - 1):05d}"
        headers = {**self.auth, **({"if-none-match": self.etags[sku]} if sku in self.etags else {})}
        with self.client.get(
            f"/v1/catalog/items/{sku}", headers=headers, name="/v1/catalog/items/[sku]", catch_response=True
        ) as response:
            if response.status_code == 200:
                self.etags[sku] = response.headers["etag"]
            elif response.status_code != 304:
                response.failure(f"item {sku}: {response.status_code}")

    @task(1)
    def health(self) -> None:
        self.client.get("/healthz")
