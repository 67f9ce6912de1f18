"""App Bridge session tokens (ID tokens): HS256 JWTs signed with the app secret, one minute long."""

from __future__ import annotations

import secrets
import uuid

import jwt

LIFETIME = 60
REQUIRED = ("iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid")


class SessionTokenError(ValueError):
    pass


def mint(shop_domain: str, api_key: str, api_secret: str, now: float, user_id: int = 1) -> str:
    issued = int(now)
    claims = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": api_key,
        "sub": str(user_id),
        "exp": issued + LIFETIME,
        "nbf": issued,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "sid": secrets.token_hex(16),
    }
    return jwt.encode(claims, api_secret, algorithm="HS256")


def verify(token: str, shop_domain: str, api_key: str, api_secret: str, now: float, leeway: int = 10) -> dict:
    """Checks signature, audience and shop; times are checked against the store's clock."""
    try:
        claims = jwt.decode(token, api_secret, algorithms=["HS256"], audience=api_key,
                            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                                     "require": list(REQUIRED)})
    except jwt.PyJWTError as exc:
        raise SessionTokenError(f"session token rejected: {exc}") from exc
    if claims["exp"] + leeway < now:
        raise SessionTokenError("session token has expired")
    if claims["nbf"] - leeway > now:
        raise SessionTokenError("session token is not valid yet")
    if claims["dest"] != f"https://{shop_domain}" or claims["iss"] != f"https://{shop_domain}/admin":
        raise SessionTokenError(f"session token was issued for {claims['dest']}, not {shop_domain}")
    return claims
