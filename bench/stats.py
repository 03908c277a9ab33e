"""Small statistics the benchmarks share."""

from __future__ import annotations


def percentile(values: list[float], q: float) -> float:
    """The value below which a share `q` (0..1) of `values` lies (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
