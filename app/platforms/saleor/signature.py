"""Saleor's signatures: webhooks signed as a detached JWS (RS256, unencoded payload, RFC 7797) or,
where a webhook has a secret key, as the legacy hex HMAC-SHA256; Dashboard tokens as RS256 JWTs.
Both JWS and JWT are checked against the instance's JWKS (`<origin>/.well-known/jwks.json`).

PyJWT does the cryptography. What is ours: only RS256 is accepted (never `none` or an HMAC
algorithm keyed with a public key), the payload must be the raw body exactly as received, and a
key that is not in the JWKS is told apart from a bad signature, so the caller can fetch the JWKS
again once (Saleor's keys rotate) without doing so for every forged request."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime

import jwt
from jwt import PyJWKSet
from jwt.exceptions import InvalidTokenError, PyJWKSetError

ALGORITHM = "RS256"
LEEWAY_S = 60  # clock skew allowed on a Dashboard token's expiry


class SignatureError(Exception):
    """The signature or token is not valid; the message says why."""


class UnknownKey(SignatureError):
    """Signed with a key the cached JWKS does not hold: fetch the JWKS again, once."""


def verify_webhook(signature: str, body: bytes, jwks: Mapping | None,
                   secret: str | None = None) -> None:
    """Raise unless `signature` signs `body`: a detached JWS against `jwks`, or, when the webhook
    has a `secret`, the legacy HMAC (64 hex characters)."""
    signature = signature.strip()
    if secret and _looks_like_hmac(signature):
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise SignatureError("the HMAC signature does not match the body")
        return
    header = _header(signature)
    if header.get("b64") is not False or list(header.get("crit") or []) != ["b64"]:
        raise SignatureError("the JWS must sign the raw body (b64 false, crit [b64])")
    parts = signature.split(".")
    if len(parts) != 3 or parts[1]:
        raise SignatureError("the JWS must be detached: header..signature")
    try:
        jwt.api_jws.decode_complete(signature, key=_key(jwks, header), algorithms=[ALGORITHM],
                                    detached_payload=body)
    except InvalidTokenError as exc:
        raise SignatureError(f"the JWS does not sign this body: {exc}") from None


def verify_dashboard_token(token: str, jwks: Mapping | None, *, app_id: str, issuer: str,
                           now: datetime, audience: str | None = None) -> dict:
    """The claims of a Dashboard token issued by this Saleor (`issuer`, its API URL) for this app
    (`app_id`) to a staff user, once its signature and expiry are checked."""
    header = _header(token)
    try:
        claims = jwt.decode(token, key=_key(jwks, header), algorithms=[ALGORITHM],
                            options={"require": ["exp", "iat"], "verify_exp": False,
                                     "verify_aud": False})
    except InvalidTokenError as exc:
        raise SignatureError(f"the token is not valid: {exc}") from None
    if claims["exp"] + LEEWAY_S < now.timestamp():
        raise SignatureError("the token has expired")
    expected = {"iss": issuer, "app": app_id, "type": "thirdparty"}
    for claim, value in expected.items():
        if claims.get(claim) != value:
            raise SignatureError(f"the token's {claim} is not {value!r}")
    if "aud" in claims and claims["aud"] != audience:
        raise SignatureError("the token is meant for another audience")
    return claims


def _looks_like_hmac(signature: str) -> bool:
    return len(signature) == 64 and all(c in "0123456789abcdefABCDEF" for c in signature)


def _header(token: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except InvalidTokenError as exc:
        raise SignatureError(f"not a JWS: {exc}") from None
    if header.get("alg") != ALGORITHM:
        raise SignatureError(f"the algorithm must be {ALGORITHM}, not {header.get('alg')!r}")
    return header


def _key(jwks: Mapping | None, header: dict):
    kid = header.get("kid")
    if not kid:
        raise SignatureError("the JWS names no key (kid)")
    try:
        keys = PyJWKSet.from_dict(dict(jwks or {"keys": []}))
        found = next((k for k in keys.keys if k.key_id == kid and k.key_type == "RSA"), None)
    except PyJWKSetError:
        found = None
    if found is None:
        raise UnknownKey(f"key {kid} is not in the JWKS")
    return found.key


def parse_jwks(text: str) -> dict:
    """A JWKS as fetched, checked to hold at least one RSA key PyJWT can use."""
    try:
        data = json.loads(text)
        if not any(k.key_type == "RSA" for k in PyJWKSet.from_dict(data).keys):
            raise ValueError("no RSA key")
    except (ValueError, TypeError, PyJWKSetError) as exc:
        raise SignatureError(f"the JWKS is not usable: {exc}") from None
    return data
