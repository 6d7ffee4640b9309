"""The numpy distances and travel times agree with the scalar ones the rules use."""

from __future__ import annotations

import math

import numpy as np

from solver.geography import (
    EARTH_RADIUS_KM,
    KM_PER_DEGREE,
    distance_km,
    haversine_km,
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
