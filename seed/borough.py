"""A deterministic synthetic UK borough: ``generate_borough("demo", seed=7)``.

Same size and seed give the same borough, down to every id and number: everything is drawn from
one ``random.Random(seed)`` and nothing reads the clock (times are relative to ``week_start``).

What it holds and how it is shaped (fictional, but with the lumps of a real place):

- wards (``Area``) with centres and their own densities; streets cluster around ward centres
  and homes cluster along streets (seed/geography.py);
- people being supported: need skewed low with a long tail (higher in deprived wards), a home
  language (mostly English; Polish, Bengali, Urdu, Somali, Turkish, Punjabi, Gujarati,
  Spanish), some who speak no English, access needs, interests, and weekly times they would
  like visits in;
- volunteers with weekly patterns: daytime retirees, evening and weekend workers, students,
  flexible part-timers; a travel range, a weekly limit, DBS checks (some expired);
- local services and groups (seed/catalogue.py) run by local organizations; two befriending
  organisations (the coordinating one and a second) that each support about half the people,
  with their volunteers (those in a circle volunteer with its person's organisation; a share
  volunteer with both), and the council's social prescribing team (link workers) supporting
  about half the people too (``organisations``; drawn from a random stream of their own, so
  the rest of the borough is the same as before organisations were added);
- existing relationships: couples at one address, neighbours on a street, friends in a ward,
  family across the borough, of varying density and with about a fifth of people knowing no
  one; existing care circles (volunteers who already visit someone, who also KNOW them);
- the week's visit requests, one per visit a person would like.
"""

from __future__ import annotations

import itertools
import random
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeVar

from clock import minutes_of
from graph.models import (
    Area,
    CareCircle,
    Interest,
    Knows,
    MemberOf,
    Organization,
    Person,
    Schedule,
    Service,
    SupportedBy,
    Visit,
    Volunteer,
    VolunteersWith,
    Window,
)
from seed.catalogue import INTERESTS, ORGANIZATION_KINDS, SERVICE_KINDS
from seed.geography import (
    Grid,
    Home,
    Ward,
    draw_home,
    draw_wards,
    point_near,
    slug,
)
from seed.names import (
    COORDINATING_ORGANIZATION,
    FIRST_NAMES,
    LAST_NAMES,
    LINK_WORKER_ORGANIZATION,
    SECOND_BEFRIENDING_ORGANIZATION,
)
from solver.geography import distance_km

Size = Literal["tiny", "demo", "borough"]
T = TypeVar("T")

DEFAULT_WEEK_START = date(2026, 11, 23)  # a Monday; the CLI passes the current week instead
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class BoroughSize:
    people: int
    volunteers: int
    services: int
    wards: int
    width_km: float
    height_km: float


SIZES: dict[str, BoroughSize] = {
    "tiny": BoroughSize(people=30, volunteers=40, services=15, wards=4, width_km=3, height_km=2.5),
    "demo": BoroughSize(
        people=300, volunteers=400, services=150, wards=10, width_km=6, height_km=5
    ),
    "borough": BoroughSize(
        people=5000, volunteers=10000, services=1500, wards=22, width_km=10, height_km=8
    ),
}

# Home languages of people and of volunteers, with weights.
PERSON_LANGUAGES = {
    "en": 72, "pl": 5, "bn": 5, "ur": 4, "so": 3, "tr": 3, "pa": 3, "gu": 3, "es": 2,
}  # fmt: skip
VOLUNTEER_LANGUAGES = {
    "en": 76, "pl": 5, "bn": 4, "ur": 3, "so": 2, "tr": 3, "pa": 2, "gu": 2, "es": 3,
}  # fmt: skip
LEARNT_LANGUAGES = ("fr", "es", "de", "pl", "it", "pt")

# An access need and the features of a place that meet it.
ACCESS_NEEDS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("wheelchair", 0.09, ("step_free", "accessible_toilet")),
    ("step-free", 0.10, ("step_free",)),
    ("hearing", 0.12, ("hearing_loop",)),
    ("sight", 0.07, ("large_print",)),
    ("quiet", 0.06, ("quiet_space",)),
    ("transport", 0.10, ("transport",)),
)

