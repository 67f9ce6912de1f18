"""Calls to a Saleor instance: its GraphQL API (as the app, with the app token) and its JWKS.

The instance is whatever URL a register request names, so nothing here follows a redirect, every
call has a timeout, and a failure is raised as `SaleorUnavailable` naming what could not be done."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import requests

from app.platforms.saleor.signature import SignatureError, parse_jwks

GRAPHQL = Path(__file__).parent / "graphql"
_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)")
_DEFINED = re.compile(r"\bfragment\s+([A-Za-z_]\w*)\s+on\b")
USER_AGENT = "Backorders (Saleor app)"


class SaleorError(Exception):
    """Base of the Saleor adapter's errors."""


class SaleorUnavailable(SaleorError):
    """The instance could not be reached, or did not answer as Saleor does."""


class SaleorRejected(SaleorError):
    """The instance refused the app's token, or answered GraphQL errors."""


@cache
def document(name: str) -> str:
    """One GraphQL document of the adapter, by file name, with the shared fragments it spreads
    (`graphql/fragments/`): the order and the variant are read the same way everywhere."""
    text = (GRAPHQL / f"{name}.graphql").read_text()
    fragments = _fragments()
    wanted = [n for n in dict.fromkeys(_SPREAD.findall(text)) if n in fragments]
    while True:  # fragments spread by fragments
        more = [n for f in wanted for n in _SPREAD.findall(fragments[f])
                if n in fragments and n not in wanted]
        if not more:
            break
        wanted += list(dict.fromkeys(more))
    return "\n".join([text.rstrip(), *(fragments[n].rstrip() for n in wanted)]) + "\n"


@cache
def _fragments() -> dict[str, str]:
    return {_DEFINED.search(text).group(1): text for text in
            (path.read_text() for path in sorted((GRAPHQL / "fragments").glob("*.graphql")))}


def jwks_url(api_url: str) -> str:
    """Saleor serves its JWKS at the root of the API's origin, not under /graphql/."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"


class SaleorApi:
    def __init__(self, http: requests.Session, connect_timeout: float, read_timeout: float):
        self._http = http
        self._timeout = (connect_timeout, read_timeout)

    def graphql(self, api_url: str, token: str, query: str, variables: dict | None = None) -> dict:
        try:
            response = self._http.post(
                api_url, json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
                timeout=self._timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise SaleorUnavailable(f"{api_url} could not be reached: {type(exc).__name__}") from None
        if response.status_code in (401, 403):
            raise SaleorRejected(f"{api_url} refused the app token ({response.status_code})")
        if response.status_code != 200:
            raise SaleorUnavailable(f"{api_url} answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise SaleorUnavailable(f"{api_url} did not answer JSON") from None
        if not isinstance(body, dict):
            raise SaleorUnavailable(f"{api_url} did not answer a GraphQL response")
        if body.get("errors"):
            messages = "; ".join(str(e.get("message", e)) for e in body["errors"]
                                 if isinstance(e, dict)) or str(body["errors"])
            raise SaleorRejected(f"{api_url} answered errors: {messages}")
        return body.get("data") or {}

    def app_id(self, api_url: str, token: str) -> str:
        """The id of the app this token belongs to: proof that the token is Saleor's own."""
        app = (self.graphql(api_url, token, document("app_id")).get("app") or {})
        if not app.get("id"):
            raise SaleorRejected(f"{api_url} knows no app for this token")
        return str(app["id"])

    def jwks(self, api_url: str) -> dict:
        url = jwks_url(api_url)
        try:
            response = self._http.get(url, timeout=self._timeout, allow_redirects=False,
                                      headers={"User-Agent": USER_AGENT})
        except requests.RequestException as exc:
            raise SaleorUnavailable(f"{url} could not be reached: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise SaleorUnavailable(f"{url} answered {response.status_code}")
        try:
            return parse_jwks(response.text)
        except SignatureError as exc:
            raise SaleorUnavailable(f"{url}: {exc}") from None
