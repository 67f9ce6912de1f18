"""The app's tables. Every table that holds a shop's data has a `shop` column, and every table that
holds a customer's personal data has a `customer_id` column: the privacy service relies on both to
purge a shop and to redact a customer without a list to keep in step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String, Text, UniqueConstraint
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


class OAuthState(Base):
    """A `state` nonce handed to Shopify's authorize page; used once, then it is spent."""

    __tablename__ = "oauth_states"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    shop: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebhookReceipt(Base):
    """One webhook delivery. The unique `webhook_id` is the dedupe key; the payload is kept only
    until the job has processed it, so personal data does not linger here."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (UniqueConstraint("webhook_id", name="uq_webhook_receipts_webhook_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str | None] = mapped_column(String(255), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    shop: Mapped[str] = mapped_column(String(255), index=True)
    api_version: Mapped[str | None] = mapped_column(String(20))
    triggered_at: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str | None] = mapped_column(Text)
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
