"""Run the store simulator standalone: `python -m devstore --port 8001 --app-url ... --catalog apparel`."""

from __future__ import annotations

import argparse
import signal
import threading

from .store import DevStore


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devstore",
        description="Local Shopify store simulator. Point the app at it with "
                    "SHOPIFY_ADMIN_ORIGIN=http://HOST:PORT/{shop}. Drive it with JSON under /_devstore/ "
                    "(shops, locations, catalog, stock, tracked, requires-shipping, orders, flash-sale, "
                    "receive, cancel, fulfil, edit, add, refund, fulfillment-orders hold/release/move/merge, "
                    "install, uninstall, compliance, session-token, counters, faults, webhook-switches, drain).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--app-url", required=True, help="the app's base URL; webhooks go to {app-url}/webhooks")
    parser.add_argument("--api-key", required=True, help="the app's client id")
    parser.add_argument("--api-secret", required=True, help="the app's client secret (signs webhooks, HMACs, session tokens)")
    parser.add_argument("--shop", default="demo.myshopify.com", help="shop created at start")
    parser.add_argument("--locations", default="Warehouse", help="comma-separated location names")
    parser.add_argument("--catalog", choices=["apparel", "home-and-garden"], help="bundled catalog to seed")
    parser.add_argument("--install", action="store_true", help="mark the app installed (Shopify-managed install)")
    parser.add_argument("--bucket-size", type=float, default=2000)
    parser.add_argument("--restore-rate", type=float, default=100)
    parser.add_argument("--routing-delay", type=float, default=0.0, help="seconds before fulfillment orders appear")
    parser.add_argument("--extensions", default=None,
                        help="the app's extensions folder: its Flow triggers are accepted")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    store = DevStore(app_url=args.app_url, api_key=args.api_key, api_secret=args.api_secret,
                     bucket_size=args.bucket_size, restore_rate=args.restore_rate,
                     routing_delay=args.routing_delay)
    if args.extensions:
        store.register_flow_triggers(args.extensions)
    store.create_shop(args.shop, locations=[n.strip() for n in args.locations.split(",") if n.strip()])
    if args.catalog:
        store.seed_catalog(args.shop, args.catalog)
    if args.install:
        store.install(args.shop)
    url, stop = store.serve(args.port, args.host)
    print(f"devstore serving {args.shop} at {url}")
    print(f"SHOPIFY_ADMIN_ORIGIN={store.admin_origin(url)}")
    print(f"app launch URL: {store.signed_app_url(args.shop)}")
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    stop()


if __name__ == "__main__":
    main()
