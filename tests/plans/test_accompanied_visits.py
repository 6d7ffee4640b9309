"""Accompanied first visits: a goal's activity at a service asks for a volunteer to go along
the first times; the week's plan gets one visit at the service's scheduled day, time and place,
the rota judges it by the usual rules at the service's place, prefers the person's circle, and
explains a gap like any other."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from graph.models import CareCircle, MemberOf, Person, RotaRun, Schedule, Service
from service.plans import plans
from service.rota.accompanied import place_id
from service.rota.runs import build_problem, names_in_reasons, plan_week, rota_csv
from service.visits.claims import claim_visit, log_visit
from service.visits.open_visits_snapshot import open_visits_changed
from solver.solve import solve
from tests.service.conftest import Api, World, next_monday
from tests.world import save, saved


def _service(world: World, *, lat: float = 51.551, lon: float = -0.061) -> Service:
    return saved(
        world.api.store,
        Service(
            id=f"svc-{uuid.uuid4().hex[:8]}",
            name="Canal walkers",
            category="walking_group",
            lat=lat,
            lon=lon,
            area_id=world.area_id,
            schedules=[Schedule(day=3, start="14:00", end="15:30")],
        ),
    )


def _plan_going_along(world: World, person: Person, service: Service, times: int) -> None:
    made = plans.create_plan(
        store=world.api.store,
        person_id=person.id,
        what_matters="Getting out",
        goals=[
            plans.GoalDraft(
                text="Walk with the group",
                expected="Went twice",
                target_date=date.today() + timedelta(weeks=8),
                activities=[
                    plans.ActivityDraft(
                        kind="service", service_id=service.id, accompanied_visits=times
                    )
                ],
            )
        ],
        created_by="u-link-worker",
    )
    assert isinstance(made, plans.PlanRecord)


def _accompanied(api: Api, person: Person) -> list[dict[str, object]]:
    rows = api.store.run(
        "MATCH (v:Visit)-[:FOR]->(:Person {id: $id}) WHERE v.service_id IS NOT NULL "
        "RETURN properties(v) AS v ORDER BY v.week_start",
        {"id": person.id},
    )
    return [row["v"] for row in rows]


def test_the_week_gets_a_visit_at_the_services_time_and_the_circle_goes_along(
    api: Api, world: World
) -> None:
    walk = _service(world)
    ann = world.person("Ann", visit_windows=[], gender_preference="female")
    sam = world.volunteer("Sam", gender="female")
    world.volunteer("Val", gender="female")  # as eligible, but not in Ann's circle
    world.volunteer("Vic", gender="male")  # not the gender Ann asked for
    circle = CareCircle(id=f"circle-{uuid.uuid4().hex[:8]}", person_id=ann.id)
    save(api.store, circle, MemberOf(volunteer_id=sam.id, circle_id=circle.id))
    _plan_going_along(world, ann, walk, times=2)

    monday = next_monday()
    plan_week(store=api.store, week_start=monday)
    [visit] = _accompanied(api, ann)
    assert (visit["day"], visit["earliest"], visit["latest"], visit["duration_minutes"]) == (
        3,
        "14:00",
        "15:30",
        90,
    )
    assert visit["service_id"] == walk.id
    assert visit["notes"] == "Going along to Canal walkers (1 of 2)"

    problem = build_problem(store=api.store, week_start=monday)
    [in_problem] = [v for v in problem.visits if v.id == visit["id"]]
    there = next(p for p in problem.people if p.id == in_problem.person)
    assert there.id == place_id(ann.id, walk.id)
    assert (there.lat, there.lon) == (walk.lat, walk.lon)
    assert there.gender_preference == "female" and there.current_circle == [sam.id]

    solution = solve(problem, time_limit=5)
    [assigned] = [a for a in solution.assignments if a.visit == visit["id"]]
    assert (assigned.volunteer, assigned.start) == (sam.id, "14:00")
    assert "in current circle" in assigned.reasons
    # The draft's CSV names the person, not the person-at-the-service.
    run = RotaRun(
        id=f"run-{uuid.uuid4().hex[:8]}",
        week_start=monday,
        status="draft",
        problem=problem.model_dump_json(),
        solution=solution.model_dump_json(),
    )
    csv = rota_csv(run=run, names={ann.id: "Ann", sam.id: "Sam"})
    assert f"{visit['id']},Ann,3,14:00,Sam,assigned" in csv


def test_only_the_first_times_and_a_missed_one_is_made_up(api: Api, world: World) -> None:
    walk = _service(world)
    bob = world.person("Bob", visit_windows=[])
    _plan_going_along(world, bob, walk, times=2)
    monday = next_monday()
    weeks = [monday + timedelta(weeks=w) for w in range(4)]
    plan_week(store=api.store, week_start=weeks[0])
    plan_week(store=api.store, week_start=weeks[0])  # planning twice adds nothing
    assert len(_accompanied(api, bob)) == 1
    api.store.run("MATCH (v:Visit) WHERE v.service_id = $s SET v.status = 'missed'", {"s": walk.id})
    plan_week(store=api.store, week_start=weeks[1])
    api.store.run(
        "MATCH (v:Visit) WHERE v.service_id = $s AND v.status = 'open' SET v.status = 'done'",
        {"s": walk.id},
    )
    plan_week(store=api.store, week_start=weeks[2])
    plan_week(store=api.store, week_start=weeks[3])
    made = _accompanied(api, bob)
    assert [(v["week_start"], v["status"], v["notes"]) for v in made] == [
        (weeks[0].isoformat(), "missed", "Going along to Canal walkers (1 of 2)"),
        (weeks[1].isoformat(), "done", "Going along to Canal walkers (1 of 2)"),
        (weeks[2].isoformat(), "open", "Going along to Canal walkers (2 of 2)"),
    ]


def test_an_accompanied_visit_nobody_can_reach_is_a_gap_with_a_reason(
    api: Api, world: World
) -> None:
    far = _service(world, lat=51.70, lon=-0.06)  # about 17 km from every volunteer
    cat = world.person("Cat", visit_windows=[])
    world.volunteer("Sue")
    _plan_going_along(world, cat, far, times=1)
    monday = next_monday()
    plan_week(store=api.store, week_start=monday)
    [visit] = _accompanied(api, cat)
    problem = build_problem(store=api.store, week_start=monday)
    solution = solve(problem, time_limit=5)
    [gap] = [u for u in solution.unassigned if u.visit == visit["id"]]
    run = RotaRun(
        id=f"run-{uuid.uuid4().hex[:8]}",
        week_start=monday,
        status="draft",
        problem=problem.model_dump_json(),
        solution=solution.model_dump_json(),
    )
    # As the coordinator reads it: the person and the group by name.
    said = names_in_reasons(store=api.store, runs=[run]).with_first_names(gap.reasons)
    assert said == ["no volunteer's travel range reaches Cat at Canal walkers"]


def test_logging_an_accompanied_visit_done_ties_the_person_to_the_service(
    api: Api, world: World
) -> None:
    walk = _service(world)
    dee = world.person("Dee", visit_windows=[])
    sam = world.volunteer("Sam")
    visits = [
        world.visit(
            dee,
            service_id=walk.id,
            day=3,
            earliest="14:00",
            latest="15:30",
            duration_minutes=90,
            start="14:00",
            status="accepted",
        ),
        world.visit(dee, day=1, start="10:00", status="accepted"),  # an ordinary visit
    ]
    api.store.run(  # accepted by Sam, as acceptVisit leaves them
        "MATCH (vol:Volunteer {id: $vol}), (v:Visit) WHERE v.id IN $ids "
        "CREATE (vol)-[:ASSIGNED {status: 'accepted', at: $at}]->(v)",
        {"vol": sam.id, "ids": [v.id for v in visits], "at": "2026-01-01T00:00:00Z"},
    )
    for visit in visits:
        world.time_passes(visit)  # a visit is logged once it has started
        assert log_visit(
            store=api.store, visit_id=visit.id, volunteer_id=sam.id, outcome="done", note=None
        ).ok
    attends = (
        "MATCH (:Person {id: $id})-[t:ATTENDS]->(s:Service) RETURN s.id AS s, t.times AS times"
    )
    assert api.store.run(attends, {"id": dee.id}) == [{"s": walk.id, "times": 1}]

    # Corrected within the day: she did not go after all, so the tie the log made goes again.
    assert log_visit(
        store=api.store, visit_id=visits[0].id, volunteer_id=sam.id, outcome="missed", note=None
    ).ok
    assert api.store.run(attends, {"id": dee.id}) == []


def test_the_volunteer_sees_where_to_meet_and_what_it_is(api: Api, world: World) -> None:
    walk = _service(world)
    eve = world.person("Eve", visit_windows=[])
    sam = world.volunteer("Sam")
    along = world.visit(
        eve,
        service_id=walk.id,
        day=3,
        earliest="14:00",
        latest="15:30",
        duration_minutes=90,
        status="proposed",
    )
    home = world.visit(eve, day=1, status="proposed")
    api.store.run(
        "MATCH (vol:Volunteer {id: $vol}), (v:Visit) WHERE v.id IN $ids "
        "CREATE (vol)-[:ASSIGNED {status: 'proposed', at: $at}]->(v)",
        {"vol": sam.id, "ids": [along.id, home.id], "at": "2026-01-01T00:00:00Z"},
    )
    mine = api.data(
        "query { myVisits { id notes: goingAlongTo { name area } } }",
        token=world.volunteer_token(sam),
    )["myVisits"]
    by_id = {v["id"]: v["notes"] for v in mine}
    assert by_id[along.id] == {"name": "Canal walkers", "area": f"Ward {world.tag}"}
    assert by_id[home.id] is None


def _accompanied_weeks(api: Api, person: Person) -> list[tuple[str, int]]:
    return [(str(v["week_start"]), int(str(v["day"]))) for v in _accompanied(api, person)]


def test_a_fortnightly_group_gets_a_visit_only_in_the_weeks_it_meets(
    api: Api, world: World
) -> None:
    monday = next_monday()
    fortnightly = saved(
        api.store,
        _service(world).model_copy(
            update={
                "schedules": [
                    Schedule(
                        day=3,
                        start="14:00",
                        end="15:30",
                        frequency="fortnightly",
                        starts_on=monday + timedelta(weeks=1, days=3),
                    )
                ]
            }
        ),
    )
    fay = world.person("Fay", visit_windows=[])
    _plan_going_along(world, fay, fortnightly, times=3)
    weeks = [monday + timedelta(weeks=w) for w in range(5)]
    for week in weeks:
        plan_week(store=api.store, week_start=week)
    # Not before its first date, then every other week from it.
    assert _accompanied_weeks(api, fay) == [(weeks[1].isoformat(), 3), (weeks[3].isoformat(), 3)]


def test_a_monthly_group_gets_a_visit_only_in_the_week_of_its_day(api: Api, world: World) -> None:
    monthly = saved(
        api.store,
        _service(world).model_copy(
            update={
                "schedules": [
                    Schedule(
                        day=1, start="10:00", end="12:00", frequency="monthly", week_of_month=2
                    )
                ]
            }
        ),
    )
    gus = world.person("Gus", visit_windows=[])
    _plan_going_along(world, gus, monthly, times=3)
    monday = next_monday()
    weeks = [monday + timedelta(weeks=w) for w in range(6)]
    for week in weeks:
        plan_week(store=api.store, week_start=week)
    second_tuesdays = [
        week.isoformat() for week in weeks if 8 <= (week + timedelta(days=1)).day <= 14
    ]
    assert len(second_tuesdays) in (1, 2)
    assert [week for week, _ in _accompanied_weeks(api, gus)] == second_tuesdays


def test_an_organisations_rota_plans_going_along_only_for_its_own_people(
    api: Api, world: World
) -> None:
    walk = _service(world)
    other = world.organization("Elsewhere")
    hal = world.person("Hal", visit_windows=[])
    ivy = world.person("Ivy", visit_windows=[], organization_id=other)
    _plan_going_along(world, hal, walk, times=1)
    _plan_going_along(world, ivy, walk, times=1)
    monday = next_monday()
    plan_week(store=api.store, week_start=monday, organization_id=world.organization_id)
    assert len(_accompanied(api, hal)) == 1
    assert _accompanied(api, ivy) == []
    plan_week(store=api.store, week_start=monday, organization_id=other)
    assert len(_accompanied(api, ivy)) == 1


CLAIMABLE = "query { openVisits(first: 50) { edges { node { id } } } }"


def test_open_visits_and_claims_measure_from_the_groups_place_not_the_home(
    api: Api, world: World
) -> None:
    near = _service(world)  # about 0.1 km from the volunteer
    far = _service(world, lat=51.70, lon=-0.06)  # about 17 km from the volunteer
    jo = world.person("Jo", visit_windows=[], lat=51.70, lon=-0.06)  # lives far out
    kit = world.person("Kit", visit_windows=[])  # lives near the volunteer
    _plan_going_along(world, jo, near, times=1)
    _plan_going_along(world, kit, far, times=1)
    sue = world.volunteer("Sue")  # 5 km range
    plan_week(store=api.store, week_start=next_monday())
    [jo_visit], [kit_visit] = _accompanied(api, jo), _accompanied(api, kit)
    assert (jo_visit["lat"], jo_visit["lon"]) == (near.lat, near.lon)
    open_visits_changed(store=api.store)
    offered = {
        e["node"]["id"]
        for e in api.data(CLAIMABLE, token=world.volunteer_token(sue))["openVisits"]["edges"]
    }
    assert str(jo_visit["id"]) in offered and str(kit_visit["id"]) not in offered
    kit_claim = claim_visit(store=api.store, visit_id=str(kit_visit["id"]), volunteer_id=sue.id)
    assert kit_claim.outcome == "not_eligible"
    jo_claim = claim_visit(store=api.store, visit_id=str(jo_visit["id"]), volunteer_id=sue.id)
    assert (jo_claim.outcome, jo_claim.start) == ("claimed", "14:00")
