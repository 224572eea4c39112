"""Resolve a free-text Chinese address to a county-level division (and the town, where written).

The public interface of the address package; its modules, in the order they are used:

* ``names``: how division names are written (suffixes, short forms, typos) and ``normalize``;
* ``index``: every way a name can appear in a text, and what it can mean;
* ``confidence``: how sure the resolver may be of a county from how it was named;
* ``resolver``: the resolver itself.
"""

from gateway.domain.address.names import city_short_names, county_short_names, normalize, province_short_names
from gateway.domain.address.resolver import CERTAIN, AddressResolver, Resolution

__all__ = [
    "CERTAIN",
    "AddressResolver",
    "Resolution",
    "city_short_names",
    "county_short_names",
    "normalize",
    "province_short_names",
]