PERSON_WEEKDAY_TIMES = (
    ("10:00", "12:00"), ("10:00", "13:00"), ("11:00", "15:00"),
    ("13:30", "16:00"), ("14:00", "17:00"), ("17:00", "19:30"),
)  # fmt: skip
PERSON_WEEKDAY_WEIGHTS = (3, 3, 2, 3, 2, 1)
PERSON_WEEKEND_TIMES = (("10:00", "13:00"), ("14:00", "17:00"))
DAY_WEIGHTS = (5, 5, 5, 5, 5, 2, 2)


@dataclass(frozen=True)
class VolunteerPattern:
    """A kind of volunteer week: how many weekdays and weekend days, at which times, how many
    minutes a week in all and how far they travel."""

    share: float
    weekday_times: tuple[tuple[str, str], ...]
    weekdays: tuple[int, int]
    weekend_times: tuple[tuple[str, str], ...]
    weekend_days: tuple[int, int]
    minutes_per_week: tuple[int, int]
    max_km: tuple[float, float]


VOLUNTEER_PATTERNS: dict[str, VolunteerPattern] = {
    "retiree": VolunteerPattern(
        share=0.35,
        weekday_times=(
            ("09:30", "12:30"),
            ("10:00", "16:00"),
            ("13:00", "16:30"),
            ("09:00", "17:00"),
        ),
        weekdays=(2, 4),
        weekend_times=(("10:00", "13:00"),),
        weekend_days=(0, 1),
        minutes_per_week=(120, 360),
        max_km=(1.0, 4.0),
    ),
    "worker": VolunteerPattern(
        share=0.35,
        weekday_times=(("17:30", "20:30"), ("18:00", "21:00")),
        weekdays=(1, 2),
        weekend_times=(("10:00", "13:00"), ("11:00", "17:00"), ("14:00", "18:00")),
        weekend_days=(1, 2),
        minutes_per_week=(60, 180),
        max_km=(2.0, 8.0),
    ),
    "student": VolunteerPattern(
        share=0.15,
        weekday_times=(("13:00", "17:00"), ("14:00", "18:00"), ("12:00", "16:00")),
        weekdays=(2, 3),
        weekend_times=(("11:00", "15:00"),),
        weekend_days=(0, 1),
        minutes_per_week=(60, 180),
        max_km=(1.0, 5.0),
    ),
    "flexible": VolunteerPattern(
        share=0.15,
        weekday_times=(("09:00", "13:00"), ("13:00", "17:00"), ("10:00", "15:00")),
        weekdays=(2, 3),
        weekend_times=(("10:00", "14:00"),),
        weekend_days=(0, 1),
        minutes_per_week=(120, 300),
        max_km=(1.5, 6.0),
    ),
}


@dataclass
class Borough:
    """A generated borough: the nodes as graph models, and the relationships between them.

    Relationships that a model already names (``area_id`` -> IN, ``interests`` ->
    INTERESTED_IN or OFFERS, ``CareCircle.person_id`` -> SUPPORTS, ``Visit.person_id`` -> FOR)
    are written by the loader from those fields, as the repository does; ``knows`` and
    ``members`` are the rest.
    """

    size: str
    seed: int
    week_start: date
    areas: list[Area]
    interests: list[Interest]
    organizations: list[Organization]
    services: list[Service]
    people: list[Person]
    volunteers: list[Volunteer]
    circles: list[CareCircle]
    visits: list[Visit]
    knows: list[Knows]
    members: list[MemberOf]
    supported: list[SupportedBy]
    volunteering: list[VolunteersWith]

    @property
    def coordinating_organization(self) -> Organization:
        return next(o for o in self.organizations if o.kind == "coordinating")

    @property
    def befriending_organizations(self) -> list[Organization]:
        """The two organisations that run rotas: the coordinating one, then the second."""
        second = next(o for o in self.organizations if o.id == SECOND_BEFRIENDING_ID)
        return [self.coordinating_organization, second]

    @property
    def link_worker_organization(self) -> Organization:
        return next(o for o in self.organizations if o.id == LINK_WORKER_ID)


