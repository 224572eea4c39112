"""Take the recipient out of an address as shoppers paste it: phone numbers, form labels, names.

``张伟 13812345678 江苏省南京市…`` and ``收货人：王丽江 手机：139… 地址：安徽省…`` are what a
storefront's paste box gets. Phone numbers and the labels of checkout forms go; so does a short
name standing next to a phone number or after a name label, since names are often place names
(王丽江, 许昌, 黄山) and would otherwise read as a second, contradicting place.
"""

from __future__ import annotations

import re

__all__ = ["strip_recipient"]

# Mobile numbers (with +86, spaces or dashes inside) and landlines with their area code.
_PHONE = re.compile(r"(?:\+?86[\s-]?)?(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_NAME_LABELS = ("收货人", "收件人", "联系人", "姓名")
_LABELS = re.compile(
    r"(收货人|收件人|联系人|姓名|联系电话|手机号码|手机号|手机|电话|所在地区|详细地址|收货地址|地址)\s*[:：]?"
)
_SEPARATORS = re.compile(r"[\s,，;；:：、|/]+")
_PHONE_MARK = "\x01"
_NAME_MARK = "\x02"
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def strip_recipient(text: str) -> str:
    """The text without phone numbers, form labels and the recipient's name (segments joined by
    spaces); the text itself when it has none of them."""
    if not _PHONE.search(text) and not _LABELS.search(text):
        return text
    marked = _LABELS.sub(_label_mark, _PHONE.sub(f" {_PHONE_MARK} ", text))
    segments = [s for s in _SEPARATORS.split(marked) if s]
    kept: list[str] = []
    for position, segment in enumerate(segments):
        if segment in (_PHONE_MARK, _NAME_MARK):
            continue
        before = segments[position - 1] if position else ""
        after = segments[position + 1] if position + 1 < len(segments) else ""
        named = before == _NAME_MARK or _PHONE_MARK in (before, after)
        if named and _NAME.fullmatch(segment) and _has_address_besides(segments, position):
            continue
        kept.append(segment)
    return " ".join(kept)


def _label_mark(match: re.Match[str]) -> str:
    return f" {_NAME_MARK} " if match.group(1) in _NAME_LABELS else " "


def _has_address_besides(segments: list[str], position: int) -> bool:
    """Whether another segment is long enough to be the address: 广东 东莞 138… keeps 东莞."""
    return any(len(s) >= 5 for i, s in enumerate(segments) if i != position)
