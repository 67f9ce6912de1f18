"""Shopify signs the raw body of each delivery: base64(HMAC-SHA256(app secret, body))."""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(raw: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def signature_ok(raw: bytes, header: str | None, secrets: tuple[str, ...]) -> bool:
    """Constant-time compare with the current secret and, during a rotation, the previous one."""
    if not header or not raw:
        return False
    claimed = header.strip().encode()
    ok = False
    for secret in secrets:
        ok |= hmac.compare_digest(sign(raw, secret).encode(), claimed)
    return ok
