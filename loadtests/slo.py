"""The SLO gate: when a Locust run ends, fail it (exit code 1) if a route missed its budget.

Budgets are the product's (DESIGN.md): acknowledgement 300 ms, order page 500 ms, anything else
3 s, checked at p95 and at p99, and failures at most 0.1% of requests. Each can be changed on the
command line (``--slo-ack-ms`` …) or in ``[tool.locust]``.
"""

from __future__ import annotations

import logging
from typing import Any

from locust import events
from locust.env import Environment

logger = logging.getLogger("slo")
ORDER_PAGE, ACK = "/v1/order-page", "/v1/orders"


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--slo-ack-ms", type=float, default=300, help="budget for order acknowledgements")
    parser.add_argument("--slo-order-page-ms", type=float, default=500, help="budget for order pages")
    parser.add_argument("--slo-default-ms", type=float, default=3000, help="budget for every other request")
    parser.add_argument(
        "--slo-max-failure-ratio", type=float, default=0.001, help="largest share of failures"
    )


def violations(environment: Environment) -> list[str]:
    options = environment.parsed_options
    budgets = {ACK: options.slo_ack_ms, ORDER_PAGE: options.slo_order_page_ms}
    found = []
    for entry in environment.stats.entries.values():
        if not entry.num_requests:
            continue
        budget = budgets.get(entry.name, options.slo_default_ms)
        for percentile in (0.95, 0.99):
            observed = entry.get_response_time_percentile(percentile)
            if observed > budget:
                label = f"{entry.method} {entry.name}: p{round(percentile * 100)}"
                found.append(f"{label} {observed:.0f} ms > {budget:.0f} ms")
    ratio = environment.stats.total.fail_ratio
    if ratio > options.slo_max_failure_ratio:
        found.append(f"failures {ratio:.2%} > {options.slo_max_failure_ratio:.2%}")
    return found


@events.quitting.add_listener
def _gate(environment: Environment, **_: Any) -> None:
    missed = violations(environment)
    for line in missed:
        logger.error("SLO missed: %s", line)
    if missed:
        environment.process_exit_code = 1
    else:
        logger.info("SLO met: every route within its budget at p95 and p99")
