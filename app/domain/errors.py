"""Errors of the domain. They carry data (a code, the field at fault, a message) and know nothing
of HTTP: the web layer translates them to responses in one place."""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def to_dict(self) -> dict:
        data = {"error": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        data.update(self.details)
        return data


class InvalidInput(DomainError):
    """Input that breaks a rule: a policy value out of range, a restock with a negative quantity."""

    code = "invalid_input"


class BadParameter(DomainError):
    """A query parameter a read cannot use (unknown, malformed, out of range); `field` names it.
    It is a request problem, not a rule broken, so the web answers it 400."""

    code = "bad_parameter"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"
