"""Saleor's webhook signatures and Dashboard tokens, against the recorded vectors (one signed by
Saleor Cloud, one by Saleor's own signing code) and fresh ones made the same way."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.platforms.saleor.signature import (
    SignatureError,
    UnknownKey,
    parse_jwks,
    verify_dashboard_token,
    verify_webhook,
)
from tests.saleor_keys import CLOUD, HMAC_SECRET, KID, TEST_KEY, dashboard_token, jwks, sign

BODY = (TEST_KEY / "webhook_body.json").read_bytes()
API = "https://shop.saleor.test/graphql/"
APP = "QXBwOjE="


def test_saleor_cloud_signature_verifies_and_a_forged_body_does_not():
    signature = (CLOUD / "signature_jws.txt").read_text().strip()
    verify_webhook(signature, (CLOUD / "body.json").read_bytes(), jwks(CLOUD))
    with pytest.raises(SignatureError):
        verify_webhook(signature, (CLOUD / "forged_body.json").read_bytes(), jwks(CLOUD))


def test_signature_made_by_saleors_signing_code_verifies():
    verify_webhook((TEST_KEY / "webhook_signature_jws.txt").read_text(), BODY, jwks())


def test_the_raw_body_is_what_is_signed_not_its_json():
    reserialised = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
    with pytest.raises(SignatureError, match="does not sign"):
        verify_webhook(sign(BODY), reserialised, jwks())


def test_a_key_missing_from_the_jwks_is_told_apart():
    with pytest.raises(UnknownKey):
        verify_webhook(sign(BODY), BODY, jwks(CLOUD))


@pytest.mark.parametrize("header", [
    {"alg": "none", "kid": KID, "b64": False, "crit": ["b64"]},
    {"alg": "HS256", "kid": KID, "b64": False, "crit": ["b64"]},
    {"alg": "RS256", "kid": KID},  # the payload would be base64url-encoded: not Saleor's form
])
def test_other_algorithms_and_forms_are_refused(header):
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    real_signature = sign(BODY).split(".")[2]
    with pytest.raises(SignatureError):
        verify_webhook(f"{encoded}..{real_signature}", BODY, jwks())


def test_an_attached_payload_is_refused():
    head, _, tail = sign(BODY).split(".")
    body = base64.urlsafe_b64encode(BODY).rstrip(b"=").decode()
    with pytest.raises(SignatureError, match="detached|empty"):
        verify_webhook(f"{head}.{body}.{tail}", BODY, jwks())


@pytest.mark.parametrize("value", ["", "garbage", "a.b.c", "..", "x" * 64])
def test_garbage_is_refused(value):
    with pytest.raises(SignatureError):
        verify_webhook(value, BODY, jwks())


def test_legacy_hmac_needs_the_webhooks_secret():
    signature = (TEST_KEY / "webhook_signature_hmac_sha256.txt").read_text().strip()
    verify_webhook(signature, BODY, jwks(), secret=HMAC_SECRET)
    with pytest.raises(SignatureError):
        verify_webhook(signature, BODY, jwks(), secret="another-secret")
    with pytest.raises(SignatureError):
        verify_webhook(signature, BODY, jwks())  # no secret: only a JWS will do
    with pytest.raises(SignatureError):
        verify_webhook(signature, BODY + b" ", jwks(), secret=HMAC_SECRET)


def claims(now: datetime, **changes) -> dict:
    base = {"iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp()),
            "owner": "saleor", "iss": API, "type": "thirdparty", "app": APP,
            "user_id": "VXNlcjox", "is_staff": True, "email": "staff@example.com",
            "permissions": ["MANAGE_ORDERS"], "user_permissions": ["MANAGE_ORDERS"]}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_the_recorded_dashboard_token_verifies_at_its_time_and_not_after():
    token = (TEST_KEY / "dashboard_token.jwt").read_text().strip()
    meta = json.loads((TEST_KEY / "meta.json").read_text())
    payload = jwt.decode(token, options={"verify_signature": False})
    issued = datetime.fromtimestamp(meta["dashboard_token_iat"], UTC)
    found = verify_dashboard_token(token, jwks(), app_id=payload["app"], issuer=payload["iss"],
                                   now=issued + timedelta(minutes=1))
    assert found["type"] == "thirdparty"
    with pytest.raises(SignatureError, match="expired"):
        verify_dashboard_token(token, jwks(), app_id=payload["app"], issuer=payload["iss"],
                               now=issued + timedelta(minutes=10))


@pytest.mark.parametrize("changes, message", [
    ({"app": "QXBwOjI="}, "app"),
    ({"iss": "https://other.saleor.test/graphql/"}, "iss"),
    ({"type": "access"}, "type"),
    ({"aud": "someone-else"}, "audience"),
    ({"exp": None}, "exp"),
])
def test_dashboard_tokens_for_another_app_instance_or_use_are_refused(changes, message):
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    token = dashboard_token(claims(now, **changes))
    with pytest.raises(SignatureError, match=message):
        verify_dashboard_token(token, jwks(), app_id=APP, issuer=API, now=now)


def test_a_fresh_dashboard_token_gives_its_claims():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    found = verify_dashboard_token(dashboard_token(claims(now)), jwks(), app_id=APP, issuer=API,
                                   now=now)
    assert found["permissions"] == ["MANAGE_ORDERS"]


def test_a_jwks_without_an_rsa_key_is_not_usable():
    assert parse_jwks(json.dumps(jwks()))["keys"][0]["kid"] == KID
    for text in ("not json", "{}", json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})):
        with pytest.raises(SignatureError):
            parse_jwks(text)

