"""Reading a request body within the size limit, chunked bodies included.

Werkzeug refuses a body whose Content-Length is above the limit before reading it. A chunked body
has no length: Werkzeug stops reading at the limit, but a body read whole is then cut there
without an error. So after a read that reached the limit, one more byte from the server's stream
tells a body of exactly the limit from a larger one."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge


def read_body(limit: int | None = None) -> bytes:
    """The whole body, or RequestEntityTooLarge (413) when it is longer than `limit` (by default
    the app's MAX_CONTENT_LENGTH)."""
    if limit is not None:
        request.max_content_length = min(limit, request.max_content_length or limit)
    limit = request.max_content_length
    data = request.get_data(cache=False)
    if limit is not None and len(data) >= limit and _more_after(data):
        raise RequestEntityTooLarge()
    return data


def _more_after(data: bytes) -> bool:
    """Whether the client sent more than was read. Only a chunked body, ended by the server, can
    be read past its end safely; a body with a length was checked against the limit up front."""
    if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return False
    return bool(request.environ["wsgi.input"].read(1))