SECOND_BEFRIENDING_ID = f"org-{slug(SECOND_BEFRIENDING_ORGANIZATION)}"
LINK_WORKER_ID = f"org-{slug(LINK_WORKER_ORGANIZATION)}"


def generate_borough(
    size: Size | str, seed: int = 0, *, week_start: date = DEFAULT_WEEK_START
) -> Borough:
    """A synthetic borough of ``size`` ("tiny", "demo" or "borough"), the same for the same seed."""
    if size not in SIZES:
        raise ValueError(f"size: expected one of {', '.join(SIZES)}, got {size!r}")
    if week_start.weekday() != 0:
        raise ValueError(f"week_start: expected a Monday, got {week_start.isoformat()}")
    return _BoroughBuilder(SIZES[size], seed, week_start).build(size)


def _weighted_sample(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int
) -> list[T]:
    """``k`` distinct items, each drawn with probability proportional to its weight."""
    pool, pool_weights, chosen = list(items), list(weights), []
    for _ in range(min(k, len(pool))):
        index = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(index))
        pool_weights.pop(index)
    return chosen


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _spans(windows: Sequence[Window]) -> tuple[tuple[int, int, int], ...]:
    """Windows as (day, start minute, end minute), quick to compare."""
    return tuple((w.day, minutes_of(w.start), minutes_of(w.end)) for w in windows)


@dataclass(frozen=True)
class _Visiting:
    """What matters about a volunteer when choosing existing circles, ready to compare."""

    lat: float
    lon: float
    max_km: float
    languages: frozenset[str]
    gender: str | None
    spans: tuple[tuple[int, int, int], ...]


