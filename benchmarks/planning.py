"""Planning at scale: a large shop planned from scratch, and one hot pool re-planned on a restock.

Run: python -m benchmarks.planning [--lines N --pools N --hot-lines N --seed N]
Data generation is seeded and not timed. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import time
from datetime import date, datetime, timedelta

from app.domain.allocation import plan_all, plan_pool, replan_pool
from app.domain.calendar import BusinessCalendar
from app.domain.model import Line, Restock
from app.domain.policy import Policy

TODAY = date(2026, 3, 2)


def make_pool(rng: random.Random, pool: str, n_lines: int, first_id: int):
    """Lines of one pool over the last 60 days, supply covering part of them, 0-3 restocks."""
    start = datetime(2026, 1, 1)
    lines = []
    total = 0
    for i in range(n_lines):
        quantity = rng.choice((1, 1, 1, 2, 3))
        total += quantity
        ordered_at = start + timedelta(seconds=rng.randrange(60 * 86_400))
        line_id = f"gid://shopify/LineItem/{first_id + i}"
        lines.append(Line(line_id, f"o{(first_id + i) // 2}", pool, quantity, ordered_at))
    supply = rng.randint(0, total)
    restocks = [
        Restock(f"{pool}#r{j}", pool, rng.randint(1, max(1, total)), TODAY + timedelta(rng.randint(-5, 40)))
        for j in range(rng.randint(0, 3))
    ]
    return supply, lines, restocks


def make_shop(rng: random.Random, n_lines: int, n_pools: int):
    """Pools of varying size (1 to about twice the mean) adding up to exactly `n_lines`."""
    cuts = sorted(rng.sample(range(1, n_lines), n_pools - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, n_lines], strict=True)]
    pools, next_id = {}, 0
    for p, size in enumerate(sizes):
        pool = f"gid://shopify/ProductVariant/{p}@*"
        pools[pool] = make_pool(rng, pool, size, next_id)
        next_id += size
    return pools


def make_hot_pool(rng: random.Random, n_lines: int):
    """A flash sale: supply for a tenth of the units, three restocks for another 40%."""
    pool = "gid://shopify/ProductVariant/hot@*"
    _, lines, _ = make_pool(rng, pool, n_lines, 10**9)
    units = sum(line.quantity for line in lines)
    restocks = [
        Restock(f"hot#r{i}", pool, units * share // 100, TODAY + timedelta(days=days))
        for i, (share, days) in enumerate(((10, 5), (15, 20), (15, 35)))
    ]
    return pool, units // 10, lines, restocks, units


def time_ms(fn, repeat: int = 5) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--pools", type=int, default=100_000)
    parser.add_argument("--hot-lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    policy = Policy()
    calendar = BusinessCalendar(policy.weekend_days, frozenset({date(2026, 4, 3)}))

    pools = make_shop(rng, args.lines, args.pools)
    n_lines = sum(len(lines) for _, lines, _ in pools.values())
    gc.collect()
    started = time.perf_counter()
    plans = plan_all(pools, policy, TODAY, calendar=calendar)
    plan_all_s = time.perf_counter() - started
    owed = sum(p.units_owed for p in plans.values())
    waiting = sum(1 for p in plans.values() for lp in p.lines if lp.backordered)

    pool, supply, lines, restocks, units = make_hot_pool(rng, args.hot_lines)
    before = plan_pool(pool, supply, lines, restocks, policy, TODAY, calendar=calendar)
    entered = [*restocks, Restock("hot#new", pool, units // 4, TODAY + timedelta(days=12))]
    arrived = restocks[1:]
    full_ms = time_ms(lambda: plan_pool(pool, supply, lines, entered, policy, TODAY, calendar=calendar))
    replan_ms = time_ms(lambda: replan_pool(before, supply, entered, policy, TODAY, calendar=calendar))
    arrival_ms = time_ms(
        lambda: replan_pool(before, supply + units // 10, arrived, policy, TODAY, calendar=calendar)
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"plan_all: {n_lines:,} lines over {len(pools):,} pools in {plan_all_s:.2f} s")
    print(f"  {waiting:,} lines waiting, {owed:,} units owed")
    print(f"one pool of {len(lines):,} lines, {before.units_owed:,} units owed (medians of 5):")
    print(f"  re-planned after a restock is entered: {replan_ms:.1f} ms")
    print(f"  re-planned after a restock arrives:    {arrival_ms:.1f} ms")
    print(f"  planned from scratch:                   {full_ms:.1f} ms")
    print(f"peak RSS: {peak_mb:.0f} MB")
    print(json.dumps({
        "lines": n_lines,
        "pools": len(pools),
        "plan_all_s": round(plan_all_s, 3),
        "replan_pool_ms": round(replan_ms, 2),
        "arrival_replan_ms": round(arrival_ms, 2),
        "full_pool_plan_ms": round(full_ms, 2),
        "peak_rss_mb": round(peak_mb, 1),
    }))


if __name__ == "__main__":
    main()
