"""The app's tables. Every table that holds a shop's data has a `shop` column, and every table that
holds a customer's personal data has a `customer_id` column: the privacy service relies on both to
purge a shop and to redact a customer without a list to keep in step."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.storage.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class Shop(Base):
    __tablename__ = "shops"

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    installed: Mapped[bool] = mapped_column(Boolean, default=False)
    scopes: Mapped[str] = mapped_column(Text, default="")
    access_token: Mapped[str | None] = mapped_column(Text)  # encrypted
    access_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refresh_token: Mapped[str | None] = mapped_column(Text)  # encrypted
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    installed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    country_code: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    policy: Mapped[dict] = mapped_column(JSON, default=dict)
    alternatives: Mapped[dict] = mapped_column(JSON, default=dict)
    platform: Mapped[str] = mapped_column(String(16), default="shopify", server_default="shopify")
    # The setup guide's steps only the merchant can mark: {"metafields_pinned": bool, "dismissed": bool}
    setup: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    # Raised whenever the mirror's catalog changes what alternatives are drawn from: every
    # process's cached catalog index compares it with its own and is rebuilt when it moved.
    catalog_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SaleorInstall(Base):
    """A Saleor instance the app is installed in (its shop row is keyed by its API URL): the app's
    id there, and the JWKS its webhooks and Dashboard tokens are checked against."""

    __tablename__ = "saleor_installs"

    shop: Mapped[str] = mapped_column(String(255), ForeignKey("shops.shop", ondelete="CASCADE"),
                                      primary_key=True)
    app_id: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str] = mapped_column(String(255), default="")
    schema_version: Mapped[str] = mapped_column(String(16), default="")
    jwks: Mapped[dict] = mapped_column(JSON)
    jwks_fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    webhook_secret: Mapped[str | None] = mapped_column(Text)  # encrypted; legacy HMAC webhooks


class OAuthState(Base):
    """A `state` nonce handed to Shopify's authorize page; used once, then it is spent."""

    __tablename__ = "oauth_states"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebhookReceipt(Base):
    """One webhook delivery. Deliveries of one event share `X-Shopify-Event-Id` (Shopify's rule
    for duplicates; a retry also keeps its `X-Shopify-Webhook-Id`), so the dedupe key is the
    event id, per shop and topic (one action of the merchant may raise several topics); a
    delivery without that header falls back to its webhook id. The webhook id is kept for the
    record. The payload is kept only until the job has processed it, so personal data does not
    linger here."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (UniqueConstraint("shop", "topic", "event_id",
                                       name="uq_webhook_receipts_event"),
                      # The receipts no worker has taken yet: the worker's queue of receipts,
                      # which holds only the few of the moment.
                      Index("ix_webhook_receipts_unqueued", "id",
                            sqlite_where=text("queued_at IS NULL"),
                            postgresql_where=text("queued_at IS NULL")))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(255))
    # One unique index only (it also serves the rare purge of a shop): every index costs each
    # insert of a burst.
    event_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(100))
    shop: Mapped[str] = mapped_column(String(255))
    api_version: Mapped[str | None] = mapped_column(String(20))
    triggered_at: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str | None] = mapped_column(Text)
    # Set when a worker takes the receipt into the job queue. Intake writes the receipt alone (one
    # insert per delivery); a receipt without it is waiting for a worker to take it.
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(255))


class DataExport(Base):
    """What we hold about one customer, produced for a `customers/data_request`."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    data_request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict] = mapped_column(JSON)


# The mirror: what the app keeps of the store to plan without asking the platform.


