"""The environment of an edge that a load generator drives: demo shoppers can sign in, and the rate
budgets sit above what one generator sends (the budgets themselves are measured in their own test)."""

from __future__ import annotations

from gateway.settings import lifted_rate_budgets

LOAD_ENV = {"GATEWAY_DEMO_LOGIN": "1", **lifted_rate_budgets()}
