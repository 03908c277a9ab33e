"""Nearest capable facility routing.

For a case category and a point, the nearest *active* facility offering at
least one service the category needs (config/routing.yml), plus a few
alternatives, by great-circle distance. One spatial index (referral.geo) per
category over the capable facilities; rebuilt whenever the directory changes.
Beyond the configured maximum distance (or with no capable facility at all)
the case goes to the provincial coordinator, or the national one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import yaml

from referral.geo import SphereIndex, haversine_km
from referral.lifecycle import CATEGORIES
from referral.service_catalogue import SERVICES


class RoutingError(ValueError):
    pass


@dataclass(frozen=True)
class RoutingConfig:
    category_services: dict[str, tuple[str, ...]]
    max_distance_km: float = 150.0
    alternatives: int = 3

    @classmethod
    def load(cls, path: Path) -> "RoutingConfig":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        mapping = data.get("category_services") or {}
        missing = [c for c in CATEGORIES if c not in mapping]
        if missing:
            raise RoutingError(f"{path}: no services configured for {', '.join(missing)}")
        category_services = {}
        for category, services in mapping.items():
            if category not in CATEGORIES:
                raise RoutingError(f"{path}: unknown category {category!r}")
            unknown = [s for s in services or [] if s not in SERVICES]
            if unknown or not services:
                raise RoutingError(f"{path}: {category}: unknown or missing services {unknown}")
            category_services[category] = tuple(services)
        max_distance = float(data.get("max_distance_km", 150))
        alternatives = int(data.get("alternatives", 3))
        if max_distance <= 0 or alternatives < 0:
            raise RoutingError(f"{path}: max_distance_km must be > 0 and alternatives ≥ 0")
        return cls(category_services, max_distance, alternatives)

    def required_services(self, category: str) -> tuple[str, ...]:
        if category not in self.category_services:
            raise RoutingError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
        return self.category_services[category]


@dataclass(frozen=True)
class FacilityPoint:
    code: str
    name: str
    kind: str
    services: frozenset[str]
    latitude: float
    longitude: float
    approximate: bool = False  # coordinates are its region's centroid
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Candidate:
    facility: FacilityPoint
    distance_km: float

    def as_json(self) -> dict:
        data = asdict(self.facility)
        data["services"] = sorted(self.facility.services)
        data["distance_km"] = round(self.distance_km, 2)
        return data


@dataclass
class RouteResult:
    category: str
    required_services: tuple[str, ...]
    latitude: float
    longitude: float
    facility: Candidate | None
    alternatives: list[Candidate] = field(default_factory=list)
    fallback: dict | None = None

    def as_json(self) -> dict:
        return {
            "category": self.category,
            "required_services": list(self.required_services),
            "origin": {"latitude": self.latitude, "longitude": self.longitude},
            "facility": self.facility.as_json() if self.facility else None,
            "alternatives": [c.as_json() for c in self.alternatives],
            "fallback": self.fallback,
        }


def check_point(latitude: float, longitude: float) -> None:
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):
        raise RoutingError(f"not a point on Earth: latitude {latitude}, longitude {longitude}")


class FacilityIndex:
    def __init__(self, facilities: list[FacilityPoint], config: RoutingConfig) -> None:
        self.config = config
        self.facilities = facilities
        self._by_category: dict[str, tuple[list[FacilityPoint], SphereIndex]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # for brute_force
        for category, services in config.category_services.items():
            wanted = set(services)
            capable = [f for f in facilities if f.services & wanted]
            latitudes = np.array([f.latitude for f in capable], dtype=float)
            longitudes = np.array([f.longitude for f in capable], dtype=float)
            self._by_category[category] = (capable, SphereIndex(latitudes, longitudes))
            self._arrays[category] = (latitudes, longitudes)

    def route(self, category: str, latitude: float, longitude: float, province_code: str | None = None) -> RouteResult:
        required = self.config.required_services(category)
        check_point(latitude, longitude)
        capable, _ = self._by_category[category]
        result = RouteResult(category, required, latitude, longitude, facility=None)
        found = self.nearest(category, latitude, longitude)
        if found:
            if found[0].distance_km <= self.config.max_distance_km:
                result.facility, result.alternatives = found[0], found[1:]
            else:
                result.alternatives = found
        if result.facility is None:
            result.fallback = self._fallback(category, province_code, capable_count=len(capable))
        return result

    def without(self, codes: set[str]) -> "FacilityIndex":
        """The same directory minus some facilities (those that declined a case, say)."""
        if not codes:
            return self
        return FacilityIndex([f for f in self.facilities if f.code not in codes], self.config)

    def nearest(self, category: str, latitude: float, longitude: float) -> list[Candidate]:
        """The nearest capable facilities (the choice and its alternatives), nearest first."""
        capable, index = self._by_category[category]
        return [Candidate(capable[i], d) for d, i in index.nearest(latitude, longitude, k=1 + self.config.alternatives)]

    def brute_force(self, category: str, latitude: float, longitude: float) -> list[Candidate]:
        """The same answer without the index: every capable facility's distance (vectorised), sorted."""
        capable, _ = self._by_category[category]
        if not capable:
            return []
        latitudes, longitudes = self._arrays[category]
        distances = haversine_km(latitude, longitude, latitudes, longitudes)
        k = min(len(capable), 1 + self.config.alternatives)
        nearest = np.argpartition(distances, k - 1)[:k]
        order = nearest[np.argsort(distances[nearest], kind="stable")]
        return [Candidate(capable[int(i)], float(distances[i])) for i in order]

    def _fallback(self, category: str, province_code: str | None, capable_count: int) -> dict:
        if capable_count == 0:
            reason = f"no active facility offers the services {category} cases need"
        else:
            reason = f"no capable facility within {self.config.max_distance_km:g} km"
        if province_code:
            return {"level": "province", "province_code": province_code, "reason": reason}
        return {"level": "national", "province_code": None, "reason": reason}
