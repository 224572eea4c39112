"""Resolve a free-text Chinese address to a county-level division, and the town where written.

The recipient's name and phone number are taken out, the text is normalized (full-width to
half-width, whitespace and punctuation dropped, traditional characters of names read as simplified),
then every known name is found in one left-to-right pass (``mentions``): provinces, cities and
counties under their full names, short forms (广西, 深圳, 恩施州, 白沙县, the suffix-less 南山),
suffix typos (南山去, 昆山是), abbreviations (哈市), former names (襄樊市, 闸北区) and changed
suffixes (萧山市); and every town name, in a second pass (``towns``).

Each county a name can mean becomes a candidate, scored by what the text around it confirms
(``context``, ``confidence``): a province or city it lies in, named before it (or after it, when the
address is written the other way round), raises the score; one it does not lie in sinks it; one of
its towns raises it; a town of a sibling county sinks it. A county named by none of its names may
still be found from a town the named city has only in that county (重庆龙溪街道). An answer is given
with high confidence (>= 0.8) only when one division explains the text better than every other;
otherwise the caller gets ranked candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from gateway.divisions import Division, Town, load_divisions, load_towns
from gateway.domain.address.confidence import (
    EVIDENCE,
    after_confidence,
    bare_confidence,
    full_confidence,
    fuzzy_confidence,
    town_confirmed,
    town_only_confidence,
    typo_confidence,
)
from gateway.domain.address.context import context_of
from gateway.domain.address.index import Reading
from gateway.domain.address.mentions import Mention, NameFinder, overlaps
from gateway.domain.address.names import (
    BARE,
    CHANGED,
    CITY,
    COUNTY,
    FORMER,
    FULL,
    FUZZY,
    SHORT,
    TYPO,
    normalize,
)
from gateway.domain.address.recipient import strip_recipient
from gateway.domain.address.script import simplified_forms
from gateway.domain.address.towns import TownIndex, TownMatch, village_after

__all__ = ["CERTAIN", "AddressResolver", "Resolution"]

CERTAIN = 0.8
_DISTINCT = 3


@dataclass(frozen=True, slots=True)
class Resolution:
    division: Division | None
    confidence: float
    candidates: tuple[Division, ...] = ()
    detail: str = ""
    # How the answer (or the best candidate) was found, for logs and review: e.g. "county+city",
    # "county-typo+city+town", "suffix-less+province", "town+city", "ambiguous", "contradicted".
    evidence: str = ""
    town: Town | None = None  # the town (乡镇, 街道) of the answer, where the text names one
    village: str = ""  # the village (村) or community (社区) written right after the town

    @property
    def certain(self) -> bool:
        return self.division is not None and self.confidence >= CERTAIN


@dataclass(slots=True)
class _Score:
    confidence: float
    mention: Mention  # a town's start, for a county found from its town alone
    evidence: str
    after: bool = False  # confirmed by names after the county's (an address written backwards)


class AddressResolver:
    def __init__(self, divisions: Iterable[Division]) -> None:
        by_province: dict[str, list[Division]] = defaultdict(list)
        by_city: dict[str, list[Division]] = defaultdict(list)
        by_county: dict[str, list[Division]] = defaultdict(list)
        self._by_adcode: dict[str, Division] = {}
        for division in divisions:
            by_province[division.province].append(division)
            by_city[division.city].append(division)
            by_county[division.county].append(division)
            self._by_adcode[division.adcode] = division
        self._finder = NameFinder(by_province, by_city, by_county)
        self._towns = _town_index()
        self._simplified = _simplified_table()
        self._traditional = frozenset(map(chr, self._simplified))

    def resolve(self, text: str) -> Resolution:
        compact = normalize(strip_recipient(text))
        if not self._traditional.isdisjoint(compact):
            compact = compact.translate(self._simplified)
        mentions = self._finder.find(compact)
        towns = self._towns.find(compact)
        if towns:
            towns, mentions = _untangle(towns, mentions)
        scores = self._score(mentions, mentions, towns)
        if not any(s.confidence >= CERTAIN for s in scores.values()):
            fuzzy = self._finder.find_fuzzy(mentions, compact)
            if fuzzy:
                _keep_best(scores, self._score(fuzzy, [*mentions, *fuzzy], towns))
            if towns:
                _keep_best(scores, self._town_only(mentions, towns))
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
        town = _town_of(division.adcode, best.mention, towns)
        return Resolution(
            division,
            best.confidence,
            (division,),
            _detail(compact, best, mentions, division),
            best.evidence,
            town[0] if town else None,
            village_after(compact, town[1].end) if town else "",
        )

    def _score(
        self, candidates: list[Mention], mentions: list[Mention], towns: list[TownMatch]
    ) -> dict[Division, _Score]:
        """The best score of every division the candidate names may stand for, in all the text."""
        scores: dict[Division, _Score] = {}
        for mention in candidates:
            for reading in mention.readings:
                if reading.kind == COUNTY:
                    form = reading.form
                elif len(reading.divisions) == 1:
                    # A city or province with a single county names it: 仙桃, 东莞市, 香港.
                    form = reading.form if reading.form in (FULL, FORMER) else BARE
                else:
                    continue
                for division in reading.divisions:
                    score = self._confidence(division, mention, reading, form, mentions)
                    if towns and score.confidence > 0.2 and not mention.cut:
                        self._weigh_towns(score, division, towns)
                    known = scores.get(division)
                    # On a tie the longer of two overlapping names wins: 南山去 over 南山.
                    if (
                        known is None
                        or score.confidence > known.confidence
                        or (
                            score.confidence == known.confidence
                            and overlaps(mention, known.mention)
                            and mention.end > known.mention.end
                        )
                    ):
                        scores[division] = score
        return scores

    def _confidence(
        self, division: Division, mention: Mention, reading: Reading, form: int, mentions: list[Mention]
    ) -> _Score:
        key, names = reading.key, len(reading.divisions)
        if mention.cut:
            return _Score(0.3, mention, "cut")
        context = context_of(division, mention, form != BARE, mentions)
        if context.contradicted:
            # A place named before the county that it does not lie in: ask, never guess.
            return _Score(0.2, mention, "contradicted")
        if form in (FULL, SHORT, FORMER):
            confidence = full_confidence(division, names, context)
        elif form in (TYPO, CHANGED):
            lone = key[-1] in "区县" and not any(
                o is not mention and o.place and overlaps(o, mention) for o in mentions
            )
            confidence = typo_confidence(names, lone and form == TYPO, context)
        elif form == BARE:
            cut_short = (key, division.province) in self._finder.prefix_of_another
            doubtful = cut_short or (not context.in_city and _names_a_city_too(mention, division))
            confidence = bare_confidence(names, doubtful, context)
        else:
            confidence = fuzzy_confidence(division, names, form, context)
        evidence = EVIDENCE[form] + context.where + ("-after" if context.after else "")
        return _Score(after_confidence(confidence, context), mention, evidence, context.after)

    def _weigh_towns(self, score: _Score, division: Division, towns: list[TownMatch]) -> None:
        """A town of the county written in the text confirms it. A town of a sibling county, or of a
        namesake (南京's 鼓楼区 for 徐州's), sinks it: the text says two things."""
        own = _town_of(division.adcode, score.mention, towns)
        if own is not None:
            town, match = own
            score.confidence = town_confirmed(score.confidence, match.towns[town.adcode][1], match.counties)
            score.evidence += "+town"
            return
        for match in towns:
            # Only a town name few counties have says the text meant another county: 城关镇 does not.
            if match.official > _DISTINCT or (
                score.mention.start < match.end and match.start < score.mention.end
            ):
                continue
            for adcode, (_, exact) in match.towns.items():
                sibling = self._by_adcode.get(adcode)
                if (
                    exact
                    and sibling is not None
                    and (
                        (sibling.province, sibling.city) == (division.province, division.city)
                        or sibling.county == division.county
                    )
                ):
                    score.confidence = min(score.confidence, 0.5)
                    score.evidence += "+other-town"
                    return

    def _town_only(self, mentions: list[Mention], towns: list[TownMatch]) -> dict[Division, _Score]:
        """Counties no name of which was found, named by a town the place written has there only.

        Not when the text names another county of that city in full: 渝中区龙溪街道 is ambiguous.
        """
        found: dict[Division, _Score] = {}
        places = [m for m in mentions if m.place]
        named = {
            (d.province, d.city)
            for m in mentions
            if not m.cut
            for r in m.readings
            if r.kind == COUNTY and r.form not in (BARE, FUZZY)
            for d in r.divisions
        }
        for match in towns:
            for place in places:
                for reading in place.readings:
                    if reading.kind == COUNTY:
                        continue
                    town = self._only_town_in(match, reading.kind, reading.key)
                    if town is None:
                        continue
                    division, exact = town
                    confidence = town_only_confidence(reading.kind == CITY, True, exact)
                    if (division.province, division.city) in named:
                        confidence = min(confidence, 0.6)
                    evidence = "town+city" if reading.kind == CITY else "town+province"
                    at = Mention(match.start, match.start, ())
                    _keep_best(found, {division: _Score(confidence, at, evidence)})
        return found

    def _only_town_in(self, match: TownMatch, kind: int, key: str) -> tuple[Division, bool] | None:
        """The one county of the province or city with a town so named (officially, if any is)."""
        inside = [
            (division, exact)
            for adcode, (_, exact) in match.towns.items()
            if (division := self._by_adcode.get(adcode)) is not None and _lies_in(division, kind, key)
        ]
        official = [entry for entry in inside if entry[1]]
        if len(official) == 1:
            return official[0]
        return inside[0] if len(inside) == 1 else None


def _town_of(adcode: str, mention: Mention, towns: list[TownMatch]) -> tuple[Town, TownMatch] | None:
    """The county's town written in the text (an official name first)."""
    best: tuple[Town, TownMatch] | None = None
    for match in towns:
        entry = match.towns.get(adcode)
        if entry is None or (mention.start < match.end and match.start < mention.end):
            continue
        if entry[1]:
            return entry[0], match
        best = best or (entry[0], match)
    return best


