"""Saleor's signing, reproduced for tests: the test vectors, and fresh signatures and Dashboard
tokens made with Saleor's public test key exactly as its JWTManager makes them."""

from __future__ import annotations

import json
from pathlib import Path

import jwt

VECTORS = Path(__file__).parent / "fixtures" / "saleor" / "vectors"
TEST_KEY = VECTORS / "saleor-test-key"
CLOUD = VECTORS / "app-sdk"
KID = json.loads((TEST_KEY / "meta.json").read_text())["kid"]
HMAC_SECRET = json.loads((TEST_KEY / "meta.json").read_text())["hmac_secret_key"]


def jwks(folder: Path = TEST_KEY) -> dict:
    return json.loads((folder / "jwks.json").read_text())


def private_key() -> bytes:
    return (TEST_KEY / "PUBLIC_TEST_ONLY_rsa_private_key.pem").read_bytes()


def sign(body: bytes, kid: str = KID) -> str:
    """A `Saleor-Signature` value: detached JWS over the raw body, as Saleor makes it."""
    return jwt.api_jws.encode(body, private_key(), algorithm="RS256",
                              headers={"kid": kid, "crit": ["b64"]}, is_payload_detached=True)


def dashboard_token(claims: dict, kid: str = KID) -> str:
    return jwt.encode(claims, private_key(), algorithm="RS256", headers={"kid": kid})
