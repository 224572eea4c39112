"""Resolve a free-text Chinese address to a county-level division (and the town, where written).

The public interface of the address package. Its modules, in the order a text goes through them:

* ``recipient``: takes phone numbers, form labels and the recipient's name out;
* ``names``: how division names are written (suffixes, short forms, typos) and ``normalize``;
  ``former`` (names divisions had) and ``script`` (traditional characters) add to them;
* ``index`` and ``mentions``: every way a name can appear in a text, and where it does;
* ``towns``: towns (乡镇, 街道) and villages in the text;
* ``context`` and ``confidence``: how sure the resolver may be of each county it may be;
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
