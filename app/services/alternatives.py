"""In-stock alternatives for backordered lines, from the mirrored catalog and stock.

The catalog index is built per shop from the mirror and kept for a short while in this process.
Stock is read for every call, but only of the variants a lookup looks at, so a suggestion that sold
out disappears at the next plan and a large shop costs no more than a small one.

Units offered to one line are not offered to another: what the waiting lines ahead of it in the
queue (by order time) already claim, and what this call offered to the lines before, is taken out
of the stock first. Lines behind it do not count, so a line's offers never depend on the order
in which the orders reached us; planning looks again at the lines behind one that took more."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from app.domain.alternatives import (
    AlternativesSettings,
    CatalogIndex,
    CatalogVariant,
    Suggestion,
    as_entry,
    suggest,
)
from app.services.mirror import pool_of
from app.storage import shops as shop_store
from app.storage import stock as stock_store
from app.storage.db import Tx
from app.storage.tables import OrderLine

READ_CHUNK = 500  # ids per IN list: well inside every driver's limit on bound parameters
ROWS_PER_LOOK = 20  # stock rows read in the time a lookup looks at one product, about
_ALL_LOCATIONS = pool_of("")  # what follows a variant's id in the name of its pool


class Alternatives:
    def __init__(self):
        self._indexes: dict[str, tuple[int, CatalogIndex, dict[str, str], frozenset[str]]] = {}
        self._claims: dict[str, _Claims] = {}
        self._lock = threading.Lock()

    def for_lines(self, s: Tx, shop: str, lines: list[OrderLine]) -> dict[str, list[str]]:
        """Suggested variant ids per backordered line, best first."""
        return {line_id: [entry["variant_id"] for entry in entries]
                for line_id, entries in self.suggestions_for_lines(s, shop, lines).items()}

    def suggestions_for_lines(self, s: Tx, shop: str,
                              lines: list[OrderLine]) -> dict[str, list[dict]]:
        """Per backordered line, its suggestions as the line stores them: {variant_id, reason,
        weak}, best first."""
        if not lines:
            return {}
        row = shop_store.find(s, shop)
        settings = AlternativesSettings.from_dict((row.alternatives if row else None) or {})
        if not settings.enabled:
            return {}
        index, items, uncounted = self._index(s, shop, row.catalog_version if row else 0)
        stock = ShopStock(s, shop, index, items, {line.line_id for line in lines}, self._claims,
                          uncounted)
        found = _suggest_lines(index, stock, lines, settings)
        return {line_id: [sg.to_entry() for sg in suggestions]
                for line_id, suggestions in found.items()}

    def overclaimed(self, s: Tx, shop: str, variant_ids: set[str]) -> set[str]:
        """Of these variants, those with fewer units than the waiting lines' suggestions claim
        of them: a line suggesting one of the others still finds its units, whatever its place
        in the queue."""
        if not variant_ids:
            return set()
        rows = stock_store.items_of(s, shop, sorted(variant_ids))
        items = {r.variant_id: r.inventory_item_id for r in rows if r.inventory_item_id}
        uncounted = frozenset(r.variant_id for r in rows if not r.counts_orders)
        stock = ShopStock(s, shop, None, items, set(), self._claims, uncounted)
        stock.prefetch(variant_ids)
        return {v for v in variant_ids if stock.unclaimed(v) < 0}

    def _index(self, s: Tx, shop: str,
               version: int) -> tuple[CatalogIndex, dict[str, str], frozenset[str]]:
        """The shop's catalog index, each variant's inventory item, and the variants whose
        count does not take out what orders hold; rebuilt when the shop's catalog version
        moved (every change of the catalog raises it, whichever process made it)."""
        with self._lock:
            cached = self._indexes.get(shop)
        if cached and cached[0] == version:
            return cached[1:]
        rows = stock_store.catalog(s, shop)
        index = CatalogIndex.build(_catalog_variant(r) for r in rows)
        items = {r.variant_id: r.inventory_item_id for r in rows if r.inventory_item_id}
        uncounted = frozenset(r.variant_id for r in rows if not r.counts_orders)
        if shop not in shop_store.catalog_changed_in(s):  # else it may yet be rolled back
            with self._lock:
                self._indexes[shop] = (version, index, items, uncounted)
        return index, items, uncounted


def _suggest_lines(index: CatalogIndex, stock: ShopStock, lines: list[OrderLine],
                   settings: AlternativesSettings) -> dict[str, list[Suggestion]]:
    """Suggest for each line in turn, each offer taking its units out of the stock the next line
    sees, after what other waiting lines claim."""
    found: dict[str, list[Suggestion]] = {}
    for line in sorted(lines, key=lambda x: (x.ordered_at, x.line_id)):
        stock.ahead_of(line)
        quantity = max(1, line.backordered)
        found[line.line_id] = suggest(index, line.variant_id, None, quantity, settings, stock)
        stock.offer((sg.variant_id for sg in found[line.line_id]), quantity)
    return found


class ShopStock:
    """The stock one call sees: pools read from the mirror in batches, as lookups ask for them,
    less the units claimed by other waiting lines' suggestions and offered in this call.

    Claims are read for the whole shop at the first question, once per call: the stored
    suggestions of the shop's waiting lines, each list parsed once per process (the same text
    names the same variants, and most waiting lines keep theirs from one call to the next).
    `index`: None when only counts are asked (`unclaimed`), no lookup."""

    def __init__(self, s: Tx, shop: str, index: CatalogIndex | None, items: dict[str, str],
                 lines: set[str], claims: dict[str, _Claims] | None = None,
                 uncounted: frozenset[str] = frozenset()):
        self._s, self._shop, self._items, self._lines = s, shop, items, lines
        self._uncounted = uncounted
        self._index = index
        self._stocked: frozenset[str] | None = None
        self._last_claims = {} if claims is None else claims
        self._pools: dict[str, dict[str, int]] = {}
        self._claimed: dict[str, int] = {}
        self._ahead: dict[str, int] = {}
        self._read: _Claims | None = None
        self._whole: dict[str, int] | None = None  # the claims of every line outside the call
        self._cursor = 0
        self._offered: dict[str, int] = {}

    def available(self, variant_id: str, location_id: str | None) -> int:
        if variant_id not in self._pools:
            self.prefetch((variant_id,))
        pools = self._pools[variant_id]
        units = sum(pools.values()) if location_id is None else pools.get(location_id, 0)
        return units - self._claimed.get(variant_id, 0) - self._offered.get(variant_id, 0)

    def prefetch(self, variant_ids: Iterable[str]) -> None:
        """Read the pools of the variants not read yet, a chunk of items per query."""
        wanted: dict[str, str] = {}
        pools, items = self._pools, self._items
        for variant_id in variant_ids:
            if variant_id not in pools:
                pools[variant_id] = {}
                item = items.get(variant_id)
                if item:
                    wanted[item] = variant_id
        chunks = list(wanted)
        for start in range(0, len(chunks), READ_CHUNK):
            chunk = chunks[start:start + READ_CHUNK]
            for item, location, units in stock_store.levels(self._s, self._shop, chunk):
                pools[wanted[item]][location] = units
            uncounted = [wanted[i] for i in chunk if wanted[i] in self._uncounted]
            if not uncounted:  # every other count already leaves out what orders hold
                continue
            for variant_id, shipped, open_units in stock_store.uncounted_needs(
                    self._s, self._shop, uncounted, _ALL_LOCATIONS):
                # Its count is the stock on hand as last set: what shipped since, and every
                # unit its own open lines need, are not free.
                pools[variant_id][""] = -(shipped or 0) - (open_units or 0)

    def stocked_products(self, looked: int) -> frozenset[str] | None:
        """The products with a variant in stock at some location (every product whose variants
        can add up to a unit is among them), read once per call: one query over the shop's
        stock levels, once the lookup has looked at enough products for the query to cost less
        than looking on."""
        if self._stocked is None and looked * ROWS_PER_LOOK < len(self._items):
            return None
        if self._stocked is None:
            by_item = {item: variant_id for variant_id, item in self._items.items()}
            products = set()
            for (item,) in stock_store.stocked_items(self._s, self._shop):
                variant = self._index.variant(by_item.get(item, ""))
                if variant is not None:
                    products.add(variant.product_id)
            self._stocked = frozenset(products)
        return self._stocked

    def unclaimed(self, variant_id: str) -> int:
        """Units no waiting line outside the call claims (nor this call offered)."""
        self._count_every_claim()
        return self.available(variant_id, None)

    def _count_every_claim(self) -> None:
        if self._whole is None:
            self._whole = self._all_claims(self._claims())
        self._claimed = self._whole

    def offer(self, variant_ids: Iterable[str], quantity: int) -> None:
        for variant_id in variant_ids:
            self._offered[variant_id] = self._offered.get(variant_id, 0) + quantity

    def ahead_of(self, line) -> None:
        """From here on, count the claims of the other waiting lines ahead of this one in the
        queue. Lines come in queue order, so the sums only grow; a line behind every stored
        claim (a new order at the tail, the common case) takes the sums of the whole shop."""
        claims = self._claims()
        key = (stock_store.stored_time(self._s, line.ordered_at), line.line_id)
        if claims.last is not None and key < claims.last:
            queue = claims.queue()
            while self._cursor < len(queue) and queue[self._cursor][:2] < key:
                _, line_id, owed, ids = queue[self._cursor]
                if line_id not in self._lines:
                    for variant_id in ids:
                        self._ahead[variant_id] = self._ahead.get(variant_id, 0) + owed
                self._cursor += 1
            self._claimed = self._ahead
        else:
            self._count_every_claim()

    def _claims(self) -> _Claims:
        """The stored claims, read once per call. When they are the rows the shop's last call
        read, that call's sums are used again."""
        if self._read is None:
            rows = stock_store.waiting_suggestions(self._s, self._shop)
            last = self._last_claims.get(self._shop)
            if last is None or last.rows != rows:
                last = self._last_claims[self._shop] = _Claims(rows)
            self._read = last
        return self._read

    def _all_claims(self, claims: _Claims) -> dict[str, int]:
        """Units claimed per variant by every waiting line outside this call."""
        if not self._lines & claims.owed.keys():
            return claims.totals
        totals = dict(claims.totals)
        for line_id in self._lines & claims.owed.keys():
            owed, ids = claims.owed[line_id]
            for variant_id in ids:
                totals[variant_id] -= owed
        return totals


