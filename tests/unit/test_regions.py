from __future__ import annotations

from pathlib import Path

import pytest

from edge_nodes.regions import RegionError, load_regions, region_named
from gateway.divisions import load_divisions


def test_shipped_regions_cover_every_division_exactly_once() -> None:
    regions = load_regions()
    assert len(regions) >= 3
    for division in load_divisions():
        owners = [region.name for region in regions if region.serves(division.adcode)]
        assert len(owners) == 1, (division, owners)


def test_remote_prefixes_belong_to_their_region() -> None:
    for region in load_regions():
        for prefix in region.remote_adcode_prefixes:
            assert region.serves(prefix), (region.name, prefix)


def test_region_lookup_names_the_known_ones() -> None:
    regions = load_regions()
    assert region_named("west", regions).port == 8814
    with pytest.raises(RegionError, match="north"):
        region_named("atlantis", regions)


def _write(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.toml").write_text(body, encoding="utf-8")


def test_missing_key_is_reported_with_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "a", 'name = "a"\nport = 1\n')
    with pytest.raises(RegionError, match=r"a\.toml.*central_url"):
        load_regions(tmp_path)


def test_overlapping_regions_are_refused(tmp_path: Path) -> None:
    common = 'central_url = "http://127.0.0.1:1"\nadcode_prefixes = ["11"]\n'
    _write(tmp_path, "a", f'name = "a"\nport = 1\n{common}')
    _write(tmp_path, "b", f'name = "b"\nport = 2\n{common}')
    with pytest.raises(RegionError, match="11"):
        load_regions(tmp_path)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "bad", "name = ")
    with pytest.raises(RegionError, match=r"bad\.toml"):
        load_regions(tmp_path)