def _untangle(towns: list[TownMatch], mentions: list[Mention]) -> tuple[list[TownMatch], list[Mention]]:
    """A town name running into a full division name is none (庆阳镇 in 庆阳镇原县); a short name
    inside or across a town's is none either (朝阳 in 朝阳洲街道, 镇江 in 陈埭镇江滨路)."""
    if not any(m.start < t.end and t.start < m.end for t in towns for m in mentions):
        return towns, mentions
    full = [m for m in mentions if any(r.form == FULL for r in m.readings)]
    towns = [
        t
        for t in towns
        if not any(
            m.start < t.end and t.start < m.end and not t.start <= m.start < m.end <= t.end for m in full
        )
    ]
    official = [t for t in towns if t.official]
    kept = [
        m for m in mentions if m in full or not any(m.start < t.end and t.start < m.end for t in official)
    ]
    return towns, kept


def _lies_in(division: Division, kind: int, key: str) -> bool:
    return (division.city if kind == CITY else division.province) == key


def _keep_best(scores: dict[Division, _Score], more: dict[Division, _Score]) -> None:
    for division, score in more.items():
        known = scores.get(division)
        if known is None or score.confidence > known.confidence:
            scores[division] = score


def _detail(compact: str, best: _Score, mentions: list[Mention], division: Division) -> str:
    """What follows the county's name; for an address written backwards, all but the names."""
    if not best.after:
        return compact[best.mention.end :]
    spans = [best.mention] + [
        m for m in mentions if m.start >= best.mention.end and m.place and _names_its_place(m, division)
    ]
    parts, position = [], 0
    for span in sorted(spans, key=lambda m: m.start):
        parts.append(compact[position : span.start])
        position = max(position, span.end)
    parts.append(compact[position:])
    return "".join(parts)


def _names_its_place(mention: Mention, division: Division) -> bool:
    return any(r.kind != COUNTY and _lies_in(division, r.kind, r.key) for r in mention.readings)


def _names_a_city_too(mention: Mention, division: Division) -> bool:
    """辽宁朝阳 is more likely the city 朝阳市 than its county 朝阳县: do not pick the county."""
    return any(
        r.kind == CITY and r.divisions[0].province == division.province and r.divisions != (division,)
        for r in mention.readings
    )


@cache
def _town_index() -> TownIndex:
    return TownIndex(load_towns(), _simplified_table())


@cache
def _simplified_table() -> dict[int, str]:
    """Division names keep their characters and are converted whole (沈阳 is 瀋陽, not 沈陽); towns
    add their characters one by one. A town name may be written in traditional characters
    (鴜鷺树镇): it is indexed as simplified."""
    divisions = {n for d in load_divisions() for n in (d.province, d.city, d.county)}
    town_chars = {char for found in load_towns().values() for t in found for char in t.name}
    return simplified_forms(divisions | town_chars, divisions)