class _Claims:
    """What the shop's waiting lines claim, as one read found it: the rows, the sums per
    variant, and each line's part."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows
        self.totals: dict[str, int] = {}
        self.owed: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.last = max(((row[3], row[0]) for row in rows), default=None)  # the queue's tail
        self._queue: list[tuple] | None = None
        get = self.totals.get
        for line_id, owed, text, _ in rows:
            ids = _suggested_ids(text)
            self.owed[line_id] = (owed, ids)
            for variant_id in ids:
                self.totals[variant_id] = get(variant_id, 0) + owed

    def queue(self) -> list[tuple]:
        """(order time, line, units owed, variants claimed) in queue order, sorted once."""
        if self._queue is None:
            self._queue = sorted((row[3], row[0], *self.owed[row[0]]) for row in self.rows)
        return self._queue


_PARSED_LIMIT = 100_000
_parsed: dict[str, tuple[str, ...]] = {}


def _suggested_ids(text: str) -> tuple[str, ...]:
    """The distinct variant ids of a line's stored suggestions (JSON text), memoised."""
    ids = _parsed.get(text)
    if ids is None:
        ids = tuple(dict.fromkeys(as_entry(e)["variant_id"] for e in json.loads(text)))
        if len(_parsed) >= _PARSED_LIMIT:
            _parsed.clear()
        _parsed[text] = ids
    return ids


def _catalog_variant(row) -> CatalogVariant:
    try:
        price = Decimal(row.price or "0")
    except InvalidOperation:
        price = Decimal(0)
    status = row.status if row.status in ("ACTIVE", "DRAFT", "ARCHIVED") else "ARCHIVED"
    return CatalogVariant(
        variant_id=row.variant_id, product_id=row.product_id, product_title=row.product_title,
        variant_title=row.title, options=tuple(tuple(o) for o in row.options or []),
        product_type=row.product_type, vendor=row.vendor, tags=frozenset(row.tags or []),
        collections=frozenset(row.collections or []), price=price, status=status,
        pinned_substitutes=tuple(row.substitutes or []))
