"""Addresses typed in traditional script (廣東省深圳市南山區) read as simplified ones.

OpenCC converts the names that matter to their traditional forms (mainland, Taiwan and Hong Kong
standards), whole names so that its phrase rules apply (沈阳 is 瀋陽, 昆山 is 崑山); the resolver maps
the characters back with ``str.translate``. Converting whole texts with OpenCC would cost more than
resolving them, and only the names need to match.
"""

from __future__ import annotations

from collections.abc import Iterable

import opencc

__all__ = ["simplified_forms"]

_CONFIGS = ("s2t", "s2tw", "s2hk")
# Characters of addresses besides the names of divisions and towns, so the detail reads simplified.
_ADDRESS_WORDS = "路街道巷弄号楼栋单元室层村组社区镇乡区县市省州盟旗自治小区花园大厦门东南西北中"


def simplified_forms(names: Iterable[str], keep: Iterable[str]) -> dict[int, str]:
    """A ``str.translate`` table from the traditional characters of ``names`` to simplified ones.

    A character of a name in ``keep`` is left alone: 乾 is the traditional 干 but also the 乾 of 乾县.
    """
    text = "\n".join(sorted({*names, *_ADDRESS_WORDS}))
    keep = {char for name in keep for char in name}
    table: dict[int, str] = {}
    for config in _CONFIGS:
        converted = opencc.OpenCC(config).convert(text)
        # OpenCC maps character for character here; where a rule changed a name's length, the
        # names after it no longer line up, and are compared one by one.
        pairs = (
            zip(text, converted, strict=False) if len(converted) == len(text) else _by_name(text, converted)
        )
        for simple, traditional in sorted({(s, t) for s, t in pairs if s != t}):
            if traditional not in keep:
                table.setdefault(ord(traditional), simple)
    return table


def _by_name(text: str, converted: str) -> list[tuple[str, str]]:
    return [
        pair
        for simple, traditional in zip(text.split("\n"), converted.split("\n"), strict=True)
        if len(simple) == len(traditional)
        for pair in zip(simple, traditional, strict=True)
    ]
