"""Former names of cities and counties that shoppers still write (older address books, habit).

Kept by hand: no library ships the renames with the codes they became. A county-level city that
became a district (萧山市, 番禺市, 吴江市) needs no entry: its name with the new suffix is read as
a changed suffix (``index``). Listed here are the names that changed otherwise, or merged.
"""

from __future__ import annotations

__all__ = ["FORMER_CITIES", "FORMER_COUNTIES"]

# Former name: the city (prefecture) it is now.
FORMER_CITIES = {
    "襄樊市": "襄阳市",  # 2010
    "思茅市": "普洱市",  # 2007
    "大庸市": "张家界市",  # 1994
}

# Former name: the adcode of the county it is (part of) now.
FORMER_COUNTIES = {
    "崇文区": "110101",  # merged into 东城区, 2010
    "宣武区": "110102",  # merged into 西城区, 2010
    "塘沽区": "120116",  # 滨海新区, 2009
    "汉沽区": "120116",
    "大港区": "120116",
    "卢湾区": "310101",  # merged into 黄浦区, 2011
    "闸北区": "310106",  # merged into 静安区, 2015
    "南汇区": "310115",  # merged into 浦东新区, 2009
    "莱城区": "370116",  # 莱芜区, 2019
    "通什市": "469001",  # 五指山市, 2001
    "开县": "500154",  # 开州区, 2016
    "翠云区": "530802",  # 思茅区, 2007
    "中甸县": "533401",  # 香格里拉县, 2001; 香格里拉市, 2014
}
