"""The numpy distances and travel times agree with the scalar ones the rules use."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from solver.geography import (
    EARTH_RADIUS_KM,
    KM_PER_DEGREE,
    box_around,
    distance_km,
    haversine_km,
    km_per_degree_of_longitude,
    travel_minutes,
    travel_minutes_all,
)


def test_a_degree_along_a_meridian_is_the_radius_times_pi_over_180() -> None:
    assert math.isclose(distance_km(51.0, -0.1, 52.0, -0.1), KM_PER_DEGREE, rel_tol=1e-12)
    assert math.isclose(KM_PER_DEGREE, EARTH_RADIUS_KM * math.pi / 180)


def test_numpy_distances_and_travel_minutes_agree_with_the_scalar_ones() -> None:
    rng = np.random.default_rng(3)
    lat = rng.uniform(51.4, 51.6, 300)
    lon = rng.uniform(-0.2, 0.1, 300)
    km = haversine_km(np.radians(lat[0]), np.radians(lon[0]), np.radians(lat), np.radians(lon))
    exact = [distance_km(lat[0], lon[0], a, b) for a, b in zip(lat, lon, strict=True)]
    assert np.allclose(km, exact, rtol=0, atol=1e-9)
    # Distances that land exactly on whole travel minutes: the unsure ones are flagged.
    on_the_minute = np.array([12 * m / 60 for m in range(60)])
    for speed, kms in ((12.0, km), (12.0, on_the_minute), (7.0, km)):
        minutes, unsure = travel_minutes_all(kms, speed)
        for value, got, flagged in zip(
            kms.tolist(), minutes.tolist(), unsure.tolist(), strict=True
        ):
            if not flagged:
                assert got == travel_minutes(value, speed)


def test_the_box_around_a_point_holds_every_point_within_range() -> None:
    """Points on the circle of ``km`` around random places, every half degree of bearing (the
    circle's widest longitude is not due east or west), are inside the box (longitudes taken
    as they run on from the centre's: the box is not wrapped at the antimeridian)."""
    rng = random.Random(5)
    for _ in range(300):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-170, 170)
        km = rng.choice([0.5, 2.0, 5.0, 15.0, 200.0, 2000.0])
        lat_min, lat_max, lon_min, lon_max = box_around(lat, lon, km)
        delta, phi1, lam1 = km / EARTH_RADIUS_KM, math.radians(lat), math.radians(lon)
        for step in range(720):
            bearing = math.radians(step / 2)
            phi2 = math.asin(
                math.sin(phi1) * math.cos(delta)
                + math.cos(phi1) * math.sin(delta) * math.cos(bearing)
            )
            lam2 = lam1 + math.atan2(
                math.sin(bearing) * math.sin(delta) * math.cos(phi1),
                math.cos(delta) - math.sin(phi1) * math.sin(phi2),
            )
            there = math.degrees(phi2), math.degrees(lam2)
            assert lat_min <= there[0] <= lat_max, (lat, lon, km, step)
            if (lon_min, lon_max) != (-180.0, 180.0):  # a cap over a pole: every longitude
                assert lon_min <= there[1] <= lon_max, (lat, lon, km, step)


def test_the_box_is_tight_enough_to_filter() -> None:
    lat_min, lat_max, lon_min, lon_max = box_around(51.5, -0.1, 5.0)
    assert lat_max - lat_min == pytest.approx(2 * 5.0 / KM_PER_DEGREE, rel=1e-5)
    assert lon_max - lon_min == pytest.approx(2 * 5.0 / km_per_degree_of_longitude(51.5), rel=1e-3)
    assert box_around(89.99, 0.0, 5.0)[2:] == (-180.0, 180.0)  # over the pole
