"""A local stand-in for the Shopify admin around an embedded app, so the app can be tried the way
a merchant meets it: framed in an iframe, opened with `shop`, `host` and an `id_token`, and
handed a fresh session token whenever the page asks `shopify.idToken()`.

Platform facts it rests on:
- an embedded app's first load carries `id_token` with `shop`, `host` and `embedded=1`, and the
  launch URL is signed with `hmac` (shopify.dev, "Session tokens" / "Embedded app authorization");
- a session token is an HS256 JWT signed with the app's secret that lives one minute, and the
  page gets a fresh one for each request from App Bridge's `shopify.idToken()` (the same page;
  `idToken: IdTokenApi` in App Bridge's types, 0.7.2).

In Shopify, App Bridge (loaded from Shopify's CDN into the app's page) asks the admin for each
token over `postMessage`. Here `/<shop>/admin/app-bridge.js` plays that part: the app loads it in
place of the CDN script when its admin origin is this simulator, and it asks the framing page,
which mints the token. Tokens live a minute, as Shopify's do, so a page left open keeps working
only because it asks again."""

from __future__ import annotations

import json

from flask import Blueprint, Response
from markupsafe import escape

REQUEST = "local-admin:id-token-request"
ANSWER = "local-admin:id-token"

APP_BRIDGE = """"use strict";
// The local admin's stand-in for App Bridge: shopify.idToken() asks the framing admin page.
(() => {
  if (window.parent === window) return;  // not framed: there is no admin to ask
  let asked = 0;
  const waiting = new Map();
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const { type, id, token } = event.data || {};
    if (type === %(answer)s && waiting.has(id)) {
      waiting.get(id)(token);
      waiting.delete(id);
    }
  });
  window.shopify = {
    idToken() {
      return new Promise((resolve) => {
        asked += 1;
        waiting.set(asked, resolve);
        window.parent.postMessage({ type: %(request)s, id: asked }, "*");
      });
    },
  };
})();
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>%(shop)s · Local admin</title>
  <style>
    body { margin: 0; font-family: system-ui, sans-serif; background: #f1f1f1; }
    header { padding: 8px 16px; background: #1a1a1a; color: #fff; font-size: 14px; }
    iframe { display: block; width: 100%%; height: calc(100vh - 36px); border: 0; }
  </style>
</head>
<body>
  <header>%(shop)s · local admin (store simulator)</header>
  <iframe id="app" title="%(app)s" src="%(src)s"></iframe>
  <script>
    "use strict";
    const frame = document.getElementById("app");
    const appOrigin = new URL(frame.src).origin;
    window.addEventListener("message", async (event) => {
      if (event.origin !== appOrigin || event.source !== frame.contentWindow) return;
      if ((event.data || {}).type !== %(request)s) return;
      const response = await fetch(%(mint)s, { method: "POST" });
      const { session_token: token } = await response.json();
      frame.contentWindow.postMessage({ type: %(answer)s, id: event.data.id, token }, appOrigin);
    });
  </script>
</body>
</html>
"""


def blueprint(store) -> Blueprint:
    bp = Blueprint("local_admin", __name__)
    names = {"request": json.dumps(REQUEST), "answer": json.dumps(ANSWER)}

    @bp.get("/<shop>/admin/apps/backorders")
    def app_page(shop: str):
        """The app framed, opened as the admin opens it: a signed URL with a fresh id_token."""
        store.shop(shop)  # an unknown shop is a 404
        src = store.signed_app_url(shop, "/", id_token=store.session_token(shop), embedded="1")
        mint = json.dumps(f"/_devstore/shops/{shop}/session-token")
        page = PAGE % {**names, "shop": escape(shop), "app": "Backorders", "src": escape(src),
                       "mint": mint}
        return Response(page, mimetype="text/html")

    @bp.get("/<shop>/admin/app-bridge.js")
    def app_bridge(shop: str):
        return Response(APP_BRIDGE % names, mimetype="text/javascript")

    return bp