class _BoroughBuilder:
    def __init__(self, size: BoroughSize, seed: int, week_start: date) -> None:
        self.rng = random.Random(seed)
        self.size = size
        self.seed = seed
        self.week_start = week_start
        self.now = datetime(week_start.year, week_start.month, week_start.day, tzinfo=UTC)

    def build(self, size_name: str) -> Borough:
        wards = draw_wards(
            self.rng,
            count=self.size.wards,
            width_km=self.size.width_km,
            height_km=self.size.height_km,
        )
        areas = [Area(id=w.id, name=w.name, lat=w.lat_lon[0], lon=w.lat_lon[1]) for w in wards]
        interests = [Interest(id=i, name=n, category=c) for i, n, c, _ in INTERESTS]
        organizations, services = self._services(wards)
        density = list(itertools.accumulate(w.volunteer_weight for w in wards))
        volunteers = [
            self._volunteer(i, wards, density) for i in range(1, self.size.volunteers + 1)
        ]
        volunteer_grid = Grid()
        for volunteer in volunteers:
            volunteer_grid.add(volunteer.id, volunteer.lat, volunteer.lon)
        people, homes, couples = self._people(wards, volunteer_grid)
        circles, members, volunteer_knows = self._circles(people, volunteers, volunteer_grid)
        knows = self._relationships(people, homes, couples) + volunteer_knows
        visits = [visit for person in people for visit in self._visits(person)]
        organizations.extend(self._staff_organizations(wards))
        supported, volunteering = self._organisations(people, volunteers, circles, members)
        return Borough(
            size=size_name,
            seed=self.seed,
            week_start=self.week_start,
            areas=areas,
            interests=interests,
            organizations=organizations,
            services=services,
            people=people,
            volunteers=volunteers,
            circles=circles,
            visits=visits,
            knows=knows,
            members=members,
            supported=supported,
            volunteering=volunteering,
        )

    # -- organisations -----------------------------------------------------------------------

    def _staff_organizations(self, wards: list[Ward]) -> list[Organization]:
        """The second befriending organisation and the council's link-worker team."""
        centre = max(wards, key=lambda w: w.people_weight).id
        return [
            Organization(
                id=SECOND_BEFRIENDING_ID,
                name=SECOND_BEFRIENDING_ORGANIZATION,
                kind="befriending",
                email="hello@valegoodneighbours.example.org",
                area_id=centre,
                created_at=self.now - timedelta(days=1900),
            ),
            Organization(
                id=LINK_WORKER_ID,
                name=LINK_WORKER_ORGANIZATION,
                kind="social_prescribing",
                email="social.prescribing@vale.example.gov.uk",
                area_id=centre,
                created_at=self.now - timedelta(days=1200),
            ),
        ]

    def _organisations(
        self,
        people: list[Person],
        volunteers: list[Volunteer],
        circles: list[CareCircle],
        members: list[MemberOf],
    ) -> tuple[list[SupportedBy], list[VolunteersWith]]:
        """Each person supported by one befriending organisation (about half each), about
        half of them also by the link-worker team; volunteers with the organisation of every
        person whose circle they are in, the others with one or (a fifth) both."""
        rng = random.Random(f"organisations-{self.seed}")
        first, second = f"org-{slug(COORDINATING_ORGANIZATION)}", SECOND_BEFRIENDING_ID
        supported: list[SupportedBy] = []
        befriender: dict[str, str] = {}
        for person in people:
            org = first if rng.random() < 0.5 else second
            befriender[person.id] = org
            since = self.now - timedelta(days=rng.randint(30, 900))
            supported.append(
                SupportedBy(
                    person_id=person.id, organization_id=org, since=since, basis="befriending"
                )
            )
            if rng.random() < 0.5:
                supported.append(
                    SupportedBy(
                        person_id=person.id,
                        organization_id=LINK_WORKER_ID,
                        since=since + timedelta(days=rng.randint(0, 25)),
                        basis="social_prescribing",
                    )
                )
        circle_person = {c.id: c.person_id for c in circles}
        orgs_of: dict[str, set[str]] = defaultdict(set)
        for member in members:
            orgs_of[member.volunteer_id].add(befriender[circle_person[member.circle_id]])
        volunteering: list[VolunteersWith] = []
        for volunteer in volunteers:
            chosen = orgs_of.get(volunteer.id) or {first if rng.random() < 0.5 else second}
            if rng.random() < 0.2:
                chosen = {first, second}
            since = self.now - timedelta(days=rng.randint(30, 1500))
            volunteering.extend(
                VolunteersWith(volunteer_id=volunteer.id, organization_id=org, since=since)
                for org in sorted(chosen)
            )
        return supported, volunteering

    # -- small draws -------------------------------------------------------------------------

    def _days_ago(self, low: int, high: int) -> datetime:
        return self.now - timedelta(
            days=self.rng.randint(low, high), minutes=self.rng.randint(0, 1439)
        )

    def _phone(self) -> str:
        return f"07700 900{self.rng.randint(0, 999):03d}"  # Ofcom's range for drama

    def _name(self, language: str, gender: str | None) -> tuple[str, str]:
        female, male = FIRST_NAMES[language]
        if gender == "female" or (gender != "male" and self.rng.random() < 0.5):
            first = self.rng.choice(female)
        else:
            first = self.rng.choice(male)
        return first, self.rng.choice(LAST_NAMES[language])

    def _interests(self, weights: Sequence[float]) -> list[str]:
        count = self.rng.choices((0, 1, 2, 3, 4), weights=weights)[0]
        ids = [i for i, _, _, _ in INTERESTS]
        return _weighted_sample(self.rng, ids, [p for _, _, _, p in INTERESTS], count)

    def _window(
        self, day: int, times: Sequence[tuple[str, str]], weights: Sequence[float] | None = None
    ) -> Window:
        start, end = self.rng.choices(times, weights=weights)[0]
        return Window(day=day, start=start, end=end)

    # -- services ----------------------------------------------------------------------------

    def _services(self, wards: list[Ward]) -> tuple[list[Organization], list[Service]]:
        rng = self.rng
        coordinating = Organization(
            id=f"org-{slug(COORDINATING_ORGANIZATION)}",
            name=COORDINATING_ORGANIZATION,
            kind="coordinating",
            email="coordinators@valecare.example.org",
            phone="020 7946 0001",
            url="https://valecare.example.org/",
            area_id=max(wards, key=lambda w: w.people_weight).id,
            created_at=self._days_ago(1500, 2500),
        )
        organizations: dict[str, Organization] = {coordinating.id: coordinating}
        services: list[Service] = []
        names_taken: set[str] = set()
        ward_weights = [w.people_weight + 0.5 for w in wards]
        kind_weights = [k.weight for k in SERVICE_KINDS]
        for index in range(1, self.size.services + 1):
            kind = rng.choices(SERVICE_KINDS, weights=kind_weights)[0]
            ward = rng.choices(wards, weights=ward_weights)[0]
            name_template, org_template = rng.choice(kind.groups)
            org_name = org_template.format(ward=ward.name)
            org_id = f"org-{slug(org_name)}"
            if org_id not in organizations:
                organizations[org_id] = Organization(
                    id=org_id,
                    name=org_name,
                    kind=ORGANIZATION_KINDS[org_template],
                    url=f"https://{slug(org_name)}.example.org/",
                    area_id=ward.id if "{ward}" in org_template else None,
                    created_at=self._days_ago(700, 3000),
                )
            days = list(range(7 if kind.weekend else 5))
            schedules = [
                Schedule(
                    day=day,
                    start=start,
                    end=end,
                    frequency=rng.choices(("weekly", "fortnightly", "monthly"), (75, 15, 10))[0],
                )
                for day in sorted(rng.sample(days, rng.choices((1, 2), (80, 20))[0]))
                for start, end in [rng.choice(kind.times)]
            ]
            name = self._unique_name(
                name_template.format(ward=ward.name), schedules[0], names_taken
            )
            lat: float | None = None
            lon: float | None = None
            if kind.has_place:
                street = rng.choice(ward.streets)
                lat, lon = point_near(rng, street.x_km, street.y_km, 0.05)
            services.append(
                Service(
                    id=f"service-{index:05d}",
                    name=name,
                    description=(f"{name}: a {kind.category.replace('_', ' ')} run by {org_name}."),
                    organization_id=org_id,
                    category=kind.category,
                    lat=lat,
                    lon=lon,
                    area_id=ward.id if kind.has_place else None,
                    schedules=schedules,
                    cost=rng.choice(kind.costs),
                    accessibility=[f for f in kind.accessibility if rng.random() < 0.75],
                    interests=rng.sample(kind.interests, rng.randint(1, len(kind.interests))),
                    phone=f"020 7946 0{rng.randint(100, 999)}" if rng.random() < 0.5 else None,
                    created_at=self._days_ago(30, 1500),
                )
            )
        return list(organizations.values()), services

    @staticmethod
    def _unique_name(name: str, first: Schedule, taken: set[str]) -> str:
        day = DAY_NAMES[first.day]
        candidates = itertools.chain(
            (name, f"{name} ({day})", f"{name} ({day} {first.start})"),
            (f"{name} ({day} {first.start}, group {n})" for n in itertools.count(2)),
        )
        chosen = next(c for c in candidates if c not in taken)
        taken.add(chosen)
        return chosen

    # -- volunteers --------------------------------------------------------------------------

    def _volunteer(self, index: int, wards: list[Ward], density: list[float]) -> Volunteer:
        rng = self.rng
        home = draw_home(rng, wards, density)
        language = rng.choices(
            list(VOLUNTEER_LANGUAGES), weights=list(VOLUNTEER_LANGUAGES.values())
        )[0]
        if language == "en":
            languages = ["en", rng.choice(LEARNT_LANGUAGES)] if rng.random() < 0.06 else ["en"]
        else:
            languages = [language, "en"] if rng.random() < 0.93 else [language]
        gender = rng.choices(("female", "male", "non_binary", None), (63, 33, 2, 2))[0]
        first, last = self._name(language, gender)
        patterns = list(VOLUNTEER_PATTERNS.values())
        pattern = rng.choices(patterns, [p.share for p in patterns])[0]
        days = rng.sample(range(5), rng.randint(*pattern.weekdays))
        availability = [self._window(day, pattern.weekday_times) for day in days]
        weekend = rng.sample((5, 6), rng.randint(*pattern.weekend_days))
        availability += [self._window(day, pattern.weekend_times) for day in weekend]
        checked = rng.random() < 0.84
        expires: date | None = None
        if checked:
            if rng.random() < 0.12:
                expires = self.week_start - timedelta(days=rng.randint(1, 400))
            else:
                expires = self.week_start + timedelta(days=rng.randint(30, 3 * 365))
        return Volunteer(
            id=f"volunteer-{index:05d}",
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}.{index}@example.org",
            phone=self._phone() if rng.random() < 0.9 else None,
            lat=home.lat,
            lon=home.lon,
            area_id=home.ward.id,
            max_km=round(rng.uniform(*pattern.max_km), 1),
            max_minutes=rng.randrange(
                pattern.minutes_per_week[0], pattern.minutes_per_week[1] + 1, 30
            ),
            availability=sorted(availability, key=lambda w: w.day),
            languages=languages,
            gender=gender,
            checked=checked,
            check_expires=expires,
            interests=self._interests((25, 30, 30, 15, 0)),
            created_at=self._days_ago(14, 1500),
        )

    # -- people ------------------------------------------------------------------------------

    def _people(
        self, wards: list[Ward], volunteer_grid: Grid
    ) -> tuple[list[Person], list[Home], list[tuple[int, int]]]:
        """People, their homes (same order) and couples (index pairs sharing a home)."""
        rng = self.rng
        people: list[Person] = []
        homes: list[Home] = []
        couples: list[tuple[int, int]] = []
        partnered: set[int] = set()
        density = list(itertools.accumulate(w.people_weight for w in wards))
        for index in range(self.size.people):
            partner: int | None = None
            if index > 0 and rng.random() < 0.08:
                candidate = rng.randrange(index)
                if candidate not in partnered:
                    partner = candidate
            if partner is None:
                home = draw_home(rng, wards, density)
            else:
                home = homes[partner]
                partnered.update((partner, index))
                couples.append((partner, index))
            homes.append(home)
            people.append(self._person(index + 1, home, volunteer_grid))
        return people, homes, couples

    def _person(self, index: int, home: Home, volunteer_grid: Grid) -> Person:
        rng = self.rng
        language = rng.choices(list(PERSON_LANGUAGES), weights=list(PERSON_LANGUAGES.values()))[0]
        if language == "en":
            languages = ["en"]
        else:
            languages = [language, "en"] if rng.random() < 0.7 else [language]
        gender = rng.choices(("female", "male", "non_binary", "other", None), (58, 37, 1, 1, 3))[0]
        first, last = self._name(language, gender)
        need = min(1.0, rng.betavariate(1.6, 3.4) + 0.25 * home.ward.deprivation * rng.random())
        visits_per_week = rng.choices(
            (0, 1, 2, 3), (4, 56, 30, 10) if need < 0.6 else (2, 38, 40, 20)
        )[0]
        visit_minutes = rng.choice((30, 45, 60, 60, 60, 90))
        window_count = min(5, max(1, visits_per_week + rng.choices((0, 1, 2), (4, 4, 2))[0]))
        days = _weighted_sample(rng, range(7), DAY_WEIGHTS, window_count)
        windows = [
            self._window(day, PERSON_WEEKEND_TIMES)
            if day >= 5
            else self._window(day, PERSON_WEEKDAY_TIMES, PERSON_WEEKDAY_WEIGHTS)
            for day in sorted(days)
        ]
        access: list[str] = []
        for _, share, features in ACCESS_NEEDS:
            if rng.random() < share:
                access.extend(features)
        age = rng.randint(30, 64) if rng.random() < 0.15 else round(rng.triangular(65, 99, 80))
        born = date(self.week_start.year - age, 1, 1) + timedelta(days=rng.randint(0, 364))
        preference = gender if gender in ("female", "male") and rng.random() < 0.12 else None
        excluded: list[str] = []
        if rng.random() < 0.02:
            nearby = next(volunteer_grid.rings(home.lat, home.lon, up_to_km=0))
            excluded = [rng.choice(nearby)] if nearby else []
        return Person(
            id=f"person-{index:05d}",
            first_name=first,
            last_name=last,
            address=home.address,
            postcode=home.postcode,
            lat=home.lat,
            lon=home.lon,
            area_id=home.ward.id,
            need=round(need, 3),
            need_trend=round(max(-0.3, min(0.3, rng.gauss(0, 0.06))), 3),
            languages=languages,
            gender=gender,
            gender_preference=preference,
            interests=self._interests((5, 25, 35, 25, 10)),
            access_needs=access,
            visit_windows=windows,
            visits_per_week=visits_per_week,
            visit_minutes=visit_minutes,
            requires_check=rng.random() < 0.92,
            circle_max=rng.choices((3, 4, 5), (2, 6, 2))[0],
            excluded_volunteers=excluded,
            phone=self._phone() if rng.random() < 0.8 else None,
            date_of_birth=born,
            created_at=self._days_ago(14, 1000),
        )

    # -- circles and relationships -----------------------------------------------------------

    def _circles(
        self, people: list[Person], volunteers: list[Volunteer], grid: Grid
    ) -> tuple[list[CareCircle], list[MemberOf], list[Knows]]:
        """Existing circles: for a share of people (more of those in greater need), one to
        three volunteers in range who share a language, suit a gender preference and are free
        when the person would like visits. Their members also KNOW the person."""
        rng = self.rng
        by_id = {
            v.id: _Visiting(
                v.lat, v.lon, v.max_km, frozenset(v.languages), v.gender, _spans(v.availability)
            )
            for v in volunteers
        }
        circle_count: dict[str, int] = defaultdict(int)
        circles: list[CareCircle] = []
        members: list[MemberOf] = []
        knows: list[Knows] = []
        for person in people:
            if person.visits_per_week == 0 or rng.random() > 0.2 + 0.4 * person.need:
                continue
            candidates = self._circle_candidates(person, by_id, grid, circle_count)
            if not candidates:
                continue
            size = min(person.circle_max, rng.choices((1, 2, 3), (45, 40, 15))[0])
            chosen = _weighted_sample(rng, candidates, [1 / (0.5 + d) for _, d in candidates], size)
            circle = CareCircle(
                id=f"circle-{person.id}", person_id=person.id, created_at=self._days_ago(60, 900)
            )
            circles.append(circle)
            for volunteer_id, _ in chosen:
                circle_count[volunteer_id] += 1
                since = circle.created_at + timedelta(days=rng.randint(0, 50))
                members.append(
                    MemberOf(volunteer_id=volunteer_id, circle_id=circle.id, since=since)
                )
                knows.append(
                    Knows(
                        from_id=volunteer_id,
                        to_id=person.id,
                        kind="volunteer",
                        strength=round(rng.uniform(0.3, 0.9), 2),
                        visits=rng.randint(1, 40),
                        last_seen=self._days_ago(2, 42),
                    )
                )
        return circles, members, knows

    def _circle_candidates(
        self,
        person: Person,
        by_id: dict[str, _Visiting],
        grid: Grid,
        circle_count: dict[str, int],
    ) -> list[tuple[str, float]]:
        """Up to eight volunteers who could be in the person's circle, with their distance:
        nearest squares of the grid first."""
        languages = set(person.languages)
        windows = _spans(person.visit_windows)
        found: list[tuple[str, float]] = []
        for ring in grid.rings(person.lat, person.lon, up_to_km=8):
            for volunteer_id in ring:
                volunteer = by_id[volunteer_id]
                if (
                    circle_count[volunteer_id] < 3
                    and (not languages or not languages.isdisjoint(volunteer.languages))
                    and person.gender_preference in (None, volunteer.gender)
                    and volunteer_id not in person.excluded_volunteers
                    and any(
                        a_day == w_day
                        and min(a_end, w_end) - max(a_start, w_start) >= person.visit_minutes
                        for a_day, a_start, a_end in volunteer.spans
                        for w_day, w_start, w_end in windows
                    )
                ):
                    distance = distance_km(person.lat, person.lon, volunteer.lat, volunteer.lon)
                    if distance <= volunteer.max_km:
                        found.append((volunteer_id, distance))
                        if len(found) == 8:
                            return found
        return found

    def _relationships(
        self, people: list[Person], homes: list[Home], couples: list[tuple[int, int]]
    ) -> list[Knows]:
        """KNOWS between people: couples, then neighbours (same street), friends (same ward)
        and family (anywhere) up to each person's own number of ties."""
        rng = self.rng
        count = len(people)
        # Knowing no one goes with greater need (about a fifth of people overall).
        target = [
            0 if rng.random() < 0.08 + 0.3 * p.need else min(8, 1 + int(rng.expovariate(0.8)))
            for p in people
        ]
        degree = [0] * count
        linked: set[tuple[int, int]] = set()
        knows: list[Knows] = []

        def link(
            a: int, b: int, kind: Literal["family", "neighbour", "friend"], strength: float
        ) -> None:
            linked.add((min(a, b), max(a, b)))
            degree[a] += 1
            degree[b] += 1
            knows.append(
                Knows(
                    from_id=people[a].id, to_id=people[b].id, kind=kind, strength=round(strength, 2)
                )
            )

        for a, b in couples:
            target[a], target[b] = max(target[a], 1), max(target[b], 1)
            link(a, b, "family", rng.uniform(0.7, 0.95))
        by_street: dict[str, list[int]] = defaultdict(list)
        by_ward: dict[str, list[int]] = defaultdict(list)
        for index, home in enumerate(homes):
            by_street[home.postcode].append(index)
            by_ward[home.ward.id].append(index)
        everyone = list(range(count))
        for a in rng.sample(everyone, count):
            for _ in range(target[a] - degree[a]):
                kind = rng.choices(("neighbour", "friend", "family"), (45, 35, 20))[0]
                pool = {
                    "neighbour": by_street[homes[a].postcode],
                    "friend": by_ward[homes[a].ward.id],
                    "family": everyone,
                }[kind]
                for _ in range(10):
                    b = rng.choice(pool)
                    if b != a and degree[b] < target[b] and (min(a, b), max(a, b)) not in linked:
                        low, high = {
                            "family": (0.5, 0.95),
                            "neighbour": (0.2, 0.6),
                            "friend": (0.3, 0.8),
                        }[kind]
                        link(a, b, kind, rng.uniform(low, high))  # type: ignore[arg-type]
                        break
        return knows

    # -- the week's visits -------------------------------------------------------------------

    def _visits(self, person: Person) -> list[Visit]:
        rng = self.rng
        chosen = sorted(
            rng.sample(
                person.visit_windows, min(person.visits_per_week, len(person.visit_windows))
            ),
            key=lambda w: w.day,
        )
        two_needed = "step_free" in person.access_needs and person.need > 0.8
        return [
            Visit(
                id=f"visit-{self.week_start:%Y%m%d}-{person.id}-{window.day}",
                person_id=person.id,
                week_start=self.week_start,
                day=window.day,
                earliest=window.start,
                latest=window.end,
                duration_minutes=person.visit_minutes,
                requires_check=person.requires_check,
                volunteers_needed=2 if two_needed and rng.random() < 0.5 else 1,
                created_at=self._days_ago(1, 6),
            )
            for window in chosen
        ]
