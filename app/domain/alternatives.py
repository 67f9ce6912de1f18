"""Alternative products for a backordered line: the in-stock variants a merchant would suggest by hand.

Two parts:

* `CatalogIndex` keeps the catalog and the stock of every pool in memory, with inverted indexes
  (by product, product type, vendor, collection, tag, title word) so a lookup touches only related
  products. Catalog sync and stock changes update it in place; nothing is ever rebuilt.
* `suggest` ranks candidates by a transparent score: a weighted sum of parts, each part giving one
  reason shown to the merchant. The weights make the order of preference explicit: another variant
  of the same product beats a merchant-pinned substitute, which beats everything else; among the rest,
  product type weighs most, then collection and title words, tags, vendor.

Hard rules, never traded against score: a suggestion can ship now from the line's location in the
quantity ordered, is never the backordered variant, belongs to an ACTIVE product without an excluded
tag, and is priced within the merchant's band. The band is a rule, not a penalty: a merchant who says
"within 25%" does not expect a sofa at twice the price, however similar it is.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from app.domain.errors import InvalidInput

STATUSES = ("ACTIVE", "DRAFT", "ARCHIVED")

# Score weights. Each is the most its part can add; see `suggest` for how a part is measured.
W_SAME_PRODUCT = 100.0
W_PINNED = 50.0
W_TYPE = 10.0
W_COLLECTION = 6.0
W_TITLE = 6.0
W_TAGS = 4.0
W_VENDOR = 2.0
W_OPTIONS = 5.0
W_PRICE = 2.0

# A title word, tag or collection found in more products than this tells nothing about what a
# product is ("set", "sale", a store-wide promotion); its posting list is not walked. It still
# counts towards the parts of candidates found through other links, so this bounds the candidate
# set without changing any score.
MAX_LINK_PRODUCTS = 1500

# Options that decide whether an item fits weigh double: a customer may take another colour, but
# rarely another size.
_FIT_OPTIONS = ("size", "fit", "length", "waist", "inseam", "width")
_FIT_WEIGHT = 2

_STOP_WORDS = frozenset({"a", "an", "and", "the", "of", "for", "with", "in", "on", "by", "to", "or"})
_WORD = re.compile(r"[^\W_]+")
_EPSILON = 1e-3  # more than the rounding of scores to 4 decimals can move them

# A weak match (another product type, neither the same product nor pinned) is offered at most
# once per line: one says "nothing like it is in stock"; three would bury that under noise.
MAX_WEAK = 1
WEAK_REASON = "weak match: not the same type"

# Products whose stock is asked for at once, doubling each round: a lookup usually ends within the
# first rounds, and stock read from a database costs per round trip more than per row.
FIRST_STOCK_BATCH = 4
LOOKED_AT_BEFORE_ASKING = 60  # products looked at before asking which may have stock


@dataclass(frozen=True, slots=True)
class CatalogVariant:
    """One sellable variant with the product fields ranking needs, as the catalog sync mirrors it."""

    variant_id: str
    product_id: str
    product_title: str
    variant_title: str
    options: tuple[tuple[str, str], ...]
    product_type: str
    vendor: str
    tags: frozenset[str]
    collections: frozenset[str]
    price: Decimal
    status: str = "ACTIVE"
    pinned_substitutes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A variant to offer instead; `score` is the sum of the parts that `reasons` name, in order,
    rounded to 4 decimals. `weak`: of another product type, so the customer should be told."""

    variant_id: str
    product_id: str
    score: float
    reasons: tuple[str, ...]
    weak: bool = False

    @property
    def reason(self) -> str:
        """The sentence shown to the merchant and the customer; a weak match says so first."""
        return ", ".join((WEAK_REASON, *self.reasons) if self.weak else self.reasons)

    def to_entry(self) -> dict:
        """The suggestion as a line stores it and the store shows it."""
        return {"variant_id": self.variant_id, "reason": self.reason, "weak": self.weak}


