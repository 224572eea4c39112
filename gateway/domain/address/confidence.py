"""How sure the resolver may be of a county, from how it was named and what the text around it says.

Every figure here was set against the labelled addresses in ``tests/data/addresses.jsonl``: a
county answered at 0.8 or more must almost never be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.divisions import Division
from gateway.domain.address.names import BARE, FULL, FUZZY, NEAR_TYPO, SHORT, TYPO

# How a county was named, as the evidence a resolution reports (with "+city" or "+province").
EVIDENCE = {
    FULL: "county",
    SHORT: "county",
    TYPO: "suffix-typo",
    BARE: "suffix-less",
    FUZZY: "county-typo",
    NEAR_TYPO: "suffix-typo",
}


@dataclass(frozen=True, slots=True)
class Context:
    """What the text before a county's name says about one division it may be."""

    in_province: bool
    in_city: bool
    gap: int  # characters between the nearest confirming name and the county's (0: adjacent; -1: none)
    contradicted: bool

    @property
    def adjacent(self) -> bool:
        return self.gap == 0

    @property
    def where(self) -> str:
        return "+city" if self.in_city else ("+province" if self.in_province else "")


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
