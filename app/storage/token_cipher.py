"""Access and refresh tokens are encrypted at rest (Fernet). Keys come newest first: the newest
encrypts, every key still decrypts, so a rotation is: prepend a new key, run `flask --app app
tokens rotate`, then drop the old key."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenDecryptError(Exception):
    """A stored token that none of the configured keys can read."""


class TokenCipher:
    def __init__(self, keys: tuple[str, ...]):
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken as exc:
            raise TokenDecryptError("stored token cannot be decrypted with the configured keys") from exc

    def rotate(self, stored: str) -> str:
        """Re-encrypt with the newest key."""
        try:
            return self._fernet.rotate(stored.encode()).decode()
        except InvalidToken as exc:
            raise TokenDecryptError("stored token cannot be decrypted with the configured keys") from exc