def as_entry(stored: str | Mapping) -> dict:
    """A stored suggestion as {variant_id, reason, weak}. Lines suggested before reasons were kept
    hold bare variant ids: those read with an empty reason."""
    if isinstance(stored, str):
        return {"variant_id": stored, "reason": "", "weak": False}
    return {"variant_id": stored["variant_id"], "reason": stored.get("reason", ""),
            "weak": bool(stored.get("weak", False))}


class Stock(Protocol):
    """What a lookup needs of stock: units of a pool, and a hint of the variants it will ask about
    next, so stock kept outside memory can be read in a few batches."""

    def available(self, variant_id: str, location_id: str | None) -> int: ...

    def prefetch(self, variant_ids: Iterable[str]) -> None: ...

    def stocked_products(self, looked: int) -> Collection[str] | None:
        """Every product that may have a unit (more is fine), or None when it is not known, or
        not worth knowing yet for a lookup that has looked at `looked` products (it asks again
        after the next batch)."""
        ...


@dataclass(frozen=True)
class AlternativesSettings:
    """The merchant's choices. Validated on construction so no invalid setting reaches ranking."""

    enabled: bool = True
    max_suggestions: int = 3
    price_band_percent: int = 25
    same_type_only: bool = False
    excluded_tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("enabled", "same_type_only"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidInput(f"{name} must be true or false", field=name)
        _check_int(self.max_suggestions, "max_suggestions", 1, 10)
        _check_int(self.price_band_percent, "price_band_percent", 0, 100)
        tags = self.excluded_tags
        if isinstance(tags, str) or not isinstance(tags, tuple | list):
            raise InvalidInput("excluded_tags must be a list of tags", field="excluded_tags")
        if not all(isinstance(tag, str) and tag.strip() for tag in tags):
            raise InvalidInput("excluded_tags must be non-empty strings", field="excluded_tags")
        object.__setattr__(self, "excluded_tags", tuple(dict.fromkeys(t.strip() for t in tags)))

    @classmethod
    def from_dict(cls, data: Mapping) -> AlternativesSettings:
        """Settings from the admin's JSON; an unknown key is an error, so a typo is not ignored."""
        if not isinstance(data, Mapping):
            raise InvalidInput("settings must be an object", field="alternatives")
        known = set(cls.__dataclass_fields__)
        for key in data:
            if key not in known:
                raise InvalidInput(f"unknown setting {key!r}", field=str(key))
        return cls(**data)

    def to_dict(self) -> dict:
        return {
            "enabled": self.enabled,
            "max_suggestions": self.max_suggestions,
            "price_band_percent": self.price_band_percent,
            "same_type_only": self.same_type_only,
            "excluded_tags": list(self.excluded_tags),
        }

    @property
    def excluded_tag_keys(self) -> frozenset[str]:
        return frozenset(_key(tag) for tag in self.excluded_tags)


def _check_int(value, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}", field=name)


def _key(text: str) -> str:
    """Comparison key: case and spacing do not make two tags, types or vendors different."""
    return " ".join(text.split()).casefold()


def title_words(title: str) -> frozenset[str]:
    """The words of a title that can link two products (stop words carry no meaning)."""
    return frozenset(w for w in _WORD.findall(title.casefold()) if w not in _STOP_WORDS)


@dataclass(frozen=True, slots=True)
class _ProductFields:
    """What a product contributes to ranking, derived once from the latest variant record."""

    title: str
    type_key: str
    vendor_key: str
    tags: frozenset[str]
    tag_keys: frozenset[str]
    collections: frozenset[str]
    words: frozenset[str]
    status: str
    pinned: tuple[str, ...]

    @classmethod
    def of(cls, variant: CatalogVariant) -> _ProductFields:
        return cls(
            title=variant.product_title,
            type_key=_key(variant.product_type),
            vendor_key=_key(variant.vendor),
            tags=variant.tags,
            tag_keys=frozenset(_key(t) for t in variant.tags if t.strip()),
            collections=variant.collections,
            words=title_words(variant.product_title),
            status=variant.status,
            pinned=variant.pinned_substitutes,
        )


@dataclass(slots=True)
class _Product:
    fields: _ProductFields
    variant_ids: set[str] = field(default_factory=set)
    prices: tuple[Decimal, Decimal] | None = None  # lowest and highest, kept once a lookup asks


class CatalogIndex:
    """The catalog and stock pools of one shop, indexed for candidate lookup and kept current."""

    def __init__(self) -> None:
        self._variants: dict[str, CatalogVariant] = {}
        self._products: dict[str, _Product] = {}
        self._by_type: dict[str, set[str]] = {}
        self._by_vendor: dict[str, set[str]] = {}
        self._by_collection: dict[str, set[str]] = {}
        self._by_tag: dict[str, set[str]] = {}
        self._by_word: dict[str, set[str]] = {}
        self._stock: dict[str, dict[str | None, int]] = {}
        self._total: dict[str, int] = {}

    @classmethod
    def build(
        cls,
        variants: Iterable[CatalogVariant],
        stock: Mapping[tuple[str, str], int] | None = None,
    ) -> CatalogIndex:
        """An index of `variants` with `stock` keyed by (variant_id, location_id)."""
        index = cls()
        for variant in variants:
            index.upsert_variant(variant)
        for (variant_id, location_id), available in (stock or {}).items():
            index.set_stock(variant_id, location_id, available)
        return index

    def __len__(self) -> int:
        return len(self._variants)

    def __contains__(self, variant_id: object) -> bool:
        return variant_id in self._variants

    def variant(self, variant_id: str) -> CatalogVariant | None:
        return self._variants.get(variant_id)

    def available(self, variant_id: str, location_id: str | None) -> int:
        """Units of the pool; location None means the whole shop (the sum over its locations)."""
        if location_id is None:
            return self._total.get(variant_id, 0)
        return self._stock.get(variant_id, {}).get(location_id, 0)

    def prefetch(self, variant_ids: Iterable[str]) -> None:
        """The index's own stock is in memory: nothing to read ahead."""

    def stocked_products(self, looked: int) -> None:
        """Asking each variant costs no more here."""

    def set_stock(self, variant_id: str, location_id: str, available: int) -> None:
        """Record a pool's `available` (may be negative when oversold). Stock may precede the
        catalog record: inventory webhooks and product webhooks arrive in any order."""
        if isinstance(available, bool) or not isinstance(available, int):
            raise InvalidInput("available must be a whole number", field="available")
        if location_id is None:
            raise InvalidInput("stock belongs to a location", field="location_id")
        pools = self._stock.setdefault(variant_id, {})
        self._total[variant_id] = self._total.get(variant_id, 0) - pools.get(location_id, 0) + available
        pools[location_id] = available

    def upsert_variant(self, variant: CatalogVariant) -> None:
        """Add or replace a variant. Its product fields become the product's (the newest record of a
        product wins), and the product's postings change only if those fields did."""
        _check_variant(variant)
        old = self._variants.get(variant.variant_id)
        if old is not None and old.product_id != variant.product_id:
            self._detach(variant.variant_id)
        fields = _ProductFields.of(variant)
        product = self._products.get(variant.product_id)
        if product is None:
            product = self._products[variant.product_id] = _Product(fields)
            self._post(variant.product_id, fields, add=True)
        elif product.fields != fields:
            self._post(variant.product_id, product.fields, add=False)
            product.fields = fields
            self._post(variant.product_id, fields, add=True)
        product.variant_ids.add(variant.variant_id)
        product.prices = None
        self._variants[variant.variant_id] = variant

    def replace_product(self, product_id: str, variants: Iterable[CatalogVariant]) -> None:
        """Make `variants` the product's whole variant set, as a product update delivers it."""
        variants = list(variants)
        if any(v.product_id != product_id for v in variants):
            raise InvalidInput("every variant must belong to the product", field="product_id")
        keep = {v.variant_id for v in variants}
        product = self._products.get(product_id)
        for variant_id in sorted(product.variant_ids - keep) if product else ():
            self.remove_variant(variant_id)
        for variant in variants:
            self.upsert_variant(variant)

    def remove_variant(self, variant_id: str) -> None:
        """Forget a deleted variant and its stock; unknown ids are ignored (deletes can repeat)."""
        self._detach(variant_id)
        self._stock.pop(variant_id, None)
        self._total.pop(variant_id, None)

    def remove_product(self, product_id: str) -> None:
        product = self._products.get(product_id)
        for variant_id in sorted(product.variant_ids) if product else ():
            self.remove_variant(variant_id)

    def _detach(self, variant_id: str) -> None:
        entry = self._variants.pop(variant_id, None)
        if entry is None:
            return
        product_id = entry.product_id
        product = self._products[product_id]
        product.variant_ids.discard(variant_id)
        product.prices = None
        if not product.variant_ids:
            self._post(product_id, product.fields, add=False)
            del self._products[product_id]

    def _post(self, product_id: str, fields: _ProductFields, *, add: bool) -> None:
        postings = (
            (self._by_type, (fields.type_key,) if fields.type_key else ()),
            (self._by_vendor, (fields.vendor_key,) if fields.vendor_key else ()),
            (self._by_collection, fields.collections),
            (self._by_tag, fields.tag_keys),
            (self._by_word, fields.words),
        )
        for table, keys in postings:
            for key in keys:
                if add:
                    table.setdefault(key, set()).add(product_id)
                    continue
                members = table.get(key)
                if members is not None:
                    members.discard(product_id)
                    if not members:
                        del table[key]


def _check_variant(variant: CatalogVariant) -> None:
    if variant.status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
    if not isinstance(variant.price, Decimal) or not variant.price.is_finite() or variant.price < 0:
        raise InvalidInput("price must be a Decimal of at least 0", field="price")
    if not variant.variant_id or not variant.product_id:
        raise InvalidInput("a variant needs a variant_id and a product_id", field="variant_id")


def suggest(
    index: CatalogIndex,
    variant_id: str,
    location_id: str | None,
    quantity: int,
    settings: AlternativesSettings | None = None,
    stock: Stock | None = None,
) -> list[Suggestion]:
    """In-stock alternatives for `quantity` units of `variant_id` backordered at `location_id`
    (None: the shop ships from any location), best first. `stock` (the index's own by default)
    says what can ship: a caller may subtract units other lines were already offered. A lookup
    that has looked at LOOKED_AT_BEFORE_ASKING products or more without an answer asks the stock
    which products may have any (`stocked_products`) and looks only at those from then on: in a shop
    that is mostly sold out, it would otherwise walk through every linked product.

    Parts of the score (each with its reason):
      same product    W_SAME_PRODUCT, reason names the options that differ ("same product, size M")
      pinned          W_PINNED, the backordered product lists the candidate's product as substitute
      same type       W_TYPE
      collection      W_COLLECTION x share of the backordered product's collections it is in
      title           W_TITLE x share of the backordered title's words it has
      tags            W_TAGS x share of the backordered product's tags it has
      vendor          W_VENDOR
      options         W_OPTIONS x share of the backordered option values it has ("same size M"),
                      where fit options (size, length...) count double
      price           W_PRICE x closeness inside the band ("8% cheaper")
    Ties break on the smaller price difference, then product id, then variant id. A shared vendor
    alone does not make a candidate: it only adds to products linked in another way. Pinned
    substitutes obey the hard rules too (price band included), and `same_type_only` keeps them,
    since the merchant chose them product by product. A candidate of another type than the
    backordered one (when it has a type), neither of the same product nor pinned, is a weak match:
    it is flagged, and at most MAX_WEAK of them are offered, in their place by score.

    Candidates are gathered from the inverted indexes with an upper bound of their score, and
    expanded best bound first until no remaining bound can beat the last suggestion kept.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput("quantity must be a whole number of at least 1", field="quantity")
    settings = settings or AlternativesSettings()
    base = index._variants.get(variant_id)
    if not settings.enabled or base is None:
        return []  # a variant deleted since the order was placed has nothing to compare with
    ranking = _Ranking(index, stock or index, base, location_id, quantity, settings)
    return ranking.run()


class _Ranking:
    """One lookup: the backordered variant, the rules that filter, and the best candidates so far.

    A strong match is of the same product, pinned, or of the backordered type (any candidate when
    the backordered product has no type); the others are weak."""

    def __init__(
        self,
        index: CatalogIndex,
        stock: Stock,
        base: CatalogVariant,
        location_id: str | None,
        quantity: int,
        settings: AlternativesSettings,
    ) -> None:
        self.index = index
        self.stock = stock
        self.base = base
        self.base_options = _option_keys(base)
        self.base_product = index._products[base.product_id]
        self.base_type = self.base_product.fields.type_key
        self.pinned = frozenset(self.base_product.fields.pinned)
        self.location_id = location_id
        self.quantity = quantity
        self.settings = settings
        self.excluded = settings.excluded_tag_keys
        self.band = _PriceBand(base.price, settings.price_band_percent)
        self.found: list[tuple[tuple, Suggestion]] = []
        self.strong_scores: list[float] = []  # min-heap of the best `max_suggestions` strong scores
        self.weak_scores: list[float] = []  # min-heap of the best MAX_WEAK weak scores
        self.strong_left = 0  # linked products not expanded yet that may give a strong match
        self.slack = 0.0

    def run(self) -> list[Suggestion]:
        linked = _Linked(self.index, self.base.product_id, self.base_product.fields)
        if not self.base_type:
            linked.read_all()  # every linked product may give a strong match: count them all
        self.strong_left = self._strong_linked(linked)
        self.slack = W_OPTIONS + W_PRICE + self._hidden_weight() + _EPSILON
        size = FIRST_STOCK_BATCH
        own_id = self.base.product_id
        own = self._in_band(own_id) if self._allowed(own_id) else []
        if len(own) >= self.settings.max_suggestions:
            batch, size = [(None, own_id, own)], size // 2  # its stock alone first: may be enough
        else:
            batch = [(None, own_id, own)] if own else []
            batch += self._pop(linked, size)
        looked, restricted = 0, False
        while batch:
            self.stock.prefetch(v.variant_id for _, _, variants in batch for v in variants)
            for bound, pid, variants in batch:
                if bound is not None and self._done(bound):
                    return self._result()
                self._expand(pid, variants, pinned=pid in self.pinned and pid != own_id)
                self.strong_left -= bound is not None and self._strong(pid)
            looked += len(batch)
            if looked >= LOOKED_AT_BEFORE_ASKING and not restricted:
                among = self.stock.stocked_products(looked)
                if among is not None:
                    restricted = True
                    linked.restrict(among)  # strong_left may now count too many: only slower
            size *= 2
            batch = self._pop(linked, size)
        return self._result()

    def _in_band(self, pid: str) -> list[CatalogVariant]:
        """The product's variants that may be offered if in stock: in the band, and not the
        backordered one."""
        variants, band, base = self.index._variants, self.band, self.base.variant_id
        product = self.index._products[pid]
        if product.prices is None:
            prices = [variants[v].price for v in product.variant_ids]
            product.prices = (min(prices), max(prices))
        if product.prices[1] < band.low or product.prices[0] > band.high:
            return []
        return [variants[v] for v in product.variant_ids
                if v != base and band.contains(variants[v].price)]

    def _pop(self, linked: _Linked, count: int) -> list[tuple[float, str, list[CatalogVariant]]]:
        """The next `count` allowed products by bound that have a variant in the band, with
        those variants; fewer if the rest cannot matter. A product passed over gives nothing, as
        if it had been expanded."""
        batch: list[tuple[float, str, list[CatalogVariant]]] = []
        while len(batch) < count:
            bound = linked.best(self._done)
            if bound is None or self._done(bound):
                break
            pid = linked.pop()
            variants = self._in_band(pid) if self._allowed(pid) else None
            if variants:
                batch.append((bound, pid, variants))
            else:
                self.strong_left -= self._strong(pid)
        return batch

    def _strong_linked(self, linked: _Linked) -> int:
        """How many linked products may give a strong match: every product of the type is linked,
        and so is every pinned one still in the catalog (counted without walking the links)."""
        if not self.base_type:
            return linked.count()
        same_type = self.index._by_type.get(self.base_type, set())
        pinned = {p for p in self.pinned if p in self.index._products} - same_type
        return len(same_type) + len(pinned) - (self.base.product_id in same_type | pinned)

    def _strong(self, pid: str) -> bool:
        if not self.base_type or pid == self.base.product_id or pid in self.pinned:
            return True
        return self.index._products[pid].fields.type_key == self.base_type

    def _done(self, bound: float) -> bool:
        """Whether no product of this bound or lower can change the result."""
        reach = bound + self.slack
        kept = sorted(self.strong_scores + self.weak_scores, reverse=True)
        wanted = self.settings.max_suggestions
        if len(kept) >= wanted and reach < kept[wanted - 1]:
            return True
        weak_full = len(self.weak_scores) >= min(MAX_WEAK, wanted)
        return not self.strong_left and weak_full and reach < self.weak_scores[0]

    def _result(self) -> list[Suggestion]:
        self.found.sort(key=lambda item: item[0])
        result: list[Suggestion] = []
        weak = 0
        for _, suggestion in self.found:
            if suggestion.weak and weak >= MAX_WEAK:
                continue
            weak += suggestion.weak
            result.append(suggestion)
            if len(result) == self.settings.max_suggestions:
                break
        return result

    def _links(self) -> tuple[tuple[dict[str, set[str]], frozenset[str], float], ...]:
        """(postings, the backordered product's keys, weight) of the links shared in part."""
        return _links(self.index, self.base_product.fields)

    def _hidden_weight(self) -> float:
        """The most the postings that were skipped can add to a bound: bounds must allow for it."""
        hidden = 0.0
        for table, keys, weight in self._links():
            skipped = sum(len(table.get(key, ())) > MAX_LINK_PRODUCTS for key in keys)
            hidden += weight * skipped / len(keys) if keys else 0.0
        return hidden

    def _allowed(self, pid: str) -> bool:
        fields = self.index._products[pid].fields
        if fields.status != "ACTIVE" or fields.tag_keys & self.excluded:
            return False
        if not self.settings.same_type_only or pid == self.base.product_id:
            return True
        if pid in self.base_product.fields.pinned:
            return True  # a pinned substitute is the merchant's own explicit choice
        base_type = self.base_product.fields.type_key
        return bool(base_type) and fields.type_key == base_type

    def _expand(self, pid: str, variants: list[CatalogVariant], *, pinned: bool) -> None:
        product_parts: list[tuple[float, str]] | None = None
        for candidate in variants:
            if self.stock.available(candidate.variant_id, self.location_id) < self.quantity:
                continue
            if product_parts is None:
                product_parts = self._product_parts(self.index._products[pid].fields, pid, pinned)
            self._keep(candidate, product_parts, weak=not self._strong(pid))

    def _product_parts(self, fields: _ProductFields, pid: str, pinned: bool) -> list:
        if pid == self.base.product_id:
            return []  # every product field is the same: the same-product part says it all
        return _product_parts(self.base_product.fields, fields, pinned)

    def _keep(self, candidate: CatalogVariant, product_parts: list[tuple[float, str]],
              weak: bool) -> None:
        parts = list(product_parts)
        if candidate.product_id == self.base.product_id:
            parts.append((W_SAME_PRODUCT, _same_product_reason(self.base_options, candidate)))
        parts.extend(_option_parts(self.base, self.base_options, candidate))
        parts.append(self.band.part(candidate.price))
        score = round(sum(weight for weight, _ in parts), 4)
        reasons = tuple(reason for _, reason in parts)
        suggestion = Suggestion(candidate.variant_id, candidate.product_id, score, reasons, weak)
        distance = abs(candidate.price - self.base.price)
        key = (-score, distance, candidate.product_id, candidate.variant_id)
        self.found.append((key, suggestion))
        scores = self.weak_scores if weak else self.strong_scores
        room = min(MAX_WEAK, self.settings.max_suggestions) if weak else self.settings.max_suggestions
        if len(scores) >= room:
            heapq.heappushpop(scores, score)
        else:
            heapq.heappush(scores, score)


def _links(index: CatalogIndex,
           fields: _ProductFields) -> tuple[tuple[dict[str, set[str]], frozenset[str], float], ...]:
    return ((index._by_collection, fields.collections, W_COLLECTION),
            (index._by_tag, fields.tag_keys, W_TAGS),
            (index._by_word, fields.words, W_TITLE))


class _Linked:
    """The products linked to the backordered one, best bound first. A product's bound is what
    the postings it shares with the backordered product give (its type, then each collection,
    tag and title word, each posting its share of the link's weight, in that order), plus
    W_PINNED when pinned and W_VENDOR for the same vendor: the most its product-level parts
    can be. Postings of more than MAX_LINK_PRODUCTS products are not walked.

    Postings are read in that order, one when the walk gets down to the most a product first
    met in the postings not read yet could have: a lookup that ends among the products of the
    type never reads the postings of its title words. A product's bound sums its weights in the
    order above whenever it is read, so the order products come out in does not depend on when
    they were read."""

    def __init__(self, index: CatalogIndex, base_product: str, fields: _ProductFields) -> None:
        self._among: Collection[str] | None = None  # None: any product may be offered
        postings: list[tuple[set[str], float]] = []
        if fields.type_key:
            postings.append((index._by_type.get(fields.type_key, set()), W_TYPE))
        for table, keys, weight in _links(index, fields):
            for key in keys:
                members = table.get(key, ())
                if len(members) <= MAX_LINK_PRODUCTS:
                    postings.append((members, weight / len(keys)))
        self._postings = postings
        self._vendor = index._by_vendor.get(fields.vendor_key, set()) if fields.vendor_key else set()
        vendor = W_VENDOR if self._vendor else 0.0
        # _rest[k]: the most a product met first in posting k or a later one can have (pinned
        # products are read at once); a hair more, so that rounding never makes it less.
        self._rest = [sum(w for _, w in postings[k:]) + vendor + 1e-9 for k in range(len(postings))]
        self._read = 0
        self._seen = {base_product}
        self._heap: list[tuple[float, str]] = []
        pinned = [pid for pid in fields.pinned if pid in index._products and pid != base_product]
        for pid in dict.fromkeys(pinned):
            bound = self._bound(pid, 0)
            for other in pinned:
                bound += W_PINNED if other == pid else 0.0
            self._heap.append((-(bound + W_VENDOR if pid in self._vendor else bound), pid))
            self._seen.add(pid)
        heapq.heapify(self._heap)

    def _bound(self, pid: str, first: int) -> float:
        """The postings' part of a product's bound, from posting `first` on."""
        bound = 0.0
        for members, weight in self._postings[first:]:
            if pid in members:
                bound += weight
        return bound

    def _read_next(self, order: bool = True) -> None:
        first = self._read
        self._read += 1
        members, weight = self._postings[first]
        fresh = set(members).difference(self._seen)
        if self._among is not None:
            fresh.intersection_update(self._among)
        if not fresh:
            return
        self._seen |= fresh
        bounds = dict.fromkeys(fresh, weight)
        for later, weight in self._postings[first + 1:]:
            for pid in fresh.intersection(later):
                bounds[pid] += weight
        for pid in fresh.intersection(self._vendor):
            bounds[pid] += W_VENDOR
        self._heap.extend((-bound, pid) for pid, bound in bounds.items())
        if order:
            heapq.heapify(self._heap)

    def restrict(self, among: Collection[str]) -> None:
        """From now on only these products come out."""
        self._among = among
        self._heap = [entry for entry in self._heap if entry[1] in among]
        heapq.heapify(self._heap)

    def read_all(self) -> None:
        while self._read < len(self._postings):
            self._read_next(order=False)
        heapq.heapify(self._heap)

    def count(self) -> int:
        """Linked products, once all postings are read."""
        return len(self._seen) - 1

    def best(self, done) -> float | None:
        """The best bound left (None: no product left), reading postings until no product not
        read yet can have more, or until `done` says none of them could matter."""
        heap, rest = self._heap, self._rest
        while self._read < len(rest) and (not heap or -heap[0][0] <= rest[self._read]):
            if done(rest[self._read]):
                break
            self._read_next()
        return -heap[0][0] if heap else None

    def pop(self) -> str:
        return heapq.heappop(self._heap)[1]


def _product_parts(base: _ProductFields, other: _ProductFields, pinned: bool) -> list:
    """Score parts shared by all variants of `other`, with the reason each one gives."""
    parts: list[tuple[float, str]] = []
    if pinned:
        parts.append((W_PINNED, "pinned substitute"))
    if base.type_key and other.type_key == base.type_key:
        parts.append((W_TYPE, "same type"))
    shared = base.collections & other.collections
    if shared:
        parts.append((W_COLLECTION * len(shared) / len(base.collections), "same collection"))
    words = base.words & other.words
    if words:
        parts.append((W_TITLE * len(words) / len(base.words), "similar title"))
    tags = base.tag_keys & other.tag_keys
    if tags:
        shown = sorted((t for t in other.tags if _key(t) in tags), key=_key)
        label = "shared tag" if len(shown) == 1 else "shared tags"
        parts.append((W_TAGS * len(tags) / len(base.tag_keys), f"{label} {', '.join(shown)}"))
    if base.vendor_key and other.vendor_key == base.vendor_key:
        parts.append((W_VENDOR, "same vendor"))
    return parts


def _option_keys(variant: CatalogVariant) -> frozenset[tuple[str, str]]:
    """Computed per lookup, not stored: 100,000 small sets would double the index's memory."""
    return frozenset((_key(name), _key(value)) for name, value in variant.options)


def _same_product_reason(base_options: frozenset, candidate: CatalogVariant) -> str:
    differing = [
        f"{name.strip().lower()} {value.strip()}"
        for name, value in candidate.options
        if (_key(name), _key(value)) not in base_options
    ]
    if not differing and candidate.variant_title not in ("", "Default Title"):
        differing = [candidate.variant_title]  # options not mirrored: the title still tells them apart
    return ", ".join(["same product", *differing])


def _option_weight(name_key: str) -> int:
    return _FIT_WEIGHT if any(word in name_key for word in _FIT_OPTIONS) else 1


def _option_parts(base: CatalogVariant, base_options: frozenset, candidate: CatalogVariant) -> list:
    candidate_options = _option_keys(candidate)
    total = sum(_option_weight(name) for name, _ in base_options)
    shared, weight = [], 0
    for name, value in base.options:
        if (_key(name), _key(value)) in candidate_options:
            shared.append(f"{name.strip().lower()} {value.strip()}")
            weight += _option_weight(_key(name))
    if not shared:
        return []
    return [(W_OPTIONS * weight / total, "same " + ", ".join(shared))]


class _PriceBand:
    """The merchant's price band around the backordered variant's price: a rule, and a part."""

    def __init__(self, price: Decimal, percent: int) -> None:
        self.price = price
        self.width = price * percent / 100
        self.low = price - self.width
        self.high = price + self.width

    def contains(self, price: Decimal) -> bool:
        return self.low <= price <= self.high

    def part(self, price: Decimal) -> tuple[float, str]:
        difference = price - self.price
        closeness = 1.0 if self.width == 0 else float(1 - abs(difference) / self.width)
        if difference == 0:
            return (W_PRICE * closeness, "same price")
        percent = (abs(difference) * 100 / self.price).quantize(Decimal(1), ROUND_HALF_UP)
        word = "cheaper" if difference < 0 else "more expensive"
        return (W_PRICE * closeness, f"{max(percent, Decimal(1))}% {word}")
