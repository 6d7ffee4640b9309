"""Geography: great-circle distances and travel times (ROTA_FORMAT.md rules 3 and 8).

The one home of the Earth's radius, the haversine formula and the travel-time formula. The
scalar ``distance_km`` is what the rules and the checker use; ``haversine_km`` is the same formula
on numpy arrays, for the solver's vectorised passes and the synthetic generators.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # along a meridian (a degree of latitude)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def haversine_km(
    phi1: float | FloatArray, lam1: float | FloatArray, phi2: FloatArray, lam2: FloatArray
) -> FloatArray:
    """``distance_km`` on numpy arrays of radians, broadcast: one point to many, or every pair
    (``lat[:, None]`` against ``lat[None, :]``).

    numpy's trigonometry may differ from ``math``'s in the last bit; a caller whose decision turns
    on an exact threshold re-checks values near it with ``distance_km``.
    """
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    km: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
    return km


def travel_minutes(km: float, speed_kmh: float) -> int:
    """Rule 8's travel time, ``ceil(km / speed * 60)``.

    Both evaluation orders are taken and the larger kept, so a checker that computes the formula
    either way never finds a gap one floating-point step too short.
    """
    return max(math.ceil(km / speed_kmh * 60), math.ceil(km * 60 / speed_kmh))


def travel_minutes_all(km: FloatArray, speed_kmh: float) -> tuple[IntArray, BoolArray]:
    """``travel_minutes`` on an array of km, and where a last-bit change in a km could move the
    minutes: a caller whose km came from ``haversine_km`` recomputes those entries with
    ``travel_minutes(distance_km(...))``."""
    exact = km / speed_kmh * 60
    low = np.ceil(exact * (1 - 1e-9) - 1e-9)
    high = np.ceil(exact * (1 + 1e-9) + 1e-9)
    minutes: IntArray = high.astype(np.int64)
    unsure: BoolArray = low != high
    return minutes, unsure


def km_per_degree_of_longitude(lat: float) -> float:
    """East-west km per degree of longitude at latitude ``lat`` (degrees)."""
    return KM_PER_DEGREE * math.cos(math.radians(lat))


def box_around(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max), in degrees, of a box holding every point within
    ``km`` (great-circle) of (``lat``, ``lon``): a coarse pre-filter for rule 3, which may hold
    points beyond ``km`` but never leaves one within it out.

    The longitude half-width is the spherical cap's own, ``asin(sin(km / R) / cos(lat))``,
    widened by a part in a million against rounding; the whole circle of longitude when the cap
    reaches over a pole. Not wrapped at the antimeridian (a box may run past -180 or 180)."""
    angle = km / EARTH_RADIUS_KM
    slack = 1 + 1e-6
    dlat = math.degrees(angle) * slack
    cos_lat = math.cos(math.radians(lat))
    reach = math.sin(min(angle, math.pi / 2))
    if angle >= math.pi / 2 or reach >= cos_lat:
        return lat - dlat, lat + dlat, -180.0, 180.0
    dlon = math.degrees(math.asin(reach / cos_lat)) * slack
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
