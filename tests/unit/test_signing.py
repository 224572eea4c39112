from __future__ import annotations

import time

import pytest

from gateway.signing import BatchSigner, InvalidToken, SessionSigner, credential_matches, edge_credential

SECRET = "a-shared-secret-of-enough-length"


def test_token_round_trip() -> None:
    signer = SessionSigner(SECRET, ttl_seconds=60)
    token, expires_at = signer.issue("u-0001")
    session = signer.verify(token)
    assert session.user_id == "u-0001"
    assert session.expires_at == expires_at


def test_token_from_another_secret_is_rejected() -> None:
    token, _ = SessionSigner("another-secret-entirely-here").issue("u-0001")
    with pytest.raises(InvalidToken):
        SessionSigner(SECRET).verify(token)


def test_expired_token_is_rejected() -> None:
    signer = SessionSigner(SECRET, ttl_seconds=10)
    token, _ = signer.issue("u-0001", now=time.time() - 3600)
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify(token)


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_malformed_tokens_are_rejected(token: str) -> None:
    with pytest.raises(InvalidToken):
        SessionSigner(SECRET).verify(token)


def test_tampered_token_is_rejected() -> None:
    signer = SessionSigner(SECRET)
    token, _ = signer.issue("u-0001")
    header, payload, signature = token.split(".")
    forged = SessionSigner(SECRET).issue("u-0002")[0].split(".")[1]
    with pytest.raises(InvalidToken):
        signer.verify(f"{header}.{forged}.{signature}")
    assert payload != forged


def test_batch_signatures_verify_and_detect_changes() -> None:
    signer = BatchSigner(SECRET)
    signature = signer.sign(b'{"orders": []}')
    assert signer.verify(b'{"orders": []}', signature)
    assert not signer.verify(b'{"orders": [1]}', signature)
    assert not BatchSigner("other-secret-of-enough-length").verify(b'{"orders": []}', signature)


def test_purposes_get_distinct_keys() -> None:
    session_token, _ = SessionSigner(SECRET).issue("u-0001")
    credential = edge_credential(SECRET)
    assert credential not in session_token
    assert BatchSigner(SECRET).sign(b"") != credential
    assert credential_matches(credential, edge_credential(SECRET))
    assert not credential_matches(None, credential)
    tampered = credential[:-1] + ("1" if credential[-1] != "1" else "2")
    assert not credential_matches(tampered, credential)