class Variant(Base):
    """One sellable variant, with what planning (vendor, type) and alternatives need."""

    __tablename__ = "variants"
    __table_args__ = (Index("ix_variants_item", "shop", "inventory_item_id"),)

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(100), index=True)
    inventory_item_id: Mapped[str | None] = mapped_column(String(100))
    product_title: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(255), default="")
    sku: Mapped[str] = mapped_column(String(255), default="")
    vendor: Mapped[str] = mapped_column(String(255), default="")
    product_type: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(20), default="ACTIVE")
    price: Mapped[str] = mapped_column(String(32), default="0")
    inventory_policy: Mapped[str] = mapped_column(String(10), default="DENY")
    options: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    collections: Mapped[list] = mapped_column(JSON, default=list)
    substitutes: Mapped[list] = mapped_column(JSON, default=list)
    tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    # False where the platform's count is the stock on hand as last set, orders not taken out
    # (Saleor without tracking); the units shipped since that count are then counted here.
    counts_orders: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    shipped_since: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StockLevel(Base):
    """Quantities of one inventory item at one location, as the platform last reported them."""

    __tablename__ = "stock_levels"

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    inventory_item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    available: Mapped[int] = mapped_column(Integer, default=0)
    committed: Mapped[int | None] = mapped_column(Integer)
    on_hand: Mapped[int | None] = mapped_column(Integer)
    incoming: Mapped[int | None] = mapped_column(Integer)
    # The second the reading is as of. `exact`: our own read, taken when nothing had changed yet
    # in that second, so a line committed in it is certainly not in the reading; otherwise such
    # a line may or may not be, and `unsettled` asks for a read of the platform to tell.
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exact: Mapped[bool] = mapped_column(Boolean, default=False)
    unsettled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The base: the last reading known to come before every change of the current second (one
    # of an earlier second, or our own exact read of this one). What the second's readings
    # took out of it bounds how many lines of that second they include. None: no reading
    # before, or stock came in during the second (what sold in it is unknown).
    base_available: Mapped[int | None] = mapped_column(Integer)
    base_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Order(Base):
    """On SQLite the queue's search reads `orders_search`, a trigram index of the name and the
    customer kept by triggers (see migration 0020); on PostgreSQL pg_trgm indexes."""

    __tablename__ = "orders"
    # The shop's cancelled orders, few: the numbers leave their lines out without looking up
    # each line's order.
    __table_args__ = (Index("ix_orders_cancelled", "shop", "order_id",
                            sqlite_where=text("cancelled_at IS NOT NULL"),
                            postgresql_where=text("cancelled_at IS NOT NULL")),)

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    number: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    customer_tags: Mapped[list] = mapped_column(JSON, default=list, info={"personal": True})
    # Searched by the admin's queue; set only with a customer id, so redaction erases them.
    customer_name: Mapped[str | None] = mapped_column(String(255), info={"personal": True})
    customer_email: Mapped[str | None] = mapped_column(String(255), info={"personal": True})
    # The merchant released the app's holds on this order from the admin (None: not released):
    # planning holds nothing on it until the merchant takes that back.
    holds_released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # How many updates the merchant asked to send the customer (the queue's "notify").
    updates_asked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The customer chose to have the order ship together: the units ready are held with the owed.
    ship_together: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OrderAction(Base):
    """What a merchant did to an order from the admin, by whom (the staff member's id in the
    session token) and when, shown on the order's view."""

    __tablename__ = "order_actions"
    __table_args__ = (Index("ix_order_actions_order", "shop", "order_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(255), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


WAITING = "backordered > 0 AND open_quantity > 0"  # the lines of ix_order_lines_waiting


class OrderLine(Base):
    """An order line as planning sees it, with the result of the last plan."""

    __tablename__ = "order_lines"
    __table_args__ = (Index("ix_order_lines_pool_time", "shop", "pool", "ordered_at"),
                      Index("ix_order_lines_order", "shop", "order_id"),
                      # the admin's queue views; no plan writes these columns
                      Index("ix_order_lines_variant", "shop", "variant_id"),
                      Index("ix_order_lines_priority", "shop", "manual_priority"),
                      # the admin's numbers, counted from the index alone; a plan writes these
                      # columns only as a line goes short, is filled or is first promised
                      Index("ix_order_lines_ordered", "shop", "ordered_at", "backordered_at",
                            "order_id"),
                      Index("ix_order_lines_promised", "shop", "first_eta", "filled_at",
                            "order_id"),
                      Index("ix_order_lines_waiting", "shop", "variant_id", "backordered_at",
                            "backordered", "open_quantity", "order_id",
                            sqlite_where=text(WAITING), postgresql_where=text(WAITING)))

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    line_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(100))
    variant_id: Mapped[str] = mapped_column(String(100))
    pool: Mapped[str] = mapped_column(String(220))
    title: Mapped[str] = mapped_column(String(255), default="")
    open_quantity: Mapped[int] = mapped_column(Integer)
    ordered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    manual_priority: Mapped[int] = mapped_column(Integer, default=0)
    covered: Mapped[int] = mapped_column(Integer, default=0)
    backordered: Mapped[int] = mapped_column(Integer, default=0)
    # The line's place in its pool's queue plus the pool's `position_offset` (None when not
    # waiting): filling the head of a queue moves the offset, not every waiting line's ticket.
    queue_ticket: Mapped[int | None] = mapped_column(Integer)
    eta: Mapped[date | None] = mapped_column(Date)
    eta_earliest: Mapped[date | None] = mapped_column(Date)
    eta_latest: Mapped[date | None] = mapped_column(Date)
    eta_source: Mapped[str | None] = mapped_column(String(32))
    eta_confidence: Mapped[str | None] = mapped_column(String(16))
    eta_restock_id: Mapped[str | None] = mapped_column(String(64))
    eta_slipped: Mapped[bool] = mapped_column(Boolean, default=False)
    first_eta: Mapped[date | None] = mapped_column(Date)
    backordered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    filled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    alternatives: Mapped[list] = mapped_column(JSON, default=list)
    # What the store was last told of the line (ready units, open units then): a unit told ready
    # is never taken back by a line that sorts ahead later. Written by the sync.
    told_ready: Mapped[int] = mapped_column(Integer, default=0)
    told_quantity: Mapped[int] = mapped_column(Integer, default=0)
    shipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Pool(Base):
    """One pool's row: locked while the pool is planned, so two workers never over-allocate.

    The last plan's totals are kept with it, so that an order appended to the queue's tail or a
    stock reading that moves nothing is planned without reading the pool's lines. `tail` is the
    queue key of the last line; `open_units` is None until a plan has counted them."""

    __tablename__ = "pools"

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    pool: Mapped[str] = mapped_column(String(220), primary_key=True)
    supply: Mapped[int] = mapped_column(Integer, default=0)
    units_owed: Mapped[int] = mapped_column(Integer, default=0)
    short_since: Mapped[date | None] = mapped_column(Date)
    planned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    units_covered: Mapped[int] = mapped_column(Integer, default=0)
    open_units: Mapped[int | None] = mapped_column(Integer)
    lines_waiting: Mapped[int] = mapped_column(Integer, default=0)
    position_offset: Mapped[int] = mapped_column(Integer, default=0)
    tail: Mapped[list | None] = mapped_column(JSON)


class RestockRow(Base):
    __tablename__ = "restocks"
    __table_args__ = (Index("ix_restocks_pool", "shop", "pool"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255))
    pool: Mapped[str] = mapped_column(String(220))
    variant_id: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)
    expected_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(32), default="merchant")
    reference: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EtaChangeRow(Base):
    """Every change of a line's ETA: old, new, why."""

    __tablename__ = "eta_changes"
    # The moves of a window (later, earlier), found by reason and counted by day from the index
    # alone, among the many first promises.
    __table_args__ = (Index("ix_eta_changes_time", "shop", "reason", "changed_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255), index=True)
    line_id: Mapped[str] = mapped_column(String(100), index=True)
    old_eta: Mapped[date | None] = mapped_column(Date)
    new_eta: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(255))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CustomerAction(Base):
    """What a customer did to their order from their page, once per form sent (`key`): taken
    off, or refused with the platform's reason. Shown to the merchant on the order."""

    __tablename__ = "customer_actions"
    __table_args__ = (UniqueConstraint("shop", "key", name="uq_customer_actions_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    order_id: Mapped[str] = mapped_column(String(100))
    line_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    units: Mapped[int] = mapped_column(Integer)
    to_variant_id: Mapped[str | None] = mapped_column(String(100))  # what a swap put in
    status: Mapped[str] = mapped_column(String(16))  # started, done, refused
    message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The money side of a cancel or a swap: issued (by the app), owed (left to staff), or None.
    refund: Mapped[str | None] = mapped_column(String(16))
    refund_note: Mapped[str] = mapped_column(String(500), default="", server_default="")


class NoticeSent(Base):
    """A notice the platform took (a Shopify Flow trigger fired), once per order and key: what
    the admin's insights count per kind."""

    __tablename__ = "notices_sent"
    __table_args__ = (UniqueConstraint("shop", "order_id", "key", name="uq_notices_sent_key"),
                      Index("ix_notices_sent_time", "shop", "sent_at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StockoutRow(Base):
    """A variant's stockout and, once stock came back, its restock: the lead-time history."""

    __tablename__ = "stockouts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255), index=True)
    pool: Mapped[str] = mapped_column(String(220))
    variant_id: Mapped[str] = mapped_column(String(100))
    vendor: Mapped[str] = mapped_column(String(255), default="")
    stockout_on: Mapped[date] = mapped_column(Date)
    restocked_on: Mapped[date | None] = mapped_column(Date)
    expected_on: Mapped[date | None] = mapped_column(Date)


class ObjectSync(Base):
    """A platform write that is not an order's (a variant's inventory policy, a product's pinned
    substitutes): wanted, last applied, and pending until the platform has it."""

    __tablename__ = "object_sync"
    __table_args__ = (Index("ix_object_sync_pending", "shop", "pending"),)

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    desired: Mapped[dict] = mapped_column(JSON)
    applied: Mapped[dict | None] = mapped_column(JSON)
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class OrderSync(Base):
    """What the platform should show for an order (desired) and what it was last seen to show
    after a successful sync (applied). The sync sends only the difference."""

    __tablename__ = "order_sync"
    __table_args__ = (Index("ix_order_sync_pending", "shop", "pending"),
                      Index("ix_order_sync_holds_due", "shop", "holds_due"))

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    desired: Mapped[dict] = mapped_column(JSON, default=dict)
    applied: Mapped[dict] = mapped_column(JSON, default=dict)
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    awaiting_fulfillment_orders: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its holds changed and the sync has not placed them yet: they go out before any tag or field.
    holds_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class GoodwillCode(Base):
    """A goodwill code for an order that waited long: one per order, whether given (`wanted`
    until the platform has it, then `created`) or not (`skipped`, with the reason: the cap or
    the month's budget). `worth` counts against the budget of the month it was given in."""

    __tablename__ = "goodwill_codes"
    __table_args__ = (UniqueConstraint("shop", "order_id", name="uq_goodwill_codes_order"),
                      Index("ix_goodwill_codes_month", "shop", "month"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    code: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    amount: Mapped[str] = mapped_column(String(32))
    worth: Mapped[str] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(String(16))  # wanted, created, skipped
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class NoticeListener(Base):
    """Whether a shop listens to one kind of notice, as of `stamped_at`, the platform's time of
    saying so. A `kind` that is no kind of notice ("*", a trigger the app does not know)
    speaks for every kind without a row of its own (migration 0022)."""

    __tablename__ = "notice_listeners"

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(255), primary_key=True)
    listening: Mapped[bool] = mapped_column(Boolean)
    stamped_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FulfillmentOrderOwner(Base):
    """The order a fulfillment order belongs to, kept for those the app's writes change (a
    fulfillment order never moves to another order). Migration 0023."""

    __tablename__ = "fulfillment_order_owners"

    shop: Mapped[str] = mapped_column(String(255), primary_key=True)
    fulfillment_order_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(255))
