"""Distances on Earth and geographic blocking."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import BallTree

EARTH_RADIUS_KM = 6371.0088
_ROW, _COL_OFFSET = 1_000_003, 500_000  # cell key = row * _ROW + col + offset


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Pairwise great-circle distances in km; inputs in radians, (n,) and (m,) -> (n, m)."""
    lat1 = lat1.astype(np.float32)[:, None]
    lat2 = lat2.astype(np.float32)[None, :]
    dlat = lat2 - lat1
    dlon = lon2.astype(np.float32)[None, :] - lon1.astype(np.float32)[:, None]
    a = np.sin(dlat * 0.5) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon * 0.5) ** 2
    np.clip(a, 0.0, 1.0, out=a)
    return (2 * EARTH_RADIUS_KM) * np.arcsin(np.sqrt(a, out=a), out=a)


class PointIndex:
    """Points (radians) that can be asked for everything within a radius."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray) -> None:
        self.size = len(lat)
        self.tree = BallTree(np.column_stack([lat, lon]), metric="haversine") if len(lat) else None

    def within(self, lat: float, lon: float, radius_km: float) -> np.ndarray:
        if self.tree is None:
            return np.empty(0, dtype=np.intp)
        return self.tree.query_radius([[lat, lon]], r=radius_km / EARTH_RADIUS_KM)[0]


def cell_keys(lat: np.ndarray, lon: np.ndarray, cell_degrees: float) -> np.ndarray:
    """A grid cell per point (radians in), as one int64 key."""
    size = np.radians(cell_degrees)
    row = np.floor(lat / size).astype(np.int64)
    col = np.floor(lon / size).astype(np.int64)
    return row * _ROW + (col + _COL_OFFSET)


def cell_centre_and_reach(key: int, cell_degrees: float) -> tuple[float, float, float]:
    """The centre of a cell (radians) and the km from it to its farthest corner."""
    size = np.radians(cell_degrees)
    row, col = divmod(int(key), _ROW)
    col -= _COL_OFFSET
    lat0, lon0 = row * size, col * size
    centre_lat, centre_lon = lat0 + size / 2, lon0 + size / 2
    corners_lat = np.array([lat0, lat0, lat0 + size, lat0 + size])
    corners_lon = np.array([lon0, lon0 + size, lon0, lon0 + size])
    reach = haversine_km(
        np.array([centre_lat]), np.array([centre_lon]), corners_lat, corners_lon
    ).max()
    # float32 distances: a metre of slack keeps a pair right on the edge.
    return centre_lat, centre_lon, float(reach) * 1.001 + 0.001
