"""Errors of the web edge, and the one place where any error becomes an HTTP response."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.domain.errors import BadParameter, Conflict, DomainError, InvalidInput, NotFound
from app.platforms.shopify.app_proxy import FormRejected
from app.platforms.shopify.errors import BadSessionToken, NotAShopDomain, RequestRejected
from app.services.customer_actions import NotAllowed
from app.services.installs import NotInstalled, StateRejected

log = logging.getLogger(__name__)


class AppError(DomainError):
    """An error raised at the edge (auth, request shape); `status` is its HTTP status."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] = {}


class BadRequest(AppError):
    pass


class Unauthenticated(AppError):
    status = 401
    code = "unauthorized"


class InvalidSessionToken(Unauthenticated):
    code = "invalid_session_token"
    # App Bridge retries the request with a fresh session token when it sees this header.
    headers = {"X-Shopify-Retry-Invalid-Session-Request": "1"}


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"


class TooLarge(AppError):
    status = 413
    code = "too_large"


DOMAIN_STATUS = {BadParameter: 400, InvalidInput: 422, NotFound: 404, Conflict: 409, NotInstalled: 401,
                 StateRejected: 401, NotAllowed: 403}
# What the web answers for a request the Shopify adapter refused; anything else it refuses is 401.
REJECTED_AS = {NotAShopDomain: BadRequest, BadSessionToken: InvalidSessionToken,
               FormRejected: Forbidden}


def status_for(error: DomainError) -> int:
    if isinstance(error, AppError):
        return error.status
    for kind, status in DOMAIN_STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        response = jsonify(error.to_dict())
        response.status_code = status_for(error)
        response.headers.update(getattr(error, "headers", {}))
        return response

    @app.errorhandler(RequestRejected)
    def rejected(error: RequestRejected):
        answer = next((web for kind, web in REJECTED_AS.items() if isinstance(error, kind)),
                      Unauthenticated)
        web_error = answer(error.message, field=error.field)
        web_error.code = error.code
        return domain_error(web_error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = app.config["MAX_CONTENT_LENGTH"]
        return domain_error(TooLarge(f"the body may be at most {limit} bytes", field="body"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = jsonify({"error": (error.name or "error").lower().replace(" ", "_"),
                            "message": error.description})
        response.status_code = error.code or 500
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return jsonify({"error": "internal_error", "message": "internal error"}), 500
