"""Resolve a free-text Chinese address to a county-level division.

The text is normalized (full-width to half-width, whitespace and punctuation dropped), then every
known name is found in one left-to-right pass over a dictionary indexed by its first two characters:
provinces, cities and counties under their full names, their short forms (广西, 内蒙, 深圳, 恩施州,
白沙县, the suffix-less 南山) and their suffix typos (南山去, 沛线, 昆山是, 江苏生).

Each county a name can mean becomes a candidate, scored by what the text around it confirms: a
province or city mentioned before it that it lies in raises the score, one it does not lie in sinks
it. Weak readings only count when confirmed: a suffix-less county name must directly follow its
city or province (深圳南山, never the 南山 of a street name), and a county name with one wrong
character (南三区) is only looked for right after a city or province, among that city's (or
province's) counties. An answer is given with high confidence (>= 0.8) only when one division
explains the text better than every other; otherwise the caller gets ranked candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.divisions import Division
from gateway.domain.address.confidence import (
    EVIDENCE,
    Context,
    bare_confidence,
    full_confidence,
    fuzzy_confidence,
    typo_confidence,
)
from gateway.domain.address.index import (
    Entry,
    Meanings,
    Reading,
    holes,
    near_names,
    readings_by_name,
)
from gateway.domain.address.names import (
    BARE,
    CITY,
    COUNTY,
    COUNTY_ENDINGS,
    FULL,
    FUZZY,
    NAME_GOES_ON,
    NEAR_TYPO,
    NOT_AFTER_SHORT,
    NOT_AFTER_SHORT_PAIRS,
    PROVINCE,
    SHORT,
    TYPO,
    county_short_names,
    normalize,
)

__all__ = ["CERTAIN", "AddressResolver", "Resolution"]

CERTAIN = 0.8


@dataclass(frozen=True, slots=True)
class Resolution:
    division: Division | None
    confidence: float
    candidates: tuple[Division, ...] = ()
    detail: str = ""
    # How the answer (or the best candidate) was found, for logs and review: e.g. "county+city",
    # "county-typo+city", "suffix-less+province", "ambiguous", "contradicted".
    evidence: str = ""

    @property
    def certain(self) -> bool:
        return self.division is not None and self.confidence >= CERTAIN


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    readings: tuple[Reading, ...]
    # Full province or city name ending in 省/市: 济南市中区 shares that 市 with 市中区.
    shares_suffix: bool = False
    place: bool = False  # it can name a province or a city
    hides: bool = True
    # A county name starting inside a province or city name that nothing else accounts for:
    # 西城区 in 山西城区 (which is 山西 and 城区). It is no county, and hides no shorter name.
    cut: bool = False


@dataclass(slots=True)
class _Score:
    confidence: float
    mention: _Mention
    evidence: str


class AddressResolver:
    def __init__(self, divisions: Iterable[Division]) -> None:
        by_province: dict[str, list[Division]] = defaultdict(list)
        by_city: dict[str, list[Division]] = defaultdict(list)
        by_county: dict[str, list[Division]] = defaultdict(list)
        for division in divisions:
            by_province[division.province].append(division)
            by_city[division.city].append(division)
            by_county[division.county].append(division)
        self._by_county = {name: tuple(found) for name, found in by_county.items()}
        readings = readings_by_name(by_province, by_city, by_county)
        self._names: dict[str, Entry] = {}
        lengths: dict[str, set[int]] = defaultdict(set)  # by the first two characters
        for name, found in readings.items():
            self._names[name] = (
                Meanings.of(found),
                Meanings.of(r for r in found if not _is_short(r)),
                Meanings.of(r for r in found if not (r.kind == COUNTY and r.form == BARE)),
            )
            lengths[name[:2]].add(len(name))
        self._lengths = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}
        self._near = {**near_names(by_province), **near_names(by_city)}
        # (科尔沁, 内蒙古自治区): a county of the province starts with this suffix-less name and is
        # not the one it stands for (科尔沁左翼中旗), so 科尔沁 in the text may be a name cut short.
        self._prefix_of_another = {
            (name[:size], division.province)
            for name, found in by_county.items()
            for division in found
            for size in range(2, len(name))
            if any(r.form == BARE for r in readings.get(name[:size], ()))
            and name[:size] not in county_short_names(name)[1]
        }

    def resolve(self, text: str) -> Resolution:
        compact = normalize(text)
        mentions = self._mentions(compact)
        scores = self._score(mentions, mentions)
        if not any(s.confidence >= CERTAIN for s in scores.values()):
            fuzzy = self._fuzzy_mentions(mentions, compact)
            if fuzzy:
                for division, score in self._score(fuzzy, [*mentions, *fuzzy]).items():
                    if score.confidence > scores.get(division, _NO_SCORE).confidence:
                        scores[division] = score
        if not scores:
            return Resolution(None, 0.0)
        ranked = sorted(
            scores.items(), key=lambda item: (-item[1].confidence, item[1].mention.start, item[0].adcode)
        )
        division, best = ranked[0]
        candidates = tuple(d for d, _ in ranked[:5])
        if best.confidence < CERTAIN:
            return Resolution(None, best.confidence, candidates, "", best.evidence)
        # Another division as good, or nearly as good and named no later: ask.
        if any(s.confidence >= CERTAIN and s.mention.start <= best.mention.start for _, s in ranked[1:]):
            return Resolution(None, 0.5, candidates, "", "ambiguous")
        return Resolution(division, best.confidence, (division,), compact[best.mention.end :], best.evidence)

    def _mentions(self, compact: str) -> list[_Mention]:
        """Every known name in the text, except those inside a longer one (城区 in 东城区)."""
        raw = self._scan(compact)
        starts = {start for start, _, _ in raw}
        size = len(compact)
        found: list[_Mention] = []
        places: list[_Mention] = []
        for start, end, (everything, before_street, before_suffix) in raw:
            if end == size:
                meanings = everything
            elif _name_goes_on(compact, end):
                meanings = before_suffix
            elif end not in starts and _street_follows(compact, end):
                # 南京路 is a street, but 唐山路南区 is 唐山 and 路南区: a name may follow a name.
                meanings = before_street
            else:
                meanings = everything
            if meanings.readings:
                shares = meanings.full and compact[end - 1] in "省市"
                mention = _Mention(start, end, meanings.readings, shares, meanings.place, meanings.hides)
                found.append(mention)
                if meanings.place:
                    places.append(mention)
        if len(found) < 2:
            return found
        if places:
            _mark_cut(found, places)
        return _drop_hidden(found)

    def _scan(self, compact: str) -> list[tuple[int, int, Entry]]:
        raw: list[tuple[int, int, Entry]] = []
        size = len(compact)
        names = self._names
        for start in range(size - 1):
            lengths = self._lengths.get(compact[start : start + 2])
            if lengths is None:
                continue
            for length in lengths:
                end = start + length
                if end <= size and (entry := names.get(compact[start:end])) is not None:
                    raw.append((start, end, entry))
        return raw

    def _fuzzy_mentions(self, mentions: list[_Mention], compact: str) -> list[_Mention]:
        """County names with one wrong character right after a province or city name.

        南三区 for 南山区, or 盂线 for 盂县 (a suffix typo of a name too short to index). Only that
        city's (or province's) counties are compared, the suffix must be right (or a known typo of
        it), and no other province or city name may start the window, so 江苏省苏州市 is never read
        as 邳州市. Names inside the window do not block it: 新县 in 宜新县 (宜阳县).
        """
        hits: dict[tuple[int, int, int], set[Division]] = defaultdict(set)
        size = len(compact)
        for mention in mentions:
            start = mention.end
            for reading in mention.readings:
                if reading.kind == COUNTY:
                    continue
                lengths, near = self._near[reading.key]
                for length in lengths:
                    end = start + length
                    if end > size:
                        break
                    window = compact[start:end]
                    if window not in self._by_county:
                        for key in holes(window):
                            hits[start, end, FUZZY].update(near.get(key, ()))
                        hits[start, end, NEAR_TYPO].update(near.get(window, ()))
        blocking = [m for m in mentions if any(r.form != BARE for r in m.readings)]
        return [
            _Mention(
                start, end, (Reading(COUNTY, form, compact[start:end], tuple(sorted(found, key=_adcode))),)
            )
            for (start, end, form), found in hits.items()
            if found
            and not any(
                m.start < end and start < m.end and (m.start <= start or m.end > end) for m in blocking
            )
        ]

    def _score(self, candidates: list[_Mention], mentions: list[_Mention]) -> dict[Division, _Score]:
        """The best score of every division the candidate names may stand for, in all the text."""
        scores: dict[Division, _Score] = {}
        for mention in candidates:
            for reading in mention.readings:
                if reading.kind == COUNTY:
                    form = reading.form
                elif len(reading.divisions) == 1:
                    # A city or province with a single county names it: 仙桃, 东莞市, 香港.
                    form = BARE if reading.form == SHORT and reading.kind == CITY else reading.form
                else:
                    continue
                for division in reading.divisions:
                    confidence, evidence = self._confidence(division, mention, reading, form, mentions)
                    known = scores.get(division, _NO_SCORE)
                    # On a tie the longer of two overlapping names wins: 南山去 over 南山.
                    if confidence > known.confidence or (
                        confidence == known.confidence
                        and _overlaps(mention, known.mention)
                        and mention.end > known.mention.end
                    ):
                        scores[division] = _Score(confidence, mention, evidence)
        return scores

    def _confidence(
        self, division: Division, mention: _Mention, reading: Reading, form: int, mentions: list[_Mention]
    ) -> tuple[float, str]:
        if mention.cut:
            return 0.3, "cut"
        context = _context(division, mention, form != BARE, mentions)
        if context.contradicted:
            # A place named before the county that it does not lie in: ask, never guess.
            return 0.2, "contradicted"
        names = len(reading.divisions)
        if form in (FULL, SHORT):
            confidence = full_confidence(division, names, context)
        elif form == TYPO:
            lone = reading.key[-1] in "区县" and not any(
                o is not mention and o.place and _overlaps(o, mention) for o in mentions
            )
            confidence = typo_confidence(names, lone, context)
        elif form == BARE:
            cut_short = (reading.key, division.province) in self._prefix_of_another
            doubtful = cut_short or (not context.in_city and _names_a_city_too(mention, division))
            confidence = bare_confidence(names, doubtful, context)
        else:
            confidence = fuzzy_confidence(division, names, form, context)
        return confidence, EVIDENCE[form] + context.where


_NO_SCORE = _Score(-1.0, _Mention(0, 0, ()), "")


def _mark_cut(found: list[_Mention], places: list[_Mention]) -> None:
    ends = {m.end for m in found}
    for mention in found:
        if mention.start in ends:
            continue
        for place in places:
            if place.start < mention.start < place.end and not (
                place.shares_suffix and place.end == mention.start + 1
            ):
                mention.cut = True
                mention.hides = False
                break


def _drop_hidden(found: list[_Mention]) -> list[_Mention]:
    kept = []
    for mention in found:
        start, end = mention.start, mention.end
        for other in found:
            if (
                other.hides
                and other.start <= start
                and end <= other.end
                and other.end - other.start > end - start
            ):
                break
        else:
            kept.append(mention)
    return kept


def _context(division: Division, mention: _Mention, shared_suffix: bool, mentions: list[_Mention]) -> Context:
    """Which names before the county's confirm the division, and whether one contradicts it.

    A full county name may share the 市 of the city before it (济南市中区); a suffix-less one not.
    A name overlapping a confirming one is no contradiction (江西 in 浙江西湖区).
    """
    in_province = in_city = False
    nearest = -1
    supports: list[_Mention] = []
    others: list[_Mention] = []
    for other in mentions:
        if other.start >= mention.start or not other.place:
            continue
        if other.end > mention.start and not (
            shared_suffix and other.shares_suffix and other.end == mention.start + 1
        ):
            continue  # overlaps the county's own name
        province = city = False
        for r in other.readings:
            if r.kind == PROVINCE:
                province = province or r.key == division.province
            elif r.kind == CITY:
                city = city or r.key == division.city
        if province or city:
            supports.append(other)
            in_province = in_province or province
            in_city = in_city or city
            nearest = max(nearest, min(other.end, mention.start))
        else:
            others.append(other)
    contradicted = bool(others) and any(not any(_overlaps(o, s) for s in supports) for o in others)
    gap = mention.start - nearest if nearest >= 0 else -1
    return Context(in_province, in_city, gap, contradicted)


def _overlaps(a: _Mention, b: _Mention) -> bool:
    return a.start < b.end and b.start < a.end


def _is_short(reading: Reading) -> bool:
    return reading.form == BARE or (reading.kind != COUNTY and reading.form == SHORT)


def _name_goes_on(compact: str, end: int) -> bool:
    char = compact[end]
    if char in COUNTY_ENDINGS:
        return True
    tails = NAME_GOES_ON.get(char)
    return tails is not None and any(compact.startswith(tail, end) for tail in tails)


def _street_follows(compact: str, end: int) -> bool:
    return compact[end] in NOT_AFTER_SHORT or compact[end : end + 2] in NOT_AFTER_SHORT_PAIRS


def _names_a_city_too(mention: _Mention, division: Division) -> bool:
    """辽宁朝阳 is more likely the city 朝阳市 than its county 朝阳县: do not pick the county."""
    return any(
        r.kind == CITY and r.divisions[0].province == division.province and r.divisions != (division,)
        for r in mention.readings
    )


def _adcode(division: Division) -> str:
    return division.adcode
