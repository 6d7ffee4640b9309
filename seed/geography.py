"""The borough's map: wards with centres and densities, streets clustered around them.

People and volunteers live on streets, streets cluster around their ward's centre, and wards
differ in how many people live there, so the synthetic borough has the lumpy density of a real
one. Distances are great-circle kilometres, as in ROTA_FORMAT.md.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from seed.names import (
    POSTCODE_AREA,
    POSTCODE_UNIT_LETTERS,
    STREET_STEMS,
    STREET_SUFFIXES,
    WARD_STEMS,
    WARD_SUFFIXES,
)
from solver.geography import KM_PER_DEGREE, km_per_degree_of_longitude

CENTRE_LAT, CENTRE_LON = 51.545, -0.055  # a fictional borough drawn over north-east London
KM_PER_DEGREE_LON = km_per_degree_of_longitude(CENTRE_LAT)


def to_km(lat: float, lon: float) -> tuple[float, float]:
    """Local flat coordinates (east, north) in km from the borough centre."""
    return (lon - CENTRE_LON) * KM_PER_DEGREE_LON, (lat - CENTRE_LAT) * KM_PER_DEGREE


def to_lat_lon(x_km: float, y_km: float) -> tuple[float, float]:
    return (
        round(CENTRE_LAT + y_km / KM_PER_DEGREE, 6),
        round(CENTRE_LON + x_km / KM_PER_DEGREE_LON, 6),
    )


@dataclass(frozen=True)
class Street:
    name: str
    postcode: str
    x_km: float
    y_km: float
    weight: float


@dataclass
class Ward:
    """A ward: its centre, how densely people and volunteers live there, and its streets."""

    id: str
    name: str
    number: int
    x_km: float
    y_km: float
    spread_km: float
    people_weight: float
    volunteer_weight: float
    deprivation: float
    streets: list[Street] = field(default_factory=list)
    street_cum_weights: list[float] = field(default_factory=list)

    @property
    def lat_lon(self) -> tuple[float, float]:
        return to_lat_lon(self.x_km, self.y_km)


@dataclass(frozen=True)
class Home:
    ward: Ward
    address: str
    postcode: str
    lat: float
    lon: float


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def draw_wards(rng: random.Random, *, count: int, width_km: float, height_km: float) -> list[Ward]:
    """Ward centres spread over the borough (never too close), each with its own density."""
    names = rng.sample(WARD_STEMS, count)
    min_gap = math.sqrt(width_km * height_km / count) * 0.7
    centres: list[tuple[float, float]] = []
    while len(centres) < count:
        for _ in range(200):
            x = rng.uniform(-width_km / 2, width_km / 2)
            y = rng.uniform(-height_km / 2, height_km / 2)
            if all(math.hypot(x - cx, y - cy) >= min_gap for cx, cy in centres):
                centres.append((x, y))
                break
        else:
            min_gap *= 0.9
    wards = []
    for number, (stem, (x, y)) in enumerate(zip(names, centres, strict=True), start=1):
        name = f"{stem} {rng.choice(WARD_SUFFIXES)}"
        people_weight = rng.lognormvariate(0, 0.7)
        ward = Ward(
            id=f"area-{slug(name)}",
            name=name,
            number=number,
            x_km=x,
            y_km=y,
            spread_km=min_gap * rng.uniform(0.3, 0.5),
            people_weight=people_weight,
            volunteer_weight=math.sqrt(people_weight) * rng.lognormvariate(0, 0.5),
            deprivation=rng.betavariate(2, 2),
        )
        ward.streets = _draw_streets(rng, ward, count=rng.randint(8, 16))
        ward.street_cum_weights = list(itertools.accumulate(s.weight for s in ward.streets))
        wards.append(ward)
    return wards


def _draw_streets(rng: random.Random, ward: Ward, *, count: int) -> list[Street]:
    stems = rng.sample(STREET_STEMS, count)
    streets = []
    for index, stem in enumerate(stems):
        letters = "".join(rng.choices(POSTCODE_UNIT_LETTERS, k=2))
        streets.append(
            Street(
                name=f"{stem} {rng.choice(STREET_SUFFIXES)}",
                postcode=f"{POSTCODE_AREA}{ward.number} {index % 10}{letters}",
                x_km=ward.x_km + rng.gauss(0, ward.spread_km),
                y_km=ward.y_km + rng.gauss(0, ward.spread_km),
                weight=rng.lognormvariate(0, 0.6),
            )
        )
    return streets


def point_near(
    rng: random.Random, x_km: float, y_km: float, spread_km: float
) -> tuple[float, float]:
    """(lat, lon) of a point scattered around (x_km, y_km)."""
    return to_lat_lon(x_km + rng.gauss(0, spread_km), y_km + rng.gauss(0, spread_km))


def draw_home(rng: random.Random, wards: list[Ward], cum_weights: list[float]) -> Home:
    """A home: a ward by density (``cum_weights``: running totals of the wards' weights), a
    street of it, a house number, a point near the street."""
    ward = rng.choices(wards, cum_weights=cum_weights)[0]
    street = rng.choices(ward.streets, cum_weights=ward.street_cum_weights)[0]
    lat, lon = point_near(rng, street.x_km, street.y_km, 0.08)
    return Home(
        ward=ward,
        address=f"{rng.randint(1, 180)} {street.name}",
        postcode=street.postcode,
        lat=lat,
        lon=lon,
    )


class Grid:
    """Keys bucketed by 1 km squares, so nearby things are found without looking at all."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[str]] = defaultdict(list)

    def add(self, key: str, lat: float, lon: float) -> None:
        x, y = to_km(lat, lon)
        self._cells[(math.floor(x), math.floor(y))].append(key)

    def rings(self, lat: float, lon: float, *, up_to_km: float) -> Iterator[list[str]]:
        """Keys in the square around the point, then in each ring of squares around that, out
        to ``up_to_km``; nearer rings first, a stable order within each."""
        x, y = to_km(lat, lon)
        cx, cy = math.floor(x), math.floor(y)
        for ring in range(math.ceil(up_to_km) + 1):
            keys: list[str] = []
            for i in range(cx - ring, cx + ring + 1):
                for j in range(cy - ring, cy + ring + 1):
                    if max(abs(i - cx), abs(j - cy)) == ring:
                        keys.extend(self._cells.get((i, j), ()))
            yield keys
