"""Builds the app's services from the configuration, the clock and the platform adapters.
The app factory calls this once; tests call it with a fake clock or a fake gateway."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

from app.config import Config
from app.jobs import Queue, make_huey
from app.platforms.router import PlatformRouter
from app.platforms.saleor import events as saleor_events
from app.platforms.saleor.api import SaleorApi
from app.platforms.saleor.gateway import SaleorGateway
from app.platforms.saleor.installs import SaleorInstalls
from app.platforms.shopify import events as shopify_events
from app.platforms.shopify.client import AdminClient
from app.platforms.shopify.gateway import ShopifyGateway
from app.platforms.shopify.oauth import TokenEndpoint
from app.services.admin import Admin
from app.services.alternatives import Alternatives
from app.services.backlog import Backlog
from app.services.backorders import BackorderHandlers
from app.services.customer_actions import CustomerActions
from app.services.customer_backorders import CustomerBackorders
from app.services.events import Events
from app.services.fulfillment_events import FulfillmentEvents
from app.services.installs import Installs
from app.services.intake import Intake
from app.services.notice_listeners import NoticeListeners
from app.services.notice_preview import NoticePreview
from app.services.onboarding import Onboarding
from app.services.planning import Planning
from app.services.ports import PlatformGateway
from app.services.reconcile import Reconciliation
from app.services.restocks import Restocks
from app.services.sync import BACKLOG_BATCH, BATCH, Sync
from app.storage import shops as shop_store
from app.storage.db import Database
from app.storage.token_cipher import TokenCipher
from webhooks.registry import SALEOR_TOPICS, TOPICS


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    config: Config
    clock: Callable[[], datetime]
    db: Database
    http: requests.Session
    cipher: TokenCipher
    tokens: TokenEndpoint
    installs: Installs
    intake: Intake
    events: Events
    planning: Planning
    alternatives: Alternatives
    sync: Sync
    onboarding: Onboarding
    reconcile: Reconciliation
    gateway: PlatformGateway  # every platform's, each shop's call going to its own
    shopify_gateway: PlatformGateway
    admin_client: AdminClient | None
    saleor_installs: SaleorInstalls
    backorders: BackorderHandlers
    admin: Admin
    restocks: Restocks
    backlog: Backlog
    queue: Queue
    customer_backorders: CustomerBackorders
    customer_actions: CustomerActions
    notice_preview: NoticePreview
    listeners: NoticeListeners

    def close(self) -> None:
        self.db.dispose()
        self.http.close()


def granted_scopes(db: Database) -> Callable[[str], frozenset[str]]:
    """The scopes a shop granted, as recorded at install and on app/scopes_update."""

    def scopes(shop: str) -> frozenset[str]:
        with db.transaction() as s:
            granted = shop_store.scopes(s, shop) or ""
        return frozenset(scope.strip() for scope in granted.split(",") if scope.strip())

    return scopes


def platform_of(db: Database) -> Callable[[str], str]:
    """The platform a shop is on; a shop never changes platform, so the answer is kept."""
    known: dict[str, str] = {}

    def platform(shop: str) -> str:
        if shop not in known:
            with db.read() as s:
                found = shop_store.platform(s, shop)
            if found is None:
                return "shopify"
            known[shop] = found
        return known[shop]

    return platform


def build_services(config: Config, clock: Callable[[], datetime] = utc_now,
                   http: requests.Session | None = None,
                   gateway: PlatformGateway | None = None) -> Services:
    """`gateway` replaces the Shopify adapter (tests pass an in-memory fake)."""
    db = Database(config.database_url)
    http = http or requests.Session()
    cipher = TokenCipher(config.token_encryption_keys)
    tokens = TokenEndpoint(config, http, clock)
    intake = Intake(db, clock)
    queue = Queue(make_huey(config), config)
    installs = Installs(db, cipher, tokens, clock, queue.enqueue)
    admin_client = None
    if gateway is None:
        admin_client = AdminClient(config.admin_origin, config.api_version, session=http,
                                   connect_timeout=config.connect_timeout_s,
                                   read_timeout=config.read_timeout_s)
        gateway = ShopifyGateway(admin_client, installs, http, scopes=granted_scopes(db),
                                 clock=clock, bulk_after_s=config.bulk_after_s)
    saleor_api = SaleorApi(http, config.connect_timeout_s, config.read_timeout_s)
    saleor_installs = SaleorInstalls(db, cipher, saleor_api, clock, config.saleor_api_urls)
    shopify_gateway = gateway
    gateway = PlatformRouter({"shopify": gateway,
                              "saleor": SaleorGateway(saleor_api, saleor_installs.token)},
                             platform_of(db))
    alternatives = Alternatives()
    planning = Planning(clock, alternatives.suggestions_for_lines, alternatives.overclaimed)
    events = Events(db, intake, clock, {**TOPICS, **SALEOR_TOPICS}, config.webhook_max_attempts,
                    queue.enqueue)
    backorders = BackorderHandlers(db, planning, gateway, clock)
    shopify_events.register(events, backorders, FulfillmentEvents(db, gateway, clock))
    saleor_events.register(events, backorders)
    services = Services(
        config=config, clock=clock, db=db, http=http, cipher=cipher, tokens=tokens,
        installs=installs, intake=intake, events=events, planning=planning,
        alternatives=alternatives, sync=Sync(db, gateway, clock, settle_s=config.sync_delay_s,
                                          backlog_batch=BACKLOG_BATCH if config.bulk_after_s
                                          else BATCH),
        onboarding=Onboarding(db, gateway, clock),
        reconcile=Reconciliation(db, planning, gateway, clock),
        gateway=gateway, shopify_gateway=shopify_gateway, admin_client=admin_client,
        saleor_installs=saleor_installs, backorders=backorders,
        admin=Admin(db, planning, clock, queue.enqueue),
        restocks=Restocks(db, planning, clock, queue.enqueue),
        backlog=Backlog(db, queue.counts), queue=queue,
        customer_backorders=CustomerBackorders(db),
        customer_actions=CustomerActions(db, gateway, clock, planning, queue.enqueue),
        notice_preview=NoticePreview(db, gateway, clock),
        listeners=NoticeListeners(db),
    )
    queue.attach(services)
    return services
