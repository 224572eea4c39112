from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.settings import CentralSettings, EdgeSettings, SettingsError, town_codes

SECRET = {"GATEWAY_SECRET": "s" * 32}


def test_defaults_need_only_the_secret() -> None:
    settings = EdgeSettings.from_env(SECRET)
    assert settings.port == 8801
    assert settings.server.access_log is False
    assert settings.server.keepalive_seconds >= 60


def test_environment_is_parsed_into_typed_fields() -> None:
    env = {
        **SECRET,
        "EDGE_PORT": "9001",
        "EDGE_DATA_DIR": "var/edge-x",
        "EDGE_CENTRAL_TIMEOUT_SECONDS": "0.25",
        "EDGE_SERVER_ACCESS_LOG": "yes",
        "EDGE_SERVER_MAX_INFLIGHT_REQUESTS": "10",
    }
    settings = EdgeSettings.from_env(env)
    assert settings.port == 9001
    assert settings.data_dir == Path("var/edge-x")
    assert settings.central_timeout_seconds == 0.25
    assert settings.server.access_log is True
    assert settings.server.max_inflight_requests == 10


def test_overrides_win_over_environment_and_none_means_unset() -> None:
    settings = CentralSettings.from_env({**SECRET, "CENTRAL_PORT": "9100"}, port=9200, host=None)
    assert settings.port == 9200
    assert settings.host == "127.0.0.1"


def test_settings_are_frozen() -> None:
    settings = EdgeSettings.from_env(SECRET)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_missing_or_weak_secret_is_refused(secret: str | None) -> None:
    env = {} if secret is None else {"GATEWAY_SECRET": secret}
    with pytest.raises(SettingsError, match="GATEWAY_SECRET"):
        EdgeSettings.from_env(env)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EDGE_PORT", "eighty"),
        ("EDGE_SERVER_ACCESS_LOG", "maybe"),
        ("EDGE_CENTRAL_TIMEOUT_SECONDS", "x"),
        ("EDGE_REMOTE_TOWNS", "330903105,东极镇"),
        ("EDGE_REMOTE_TOWNS", "330903"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        EdgeSettings.from_env({**SECRET, name: value})


def test_remote_towns_are_nine_digit_codes_separated_by_commas() -> None:
    settings = EdgeSettings.from_env({**SECRET, "EDGE_REMOTE_TOWNS": " 330903105, 460400100 ,"})
    assert town_codes(settings.remote_towns) == {"330903105", "460400100"}
    assert town_codes(EdgeSettings.from_env(SECRET).remote_towns) == frozenset()
