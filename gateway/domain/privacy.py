"""What of a shopper's personal data an answer may show: phone numbers masked, as on a parcel label."""

from __future__ import annotations

import msgspec

from gateway.models import Address


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``: enough for the shopper to recognise, too little to call."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "****"


def masked(address: Address) -> Address:
    return msgspec.structs.replace(address, phone=mask_phone(address.phone))
