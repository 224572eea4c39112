"""What the rest of the text says about one division a county name may stand for.

Addresses run province, city, county; so a place named before the county that the division lies
in confirms it, and one it does not lie in contradicts it. Written the other way round
(渝北区龙溪街道… 重庆市), the places after the county confirm it, when none before does.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.divisions import Division
from gateway.domain.address.mentions import Mention, overlaps
from gateway.domain.address.names import CITY, PROVINCE

__all__ = ["Context", "context_of"]


@dataclass(frozen=True, slots=True)
class Context:
    in_province: bool
    in_city: bool
    # Characters between the nearest confirming name and the county's (0: adjacent; -1: none).
    gap: int
    contradicted: bool
    after: bool = False  # confirmed only by names after the county's

    @property
    def adjacent(self) -> bool:
        return self.gap == 0

    @property
    def where(self) -> str:
        return "+city" if self.in_city else ("+province" if self.in_province else "")


def context_of(division: Division, mention: Mention, shared_suffix: bool, mentions: list[Mention]) -> Context:
    """Which names confirm the division, and whether one contradicts it.

    A full county name may share the 市 of the city before it (济南市中区); a suffix-less one not.
    A name overlapping a confirming one is no contradiction (江西 in 浙江西湖区).
    """
    in_province = in_city = False
    nearest = -1
    supports: list[Mention] = []
    others: list[Mention] = []
    later: list[Mention] = []
    for other in mentions:
        if not other.place:
            continue
        if other.start >= mention.start:
            if other.start >= mention.end:
                later.append(other)
            continue
        if other.end > mention.start and not (
            shared_suffix and other.shares_suffix and other.end == mention.start + 1
        ):
            continue  # overlaps the county's own name
        province, city = _confirms(other, division)
        if province or city:
            supports.append(other)
            in_province = in_province or province
            in_city = in_city or city
            nearest = max(nearest, min(other.end, mention.start))
        elif other.firm_place:
            others.append(other)
    contradicted = bool(others) and any(not any(overlaps(o, s) for s in supports) for o in others)
    if supports or contradicted or not later:
        gap = mention.start - nearest if nearest >= 0 else -1
        return Context(in_province, in_city, gap, contradicted)
    return _context_after(division, mention, later)


def _context_after(division: Division, mention: Mention, later: list[Mention]) -> Context:
    """Confirmed when the nearest firm place after the county confirms it (鼓楼区 南京市 江苏省);
    contradicted when it does not but a later one does (for 徐州's 鼓楼区: 南京市, then 江苏省).
    A place after the county that confirms nothing says nothing: streets are named 中山, 北京."""
    in_province = in_city = False
    gap = -1
    nearest_confirms: bool | None = None
    for other in later:
        province, city = _confirms(other, division)
        if province or city:
            in_province = in_province or province
            in_city = in_city or city
            distance = other.start - mention.end
            gap = distance if gap < 0 else min(gap, distance)
        if nearest_confirms is None and (province or city or other.firm_place):
            nearest_confirms = province or city
    if not (in_province or in_city):
        return Context(False, False, -1, False)
    if not nearest_confirms:
        return Context(False, False, -1, True)
    return Context(in_province, in_city, gap, False, after=True)


def _confirms(place: Mention, division: Division) -> tuple[bool, bool]:
    province = city = False
    for reading in place.readings:
        if reading.kind == PROVINCE:
            province = province or reading.key == division.province
        elif reading.kind == CITY:
            city = city or reading.key == division.city
    return province, city
