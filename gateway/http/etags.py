"""Conditional requests: the one ``If-None-Match`` matcher every route uses (RFC 9110, 13.1.2)."""

from __future__ import annotations


def none_match(if_none_match: str, etag: str) -> bool:
    """True when ``If-None-Match`` names ``etag`` (weak comparison, as a GET's revalidation uses) or is ``*``:
    the client's copy is current and a 304 answers it."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))
