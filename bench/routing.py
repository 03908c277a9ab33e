"""Routing benchmark: 100,000 synthetic facilities over Indonesia, 10,000 queries.

Facilities and queries are scattered around real kecamatan and desa centroids
(so they are spread as people are), with random services. Prints one JSON line:
per-query p50/p95 in ms of a whole routing query (`route`), and the speed-up
of the indexed nearest-facility search over a vectorised brute-force search
(both return the same candidates; checked on every sampled query).
    .venv/bin/python bench/routing.py [--facilities N] [--queries N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from stats import percentile

from referral.gazetteer import Gazetteer
from referral.routing import FacilityIndex, FacilityPoint, RoutingConfig
from referral.service_catalogue import SERVICES

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--brute-sample", type=int, default=500, help="queries also answered by brute force")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    gazetteer = Gazetteer.load()
    districts = [r for r in gazetteer.regions.values() if r.level == "district"]
    villages = [r for r in gazetteer.regions.values() if r.level == "village"]
    facilities = []
    for i in range(args.facilities):
        anchor = rng.choice(districts)
        facilities.append(
            FacilityPoint(
                code=f"B{i}", name=f"Bench {i}", kind=rng.choice(["PSKM", "AUMSOS", "PARTNER"]),
                services=frozenset(rng.sample(SERVICES, rng.randint(1, 3))),
                latitude=anchor.latitude + rng.gauss(0, 0.05), longitude=anchor.longitude + rng.gauss(0, 0.05),
            )
        )
    config = RoutingConfig.load(ROOT / "config" / "routing.yml")
    started = time.perf_counter()
    index = FacilityIndex(facilities, config)
    build_s = time.perf_counter() - started

    categories = list(config.category_services)
    queries = [
        (rng.choice(categories), v.latitude + rng.gauss(0, 0.01), v.longitude + rng.gauss(0, 0.01))
        for v in rng.sample(villages, args.queries)
    ]
    timings = []
    for category, lat, lon in queries:
        t0 = time.perf_counter()
        index.route(category, lat, lon)
        timings.append((time.perf_counter() - t0) * 1000)

    # Each method in its own loop, so neither runs on caches the other just cooled.
    sample = queries[: args.brute_sample]
    index_timings, indexed = [], []
    for category, lat, lon in sample:
        t0 = time.perf_counter()
        indexed.append(index.nearest(category, lat, lon))
        index_timings.append((time.perf_counter() - t0) * 1000)
    brute_timings, brute = [], []
    for category, lat, lon in sample:
        t0 = time.perf_counter()
        brute.append(index.brute_force(category, lat, lon))
        brute_timings.append((time.perf_counter() - t0) * 1000)
    agreed = all(
        [c.facility.code for c in got] == [c.facility.code for c in expected] for got, expected in zip(indexed, brute)
    )

    index_mean = statistics.mean(index_timings)
    print(json.dumps({
        "benchmark": "routing",
        "facilities": args.facilities,
        "queries": args.queries,
        "index_build_s": round(build_s, 3),
        "route_ms_p50": round(percentile(timings, 0.50), 4),
        "route_ms_p95": round(percentile(timings, 0.95), 4),
        "route_ms_mean": round(statistics.mean(timings), 4),
        "nearest_ms_mean": round(index_mean, 4),
        "brute_force_ms_mean": round(statistics.mean(brute_timings), 3),
        "speedup_vs_brute_force": round(statistics.mean(brute_timings) / index_mean, 1),
        "brute_force_sample": args.brute_sample,
        "results_agree": agreed,
    }))


if __name__ == "__main__":
    main()
