"""`flask --app app queue status`: what is left to do, until the store shows everything."""

from __future__ import annotations

import json

from app import create_app
from app.config import load_config
from app.services.messages import ReofferShop
from tests.integration.helpers import install, post_webhook
from tests.integration.test_backorder_flow import order_payload


def status(app) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["queue", "status", "--json"])
    return result.exit_code, json.loads(result.output)


def test_a_backordered_order_is_pending_until_the_store_shows_it(env, clock, platform):
    app = create_app(load_config(env), clock=clock, migrate=False, gateway=platform)
    services = app.extensions["backorders"]
    install(services)
    services.queue.drain()
    assert status(app) == (0, {"webhooks": 0, "jobs_ready": 0, "jobs_scheduled": 0,
                               "order_syncs": 0, "object_syncs": 0, "settled": True})

    platform.route("gid://shopify/Order/1", {"gid://shopify/LineItem/11": 3})
    post_webhook(app.test_client(), "orders/create", order_payload(1, [(11, 1, 3)]))
    code, found = status(app)  # recorded, not yet taken by a worker
    assert (code, found["webhooks"], found["jobs_ready"], found["settled"]) == (1, 1, 0, False)
    services.queue.take_receipts()
    code, found = status(app)
    assert (code, found["webhooks"], found["jobs_ready"], found["settled"]) == (1, 1, 1, False)

    services.queue.huey.execute(services.queue.huey.dequeue())  # the webhook, and nothing else
    code, found = status(app)
    assert (found["webhooks"], found["order_syncs"], found["jobs_ready"]) == (0, 1, 1)
    assert code == 1

    services.queue.drain()
    assert status(app)[0] == 0
    assert platform.held("gid://shopify/Order/1") == {"gid://shopify/LineItem/11": 1}
    services.close()


def test_the_text_form_names_each_count(app):
    result = app.test_cli_runner().invoke(args=["queue", "status"])
    assert result.exit_code == 0
    assert "webhooks: 0" in result.output and "settled: true" in result.output


def test_one_reoffer_waits_per_shop_and_a_new_ask_after_it_ran_queues_another(env, clock,
                                                                                platform):
    app = create_app(load_config({**env, "REOFFER_DELAY_SECONDS": "60"}), clock=clock,
                     migrate=False, gateway=platform)
    queue = app.extensions["backorders"].queue
    queue.huey.flush()
    for shop in ("a.myshopify.com", "a.myshopify.com", "b.myshopify.com"):
        queue.enqueue(ReofferShop(shop))
    passes = queue.huey.pending()
    assert [task.args for task in passes] == [("a.myshopify.com",), ("b.myshopify.com",)]
    assert all(task.eta is not None for task in passes)  # each a minute out
    queue.huey.get("reoffer-queued:a.myshopify.com")  # as the pass does when it starts
    queue.enqueue(ReofferShop("a.myshopify.com"))
    assert len(queue.huey.pending()) == 3
    queue.huey.flush()
