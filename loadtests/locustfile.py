"""Storefront load for an edge node: shoppers who browse, open the order page and order.

Two kinds of user (FastHttpUser), selectable by tag:
- ``Shopper`` (tags ``journey``): session → browsing signals → order page → order with an
  Idempotency-Key, at a city shopper's pace;
- ``WeakNetworkShopper`` (tags ``weak``): long think times, ``Save-Data: on``, timeouts tight as a
  weak phone's, and every failed order retried with the same key, as a storefront must.

The SLO gate (``slo.py``) fails the run when a route misses its budget. Add one shape from
``shapes/`` to ``-f`` to follow a load shape, for example:

    locust -f loadtests/locustfile.py,loadtests/shapes/flash_sale.py --headless \\
        --host http://127.0.0.1:8801 --csv var/locust/flash --html var/locust/flash.html

Defaults (host, users, run time…) are in ``[tool.locust]`` of pyproject.toml. Shoppers are the
demo users (``u-0000``…) and items (``sku-00000``…, hot set ``LOAD_SKUS``, default 2,000).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from typing import Any

from locust import between, tag, task
from locust.contrib.fasthttp import FastHttpUser

import loadtests.slo  # noqa: F401 - registers the SLO gate

HOT_SKUS = int(os.environ.get("LOAD_SKUS", "2000"))
USERS = int(os.environ.get("LOAD_USERS", "1000"))


class StorefrontUser(FastHttpUser):
    abstract = True
    wait_time = between(1, 4)
    save_data = False
    retries = 0

    def on_start(self) -> None:
        self.user_id = f"u-{random.randrange(USERS):04d}"
        self.auth: dict[str, str] = {}
        self.specs: dict[str, list[str]] = {}
        with self.client.post(
            "/v1/sessions", json={"user_id": self.user_id}, catch_response=True
        ) as response:
            if response.status_code in (200, 201):
                self.auth = {"authorization": f"Bearer {response.json()['token']}"}
            else:
                response.failure(f"session: {response.status_code}")

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {**self.auth, **extra}
        if self.save_data:
            headers["save-data"] = "on"
        return headers

    def pick_item(self) -> str:
        return f"sku-{min(int(random.paretovariate(1.1)) - 1, HOT_SKUS - 1):05d}"

    def item_specs(self, sku: str) -> list[str]:
        if sku not in self.specs:
            with self.client.get(
                f"/v1/catalog/items/{sku}", name="/v1/catalog/items/[sku]", catch_response=True
            ) as r:
                if r.status_code != 200:
                    r.failure(f"item {sku}: {r.status_code}")
                    return []
                self.specs[sku] = r.json()["specs"]
        return self.specs[sku]

    def signal(self, *events: dict[str, Any]) -> None:
        with self.client.post(
            "/v1/signals", json={"events": list(events)}, headers=self.headers(), catch_response=True
        ) as response:
            if response.status_code != 202:
                response.failure(f"signals: {response.status_code}")

    def browse_and_order(self) -> None:
        sku = self.pick_item()
        specs = self.item_specs(sku)
        if not specs:
            return
        spec = random.choice(specs)
        now = time.time()
        self.signal({"t": now, "type": "view", "sku": sku})
        self.signal({"t": now + 1, "type": "spec", "sku": sku, "spec": spec})
        time.sleep(random.uniform(0.3, 1.5))  # a shopper reads the spec before tapping "buy"
        with self.client.get(
            "/v1/order-page",
            params={"sku": sku, "spec": spec, "qty": 1},
            headers=self.headers(**{"accept-encoding": "br, gzip"}),
            name="/v1/order-page",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"order page: {response.status_code}")
                return
        if random.random() < 0.5:  # half the shoppers who open the page order
            self.order(sku, spec)

    def order(self, sku: str, spec: str) -> None:
        body = {
            "sku": sku,
            "spec": spec,
            "qty": 1,
            "payment_method": "alipay",
            "address_id": f"a-{self.user_id[2:]}-0",
        }
        key = str(uuid.uuid4())
        for attempt in range(1 + self.retries):
            with self.client.post(
                "/v1/orders", json=body, headers=self.headers(**{"idempotency-key": key}), catch_response=True
            ) as response:
                if response.status_code == 202:
                    return
                if response.status_code == 422:  # a demo user without that saved address: not a failure
                    response.success()
                    return
                if attempt < self.retries:
                    response.success()  # retried with the same key; only the last attempt counts
                    time.sleep(1 + attempt)
                    continue
                response.failure(f"order: {response.status_code}")


class Shopper(StorefrontUser):
    @tag("journey")
    @task
    def journey(self) -> None:
        self.browse_and_order()


class WeakNetworkShopper(StorefrontUser):
    wait_time = between(5, 20)
    save_data = True
    retries = 3
    network_timeout = 10.0
    connection_timeout = 5.0

    @tag("weak")
    @task
    def journey(self) -> None:
        self.browse_and_order()
