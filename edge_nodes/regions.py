"""Load the region definitions in ``edge_nodes/regions/*.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


class RegionError(ValueError):
    """A region file is malformed; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    title: str
    port: int
    central_url: str
    # 2-digit province codes or longer adcode prefixes this region serves.
    adcode_prefixes: tuple[str, ...]
    remote_adcode_prefixes: tuple[str, ...]

    def serves(self, adcode: str) -> bool:
        return adcode.startswith(self.adcode_prefixes)


def load_regions(directory: Path | None = None) -> list[Region]:
    folder = directory or Path(str(resources.files("edge_nodes").joinpath("regions")))
    regions = [_load(path) for path in sorted(folder.glob("*.toml"))]
    _check_disjoint(regions)
    return regions


def region_named(name: str, regions: list[Region]) -> Region:
    for region in regions:
        if region.name == name:
            return region
    raise RegionError(f"no region {name!r}; known: {', '.join(r.name for r in regions)}")


def _load(path: Path) -> Region:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Region(
            name=str(data["name"]),
            title=str(data.get("title", data["name"])),
            port=int(data["port"]),
            central_url=str(data["central_url"]),
            adcode_prefixes=tuple(str(code) for code in data["adcode_prefixes"]),
            remote_adcode_prefixes=tuple(str(code) for code in data.get("remote_adcode_prefixes", ())),
        )
    except KeyError as exc:
        raise RegionError(f"{path.name}: missing key {exc.args[0]!r}") from None
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as exc:
        raise RegionError(f"{path.name}: {exc}") from None


def _check_disjoint(regions: list[Region]) -> None:
    owner: dict[str, str] = {}
    for region in regions:
        for prefix in region.adcode_prefixes:
            if prefix in owner:
                raise RegionError(f"adcode prefix {prefix} is claimed by {owner[prefix]} and {region.name}")
            owner[prefix] = region.name
    ports = [region.port for region in regions]
    if len(set(ports)) != len(ports):
        raise RegionError(f"two regions share a port: {sorted(ports)}")
