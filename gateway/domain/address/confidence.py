"""How sure the resolver may be of a county, from how it was named and what the text around it says.

Every figure here was set against the labelled addresses in ``tests/data/addresses.jsonl`` and
``tests/data/hard_addresses.jsonl``: a county answered at 0.8 or more must never be wrong, and
``tests/unit/test_hard_addresses.py`` checks that each tenth of confidence is right that often.
"""

from __future__ import annotations

from gateway.divisions import Division
from gateway.domain.address.context import Context
from gateway.domain.address.names import (
    ABBREVIATION,
    BARE,
    CHANGED,
    FORMER,
    FULL,
    FUZZY,
    NEAR_TYPO,
    SHORT,
    TYPO,
)

__all__ = [
    "EVIDENCE",
    "after_confidence",
    "bare_confidence",
    "full_confidence",
    "fuzzy_confidence",
    "town_confirmed",
    "town_only_confidence",
    "typo_confidence",
]

# How a county was named, as the evidence a resolution reports (with "+city" or "+province").
EVIDENCE = {
    FULL: "county",
    SHORT: "county",
    TYPO: "suffix-typo",
    BARE: "suffix-less",
    FUZZY: "county-typo",
    NEAR_TYPO: "suffix-typo",
    ABBREVIATION: "suffix-less",  # a city with a single county, as 嘉市
    FORMER: "former-name",
    CHANGED: "changed-suffix",
}


def full_confidence(division: Division, names: int, context: Context) -> float:
    if context.where:
        # 南县 glued into 益阳市安南县 (a misspelt 安化县), 江达县 into 西藏金布江达县 (工布江达县).
        if context.adjacent or (len(division.county) >= 3 and context.gap > 2):
            return 0.95
        return 0.5 if len(division.county) < 3 else 0.6
    if names > 1:
        return 0.3
    # A lone two-character name (东区, 新县) is as likely a word of the street address.
    return 0.85 if len(division.county) >= 3 else 0.6


def typo_confidence(names: int, lone: bool, context: Context) -> float:
    if context.where:
        return 0.9 if context.adjacent or context.gap > 2 else 0.6
    # 稻城线 alone is 稻城县; but 昆山是 may be a sentence, and 河北曲阳 is 河北 and 曲阳.
    if names > 1:
        return 0.3
    return 0.8 if lone else 0.6


def bare_confidence(names: int, doubtful: bool, context: Context) -> float:
    if not context.where:
        return 0.6 if names == 1 else 0.3
    if not context.adjacent or doubtful:
        return 0.5
    return 0.9 if context.in_city else 0.85


def fuzzy_confidence(division: Division, names: int, form: int, context: Context) -> float:
    """A county name with one wrong character, among the counties of the place right before it."""
    if not context.adjacent or names > 1:
        return 0.4
    if form == NEAR_TYPO:
        return 0.9 if context.in_city else 0.85
    long_name = len(division.county) >= 4
    if context.in_city:
        return 0.9 if long_name else 0.85
    # Three characters with one wrong and only a province to go by: too many near misses.
    return 0.8 if long_name else 0.7


def after_confidence(confidence: float, context: Context) -> float:
    """Names after the county (渝北区… 重庆市) confirm it a little less than names before it."""
    return min(confidence, 0.9) if context.after else confidence


def town_confirmed(confidence: float, exact: bool, counties: int) -> float:
    """A county whose name was found, with one of its towns written too (义乌稠城街道).

    A town name few counties share says much; 城关镇 (in 88 counties) or a town under a suffix it
    does not have (松陵镇 for 松陵街道) says less.
    """
    if exact and counties <= 5:
        return max(confidence, 0.9)
    return max(confidence, 0.85 if counties <= 20 else 0.8)


def town_only_confidence(in_city: bool, in_province: bool, exact: bool) -> float:
    """A county named by none of its names, only by a town it alone has in the place written."""
    if in_city:
        return 0.85 if exact else 0.75
    return 0.7 if in_province else 0.5
