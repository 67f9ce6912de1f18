"""What every response and the access log must not give away.

`X-Content-Type-Options: nosniff` on every response, so a browser never runs an upload or an
error body as something else. Tokens among a URL's parameters, such as the `id_token` Shopify
puts on the embedded page's URL and the OAuth `code`, are cut from the access log lines of the
development server and of the servers the app runs under (granian, gunicorn): a log is read by more people than the token is meant for."""

from __future__ import annotations

import logging
import re

from flask import Flask, Response

ACCESS_LOGGERS = ("werkzeug", "granian.access", "gunicorn.access")
_TOKEN_PARAM = re.compile(r"(?<=[?&])(id_token|code|session)=[^&\s\"]*")


def redact(line: str) -> str:
    return _TOKEN_PARAM.sub(lambda m: f"{m.group(1)}=[redacted]", line)


class RedactTokens(logging.Filter):
    """Rewrites a record's message with its tokens cut, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install(app: Flask) -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())

    @app.after_request
    def nosniff(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
