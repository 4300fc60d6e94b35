"""Geo points and the geo queries of the search service.

A field mapped with ``"type": "geopoint"`` holds points written as the service
accepts them: ``{"lat": .., "lon": ..}`` (``lng`` too), ``[lon, lat]`` (GeoJSON
order) or the string ``"lat,lon"``. Queries:

- ``{"location": point, "distance": "10mi", "field": f}``: points within the
  distance (units ``mm cm m km in ft yd mi nm`` and their long names; none: metres),
  measured along the earth's surface (haversine);
- ``{"top_left": point, "bottom_right": point, "field": f}``: points in the box (a box
  whose left edge is east of its right one crosses the antimeridian);
- ``{"polygon_points": [point, ...], "field": f}``: points inside the polygon
  (its edges as straight lines in longitude/latitude, as the service's test is).

Points are kept per document as a flat tuple of floats ``(lon, lat, lon, lat, ...)``.
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

Point = tuple[float, float]  # (lon, lat)

EARTH_RADIUS_M = 6371008.8
_UNITS = {
    "mm": 0.001, "millimeters": 0.001, "cm": 0.01, "centimeters": 0.01, "m": 1.0,
    "meters": 1.0, "km": 1000.0, "kilometers": 1000.0, "in": 0.0254, "inch": 0.0254,
    "ft": 0.3048, "feet": 0.3048, "yd": 0.9144, "yards": 0.9144, "mi": 1609.344,
    "miles": 1609.344, "nm": 1852.0, "nauticalmiles": 1852.0,
}
_DISTANCE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]*)\s*$")


class GeoError(ValueError):
    """A point or distance the service cannot read."""


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def parse_point(value: Any) -> Optional[Point]:
    """``(lon, lat)`` of a point in any of the accepted forms; None if it is not one."""
    lon: Optional[float]
    lat: Optional[float]
    if isinstance(value, dict):
        lat = _number(value.get("lat"))
        lon = _number(value.get("lon", value.get("lng")))
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        lon, lat = _number(value[0]), _number(value[1])
    elif isinstance(value, str) and "," in value:
        try:
            lat, lon = (float(part) for part in value.split(","))
        except ValueError:
            return None
    else:
        return None
    if lat is None or lon is None or not (-90.0 <= lat <= 90.0) or \
            not (-180.0 <= lon <= 180.0):
        return None
    return lon, lat


def point(value: Any, what: str) -> Point:
    """A query's point; GeoError if it is not one."""
    found = parse_point(value)
    if found is None:
        raise GeoError(f"{what}: not a geo point: {value!r}")
    return found


def parse_distance(text: Any) -> float:
    """Metres of a distance such as ``"10mi"``."""
    if not isinstance(text, str):
        raise GeoError(f"distance must be a string such as '10mi', not {text!r}")
    m = _DISTANCE.match(text)
    if m is None or m.group(2).lower() not in _UNITS and m.group(2):
        raise GeoError(f"unknown distance unit in {text!r}")
    return float(m.group(1)) * _UNITS.get(m.group(2).lower() or "m", 1.0)


def haversine_m(a: Point, b: Point) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def in_box(p: Point, top_left: Point, bottom_right: Point) -> bool:
    (lon, lat), (left, top), (right, bottom) = p, top_left, bottom_right
    if not bottom <= lat <= top:
        return False
    if left <= right:
        return left <= lon <= right
    return lon >= left or lon <= right  # across the antimeridian


def in_polygon(p: Point, polygon: list[Point]) -> bool:
    """Ray casting; a point on an edge or a vertex counts as inside."""
    x, y = p
    inside = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (x, y) in ((x1, y1), (x2, y2)):
            return True
        if min(y1, y2) <= y <= max(y1, y2) and min(x1, x2) <= x <= max(x1, x2) and \
                (x2 - x1) * (y - y1) == (y2 - y1) * (x - x1):
            return True
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def points_of(flat: tuple[float, ...]) -> list[Point]:
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]


__all__ = ["GeoError", "Point", "haversine_m", "in_box", "in_polygon", "parse_distance",
           "parse_point", "point", "points_of"]
