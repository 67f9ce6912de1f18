"""Local Shopify store simulator: Admin GraphQL over the real 2026-10 schema, OAuth and token
exchange, signed webhooks, cost-based throttling and injected faults. Independent of the app."""

from .clock import ManualClock, SystemClock
from .core import StoreError
from .store import DevStore

__all__ = ["DevStore", "ManualClock", "StoreError", "SystemClock"]
