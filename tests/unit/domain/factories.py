"""Small builders for domain tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.domain.model import Line, Restock

POOL = "gid://shopify/ProductVariant/1@*"
TODAY = date(2026, 3, 4)  # a Wednesday
T0 = datetime(2026, 3, 1, 9, 0)


def line(n: int, quantity: int = 1, minutes: int | None = None, **kwargs) -> Line:
    """Line `n`, ordered `minutes` after T0 (default: n minutes, so ids follow order time)."""
    at = T0 + timedelta(minutes=n if minutes is None else minutes)
    return Line(f"l{n:03d}", kwargs.pop("order_id", f"o{n:03d}"), POOL, quantity, at, **kwargs)


def restock(n: int, quantity: int, on: date, **kwargs) -> Restock:
    return Restock(f"r{n}", POOL, quantity, on, **kwargs)
