"""GraphQL for what-if: ``runScenario`` (a scenario of the week compared with it) and
``recruitmentHeatMap`` (where one more volunteer would help most). Coordinators, their own
organisation's week only; both answer with counts by area and time, no one's personal data."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from service import access
from service.access import AS_RETURNED_POLICY, COORDINATOR_OWN
from service.api.errors import InputError, check_id
from service.api.errors import week_input as _week
from service.api.info import ContextInfo
from service.weeks import week_label
from service.whatif import scenarios
from solver import eligibility, whatif

HEAT_MAP_METHOD = (
    "For each area, day and time of day, one more DBS-checked volunteer living at the area's "
    "centre and free for those hours is added to the week as it is (everyone keeps their "
    "visits) and takes the gaps they may, most in need first; where a gap asks for a language "
    "or a gender, the volunteer who would take most is counted and named. A full re-run of the "
    "rota could do a little more by moving other volunteers too, so these numbers are the "
    "least one more volunteer would add."
)


@strawberry.enum(
    description="A time of day: morning (before 13:00), afternoon, evening (17:00 on)."
)
class TimeBand(Enum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


@strawberry.input(description="Volunteers like one of the week's, living in an area.")
class AddVolunteersInput:
    like_volunteer_id: strawberry.ID = strawberry.field(
        description="A volunteer of the week: the new ones have their skills, languages, "
        "range, weekly time and availability."
    )
    area_id: strawberry.ID = strawberry.field(description="Where the new volunteers live.")
    count: int = 1


@strawberry.input(description="New people referred, in an area, with the visits they ask for.")
class ReferralInput:
    area_id: strawberry.ID
    count: int = 1
    visits_per_week: int = strawberry.field(default=1, description="1..5, on weekdays.")
    minutes: int = 60
    band: TimeBand = TimeBand.MORNING
    need: float = strawberry.field(default=0.5, description="0 (least) .. 1 (most).")


@strawberry.input(description="A person's visits this week: how many and how long.")
class VisitChangeInput:
    person_id: strawberry.ID
    count: int | None = strawberry.field(default=None, description="0..14; null: as now.")
    minutes: int | None = strawberry.field(default=None, description="15..480; null: as now.")


@strawberry.input(description="A scenario of one of your organisation's weeks.")
class ScenarioInput:
    week: str = strawberry.field(description="The week, like 2026-W48; it needs a rota run.")
    add_volunteers: list[AddVolunteersInput] = strawberry.field(default_factory=list)
    remove_volunteer_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    referrals: list[ReferralInput] = strawberry.field(default_factory=list)
    visit_changes: list[VisitChangeInput] = strawberry.field(default_factory=list)
    time_limit_seconds: float | None = strawberry.field(
        default=None,
        description="Time for the solver (1..30 s); null: the time the week's run had.",
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class GapTally:
    key: str = strawberry.field(description="An area's id, or a day and time like 'Mon morning'.")
    name: str = strawberry.field(description="The area's name, or the day and time in words.")
    visits: int
    gaps: int = strawberry.field(description="Visits left without a volunteer.")


@strawberry.type(directives=[AS_RETURNED_POLICY])
class WeekSummary:
    visits_total: int
    visits_covered: int
    coverage: float
    need_weighted_coverage: float
    continuity_share: float = strawberry.field(
        description="Share of visits that go to a member of the person's circle."
    )
    kept_by_circle: int = strawberry.field(description="Visits kept by circle members.")
    volunteers: int
    gaps_by_area: list[GapTally]
    gaps_by_time: list[GapTally] = strawberry.field(description="By weekday and time of day.")


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ScenarioComparison:
    week: str
    run_id: strawberry.ID = strawberry.field(description="The week's run compared with.")
    real: WeekSummary = strawberry.field(description="The week's rota as it was run.")
    scenario: WeekSummary
    solver_status: str
    solve_seconds: float


@strawberry.type(directives=[AS_RETURNED_POLICY])
class ScenarioRefused:
    message: str = strawberry.field(description="Why, naming the field when it was the input.")


ScenarioResult = Annotated[ScenarioComparison | ScenarioRefused, strawberry.union("ScenarioResult")]


@strawberry.type(directives=[AS_RETURNED_POLICY])
class HeatMapArea:
    id: strawberry.ID
    name: str


@strawberry.type(directives=[AS_RETURNED_POLICY])
class HeatMapCell:
    area_id: strawberry.ID
    day: int = strawberry.field(description="0 (Monday) .. 6.")
    band: TimeBand
    visits: int = strawberry.field(description="Gaps one more volunteer would take.")
    need_share: float = strawberry.field(
        description="Need-weighted coverage it adds (0..1 of the week's need)."
    )
    volunteer: str = strawberry.field(
        description="Who that volunteer is, in words: 'a volunteer', 'a Polish-speaking "
        "volunteer', 'a Somali-speaking female volunteer'."
    )


@strawberry.type(directives=[AS_RETURNED_POLICY])
class RecruitmentHeatMap:
    week: str
    run_id: strawberry.ID
    method: str = strawberry.field(description="How the values are found, in plain words.")
    gaps: int = strawberry.field(description="Visits of the week without a volunteer.")
    areas: list[HeatMapArea]
    cells: list[HeatMapCell]


def _tallies(tallies: list[whatif.Tally], names: dict[str, str] | None) -> list[GapTally]:
    return [
        GapTally(
            key=t.key,
            name=names.get(t.key, t.key) if names is not None else _time_words(t.key),
            visits=t.visits,
            gaps=t.gaps,
        )
        for t in tallies
    ]


def _time_words(key: str) -> str:
    day, band = key.split(" ", 1)
    return f"{eligibility.DAY_NAMES[eligibility.DAY_SHORT.index(day)]} {band}"


def _summary(summary: whatif.WeekSummary, names: dict[str, str]) -> WeekSummary:
    return WeekSummary(
        visits_total=summary.visits_total,
        visits_covered=summary.visits_covered,
        coverage=summary.coverage,
        need_weighted_coverage=summary.need_weighted_coverage,
        continuity_share=summary.continuity_share,
        kept_by_circle=summary.kept_by_circle,
        volunteers=summary.volunteers,
        gaps_by_area=_tallies(summary.by_area, names),
        gaps_by_time=_tallies(summary.by_band, None),
    )


def _changes(given: ScenarioInput) -> whatif.Changes:
    return whatif.Changes(
        add=[
            whatif.AddLike(
                volunteer=check_id(str(a.like_volunteer_id), f"addVolunteers[{i}].likeVolunteerId"),
                area=check_id(str(a.area_id), f"addVolunteers[{i}].areaId"),
                count=a.count,
            )
            for i, a in enumerate(given.add_volunteers)
        ],
        remove=[
            check_id(str(v), f"removeVolunteerIds[{i}]")
            for i, v in enumerate(given.remove_volunteer_ids)
        ],
        referrals=[
            whatif.Referral(
                area=check_id(str(r.area_id), f"referrals[{i}].areaId"),
                count=r.count,
                visits=r.visits_per_week,
                minutes=r.minutes,
                band=r.band.value,
                need=r.need,
            )
            for i, r in enumerate(given.referrals)
        ],
        visits=[
            whatif.VisitChange(
                person=check_id(str(c.person_id), f"visitChanges[{i}].personId"),
                count=c.count,
                minutes=c.minutes,
            )
            for i, c in enumerate(given.visit_changes)
        ],
    )


# Field names of solver/whatif.py's messages, as the GraphQL input names them.
_FIELD_NAMES = (
    ("add[", "addVolunteers["),
    ("].volunteer:", "].likeVolunteerId:"),
    ("].area:", "].areaId:"),
    ("remove[", "removeVolunteerIds["),
    ("visits[", "visitChanges["),
    ("].person:", "].personId:"),
    ("].visits:", "].visitsPerWeek:"),
)


def _input_words(message: str) -> str:
    for ours, theirs in _FIELD_NAMES:
        message = message.replace(ours, theirs)
    return message


NO_RUN = "week: {week} has no rota run of your organisation yet; run the rota first"


@strawberry.type
class WhatIfQuery:
    @strawberry.field(
        description="Where one more volunteer would help your organisation's week most: for "
        "each area, weekday and time of day, the gaps they would take (coordinators). Null "
        "when the week has no rota run yet.",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def recruitment_heat_map(self, info: ContextInfo, week: str) -> RecruitmentHeatMap | None:
        user = access.require_staff(info.context, "coordinator")
        monday = _week(week)
        try:
            found = await info.context.call(
                scenarios.recruitment_heat_map,
                week_start=monday,
                organization_id=access.organization_of(user),
            )
        except scenarios.NoRotaYet:
            return None
        return RecruitmentHeatMap(
            week=week_label(monday),
            run_id=strawberry.ID(found.run.id),
            method=HEAT_MAP_METHOD,
            gaps=found.gaps,
            areas=[HeatMapArea(id=strawberry.ID(a.id), name=a.name) for a in found.areas],
            cells=[
                HeatMapCell(
                    area_id=strawberry.ID(c.area),
                    day=c.day,
                    band=TimeBand(c.band),
                    visits=c.visits,
                    need_share=c.share,
                    volunteer=found.volunteer_words(c),
                )
                for c in found.cells
            ],
        )


@strawberry.type
class WhatIfMutation:
    @strawberry.mutation(
        description="Copy your organisation's week into a scenario (volunteers added like one "
        "of the week's, volunteers removed, referrals, a person's visits changed), solve it as "
        "the week was solved, and compare the two. Nothing is stored: the week and everyone's "
        "visits stay as they are (coordinators).",
        directives=[access.policy(COORDINATOR_OWN)],
    )
    async def run_scenario(self, info: ContextInfo, input: ScenarioInput) -> ScenarioResult:
        user = access.require_staff(info.context, "coordinator")
        monday = _week(input.week)
        limit = input.time_limit_seconds
        if limit is not None and not 1 <= limit <= scenarios.SCENARIO_TIME_LIMIT_MAX:
            raise InputError(
                f"timeLimitSeconds: expected 1..{scenarios.SCENARIO_TIME_LIMIT_MAX:g}, got {limit}"
            )
        changes = _changes(input)
        try:
            compared = await info.context.call(
                scenarios.compare_scenario,
                week_start=monday,
                organization_id=access.organization_of(user),
                changes=changes,
                time_limit=limit,
            )
        except scenarios.NoRotaYet:
            return ScenarioRefused(message=NO_RUN.format(week=week_label(monday)))
        except whatif.ScenarioError as error:
            raise InputError(_input_words(str(error))) from None
        except scenarios.ScenarioFailed as error:
            return ScenarioRefused(message=f"The scenario could not be solved: {error}")
        return ScenarioComparison(
            week=week_label(monday),
            run_id=strawberry.ID(compared.run.id),
            real=_summary(compared.real, compared.area_names),
            scenario=_summary(compared.scenario, compared.area_names),
            solver_status=compared.solver_status,
            solve_seconds=compared.solve_seconds,
        )
