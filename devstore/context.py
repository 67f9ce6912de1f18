"""What a GraphQL resolver knows about the request it serves."""

from __future__ import annotations

from dataclasses import dataclass

from .core import Core
from .model import Shop


@dataclass
class RequestContext:
    core: Core
    shop: Shop
    app_id: int
    base_url: str  # where the simulator is reachable, for bulk result URLs
    bulk: bool = False  # bulk queries may omit first/last on connections
