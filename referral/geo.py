"""Great-circle geometry and a spatial index for points on the Earth.

`SphereIndex` is a k-d tree (scipy's cKDTree) over the points as 3-D unit
vectors. Straight-line (chord) distance between unit vectors grows with the
great-circle distance, so the nearest by chord is the nearest on the sphere;
chords are converted back to great-circle kilometres exactly.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(latitudes, longitudes) -> np.ndarray:
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_to_km(chord):
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1))


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance; works on numbers and numpy arrays."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


class SphereIndex:
    def __init__(self, latitudes, longitudes) -> None:
        self.size = len(latitudes)
        self._tree = cKDTree(unit_vectors(latitudes, longitudes)) if self.size else None

    def nearest(self, latitude: float, longitude: float, k: int = 1) -> list[tuple[float, int]]:
        """Up to k (distance_km, position) pairs, nearest first."""
        if self._tree is None or k < 1:
            return []
        k = min(k, self.size)
        # Plain math for one point: numpy's per-call overhead would dominate here.
        lat, lon = math.radians(latitude), math.radians(longitude)
        point = (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
        chords, positions = self._tree.query(point, k=k)
        if k == 1:
            chords, positions = [chords], [positions]
        else:
            chords, positions = chords.tolist(), positions.tolist()
        return [
            (2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2)), int(position))
            for chord, position in zip(chords, positions)
        ]
