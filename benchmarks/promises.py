"""Promise accuracy: a seeded 180-day store, the engine's ETAs against a static "ships in N days".

Each day: purchase orders that are due arrive (late ones later), waiting lines are filled in
queue order and ship after the processing days, new orders come in and are planned with the real
engine (plan_pool with learned lead times, slipped restocks and the business calendar), and at the
end of the day the merchant reorders what runs low, entering most purchase orders as restocks
with the vendor's quoted date. A line's promise is the first ETA it was given; the baseline
promises every backordered line the shop's typical lead time from its order date.

Run: python -m benchmarks.promises [--seed N --days N]. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.domain.allocation import plan_pool
from app.domain.kpis import PromiseOutcome, promise_accuracy
from app.domain.lead_time import (
    RestockArrival,
    StockoutRestock,
    lead_time_for,
    summarise_history,
)
from app.domain.model import Line, Restock
from app.domain.policy import Policy
from app.services.business_calendar import business_calendar_for

START = date(2026, 1, 5)
# name: (quoted lead days, actual mean, actual sd)
VENDORS = {
    "Nordic": (10, 10.0, 1.0),
    "Pacific": (14, 16.0, 1.5),
    "Atlas": (21, 21.0, 2.0),
    "Kiwi": (7, 8.0, 1.0),
}
SLIP_CHANCE = 0.1  # a purchase order held up on top of the usual noise
SLIP_DAYS = (4, 10)
ENTER_CHANCE = 0.85  # purchase orders the merchant enters as restocks
WARM_UP_DAYS = 60  # the app runs and learns before the scored period; its promises are shown apart
FLASH_SALE = (range(WARM_UP_DAYS + 90, WARM_UP_DAYS + 93), 6.0)  # on a quarter of the catalogue


@dataclass
class Variant:
    variant_id: str
    vendor: str
    rate: float
    on_hand: int
    flash: bool
    waiting: list[Line] = field(default_factory=list)
    purchase_orders: list[tuple[date, Restock | None, int, date]] = field(default_factory=list)
    short_since: date | None = None

    @property
    def pool(self) -> str:
        return f"{self.variant_id}@*"


@dataclass
class Promise:
    engine: date
    baseline: date
    scored: bool
    shipped: date | None = None


class Store:
    def __init__(self, rng: random.Random, n_variants: int, scored_from: date) -> None:
        self.rng = rng
        self.scored_from = scored_from
        self.policy = Policy.from_dict(
            {"lead_times": {"vendor": {name: v[0] for name, v in VENDORS.items()}},
             "country": "US"}
        )
        self.calendar = business_calendar_for(self.policy, START)
        names = list(VENDORS)
        self.variants = []
        for i in range(n_variants):
            rate = rng.uniform(0.3, 3.0)
            vendor = names[i % len(names)]
            self.variants.append(
                Variant(f"gid://shopify/ProductVariant/{i}", vendor, rate,
                        int(rate * VENDORS[vendor][0]), i % 4 == 0)
            )
        self.history: list[StockoutRestock] = []
        self.arrivals: list[RestockArrival] = []
        self.promises: dict[str, Promise] = {}
        self.next_id = 0
        quoted = [VENDORS[v.vendor][0] for v in self.variants]
        self.baseline_days = round(sum(quoted) / len(quoted))  # the shop's typical lead time

    def run(self, days: int) -> None:
        for offset in range(days):
            today = START + timedelta(days=offset)
            stats = summarise_history(self.history, self.arrivals)
            for variant in self.variants:
                self.receive(variant, today)
                estimate = lead_time_for(self.policy, stats, variant.variant_id, vendor=variant.vendor)
                self.fill(variant, today, estimate)
                self.take_orders(variant, today, offset, estimate)
                self.reorder(variant, today)

    def receive(self, variant: Variant, today: date) -> None:
        for po in [po for po in variant.purchase_orders if po[0] == today]:
            arrives, restock, quantity, _ = po
            variant.on_hand += quantity
            variant.purchase_orders.remove(po)
            expected = restock.expected_on if restock else None
            if variant.short_since is not None:
                self.history.append(StockoutRestock(
                    variant.variant_id, variant.vendor, variant.short_since, today, expected))
            elif expected is not None:
                self.arrivals.append(
                    RestockArrival(variant.variant_id, variant.vendor, expected, today))

    def plan(self, variant: Variant, today: date, estimate):
        restocks = [r for _, r, _, _ in variant.purchase_orders if r is not None]
        return plan_pool(variant.pool, variant.on_hand, variant.waiting, restocks, self.policy,
                         today, estimate, self.calendar, variant.short_since)

    def fill(self, variant: Variant, today: date, estimate) -> None:
        """Ship every line the stock on hand now covers; they leave the queue."""
        if not variant.waiting:
            return
        plan = self.plan(variant, today, estimate)
        ships = self.calendar.add_business_days(today, self.policy.processing_days)
        done = {lp.line_id for lp in plan.lines if not lp.backordered}
        for line in variant.waiting:
            if line.line_id in done:
                variant.on_hand -= line.quantity
                self.promises[line.line_id].shipped = ships
        variant.waiting = [x for x in variant.waiting if x.line_id not in done]
        if not variant.waiting:
            variant.short_since = None

    def take_orders(self, variant: Variant, today: date, offset: int, estimate) -> None:
        days, boost = FLASH_SALE
        rate = variant.rate * (boost if variant.flash and offset in days else 1.0)
        for _ in range(_poisson(self.rng, rate)):
            quantity = self.rng.choice((1, 1, 1, 2))
            self.next_id += 1
            at = datetime.combine(today, datetime.min.time()) + timedelta(minutes=self.next_id % 1440)
            line = Line(f"line-{self.next_id}", f"order-{self.next_id}", variant.pool, quantity, at)
            if not variant.waiting and variant.on_hand >= quantity:
                variant.on_hand -= quantity  # in stock: ships, never a backorder
                continue
            variant.waiting.append(line)
            variant.short_since = variant.short_since or today
            plan = self.plan(variant, today, estimate)
            eta = next(lp.eta for lp in plan.lines if lp.line_id == line.line_id)
            baseline = today + timedelta(days=self.baseline_days)
            self.promises[line.line_id] = Promise(eta.ships_on, baseline, scored=today >= self.scored_from)

    def reorder(self, variant: Variant, today: date) -> None:
        """Reorder when stock on hand and on order, less what is owed, falls below a week of
        demand; order enough for the quoted lead time plus three weeks."""
        quoted, mean, sd = VENDORS[variant.vendor]
        owed = sum(x.quantity for x in variant.waiting)
        incoming = sum(q for _, _, q, _ in variant.purchase_orders)
        position = variant.on_hand + incoming - owed
        if position >= variant.rate * 7:
            return
        quantity = max(1, math.ceil(variant.rate * (quoted + 21)) - position)
        lead = max(1, round(self.rng.gauss(mean, sd)))
        if self.rng.random() < SLIP_CHANCE:
            lead += self.rng.randint(*SLIP_DAYS)
        arrives = today + timedelta(days=lead)
        restock = None
        if self.rng.random() < ENTER_CHANCE:
            self.next_id += 1
            restock = Restock(f"po-{self.next_id}", variant.pool, quantity,
                              today + timedelta(days=quoted), "purchase_order")
        variant.purchase_orders.append((arrives, restock, quantity, today))


def _poisson(rng: random.Random, rate: float) -> int:
    threshold, count, product = math.exp(-rate), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def accuracy(store: Store, end: date, scored: bool):
    chosen = [(k, p) for k, p in store.promises.items() if p.scored == scored]
    engine = promise_accuracy((PromiseOutcome(k, p.engine, p.shipped) for k, p in chosen), end)
    baseline = promise_accuracy((PromiseOutcome(k, p.baseline, p.shipped) for k, p in chosen), end)
    return len(chosen), engine, baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--variants", type=int, default=40)
    args = parser.parse_args()
    scored_from = START + timedelta(days=WARM_UP_DAYS)
    store = Store(random.Random(args.seed), args.variants, scored_from)
    store.run(WARM_UP_DAYS + args.days)
    end = scored_from + timedelta(days=args.days)
    lines, engine, baseline = accuracy(store, end, scored=True)
    warm_lines, warm_engine, warm_baseline = accuracy(store, end, scored=False)
    figures = {
        "backordered_lines": lines,
        "promise_kept_rate": round(engine.rate, 4),
        "baseline_promise_kept_rate": round(baseline.rate, 4),
        "eta_mae_days": round(engine.mean_abs_error_days, 2),
        "baseline_eta_mae_days": round(baseline.mean_abs_error_days, 2),
        "median_margin_days": engine.median_margin_days,
        "baseline_median_margin_days": baseline.median_margin_days,
        "baseline_days": store.baseline_days,
        "warm_up_promise_kept_rate": round(warm_engine.rate, 4),
        "warm_up_baseline_promise_kept_rate": round(warm_baseline.rate, 4),
    }
    print(f"{args.days} scored days after {WARM_UP_DAYS} days of learning, {args.variants} variants, "
          f"{len(VENDORS)} vendors, {lines:,} backordered lines scored")
    for label, result in (("engine", engine), ("baseline", baseline)):
        print(f"{label:9} kept {result.rate:.1%}, MAE {result.mean_abs_error_days:.2f} d, "
              f"median margin {result.median_margin_days} d")
    print(f"baseline promise: ships in {store.baseline_days} days (the catalogue's mean quoted lead time)")
    print(f"learning period ({warm_lines:,} lines): engine kept {warm_engine.rate:.1%}, "
          f"baseline kept {warm_baseline.rate:.1%}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
