"""Each objective term changes the answer of a tiny instance; hand-checkable optima."""

from __future__ import annotations

from solver.check import objective_value
from solver.models import Problem
from tests.solver.factories import assigned, north, person, problem, solved, visit, volunteer


def test_continuity_picks_the_circle_member_over_the_nearer_volunteer() -> None:
    raw = problem(
        people=[person(current_circle=["far"])],
        volunteers=[volunteer("near"), volunteer("far", at=north(3))],
    )
    solution = solved(raw)
    assert assigned(solution) == {"p1-tue": {"far"}}
    assert solution.status == "OPTIMAL"
    assert solution.assignments[0].reasons[0] == "in current circle"
    assert solution.metrics is not None and solution.metrics.continuity_share == 1.0


def test_travel_picks_the_volunteer_already_nearby() -> None:
    # v_a is pinned to a morning visit next to p3, v_b to one 4 km away; p3's afternoon visit
    # costs no more of anything else for either of them
    raw = problem(
        people=[person("p1", at=north(0.1)), person("p2", at=north(4)), person("p3")],
        visits=[
            visit("m1", "p1", pinned_volunteers=["v_a"]),
            visit("m2", "p2", pinned_volunteers=["v_b"]),
            visit("aft", "p3", earliest="14:00", latest="16:00"),
        ],
        volunteers=[volunteer("v_a", at=north(2)), volunteer("v_b", at=north(2))],
    )
    solution = solved(raw)
    assert assigned(solution)["aft"] == {"v_a"}
    assert solution.metrics is not None and solution.metrics.travel_km < 0.2


def test_fairness_spreads_minutes() -> None:
    raw = problem(
        people=[person("p1"), person("p2"), person("p3")],
        visits=[
            visit(
                "long", "p1", day=1, duration_minutes=120, latest="12:00", pinned_volunteers=["v1"]
            ),
            visit("short", "p2", day=2, pinned_volunteers=["v2"]),
            visit("extra", "p3", day=3),
        ],
        volunteers=[
            volunteer(
                vid, availability=[{"day": d, "start": "09:00", "end": "17:00"} for d in (1, 2, 3)]
            )
            for vid in ("v1", "v2")
        ],
    )
    solution = solved(raw)
    assert assigned(solution)["extra"] == {"v2"}


def test_need_decides_which_visit_is_covered() -> None:
    # one volunteer, two clashing visits: the person in more need is visited
    raw = problem(
        people=[person("calm", need=0.2), person("lonely", need=0.9)],
        visits=[visit("a", "calm", latest="11:00"), visit("b", "lonely", latest="11:00")],
    )
    solution = solved(raw)
    assert assigned(solution) == {"b": {"v1"}}
    assert solution.metrics is not None
    assert solution.metrics.need_weighted_coverage == round(0.9 / 1.1, 6)
    assert solution.metrics.need_weighted_upper_bound >= solution.metrics.need_weighted_coverage
    reasons = solution.unassigned[0].reasons
    assert reasons == [
        "the only volunteer who could go is busy with other visits on Tue 10:00-11:00"
    ]


def test_new_member_penalty_keeps_one_new_face() -> None:
    # two visits of one person, two equal volunteers: one newcomer beats two
    raw = problem(
        people=[person()],
        visits=[visit("a", day=1), visit("b", day=2)],
        volunteers=[
            volunteer(
                vid, availability=[{"day": d, "start": "09:00", "end": "17:00"} for d in (1, 2)]
            )
            for vid in ("v1", "v2")
        ],
    )
    solution = solved(raw)
    assert len({a.volunteer for a in solution.assignments}) == 1
    assert solution.metrics is not None and solution.metrics.new_circle_members == 1
    assert objective_value(Problem.model_validate(raw), solution.assignments) == 2 * 500 - 20


def test_same_seed_same_rota() -> None:
    raw = problem(
        people=[person(f"p{i}", at=north(i * 0.3)) for i in range(6)],
        visits=[visit(f"x{i}", f"p{i}", day=1 + i % 2) for i in range(6)],
        volunteers=[
            volunteer(
                f"v{i}",
                at=north(i * 0.5),
                availability=[
                    {"day": 1, "start": "09:00", "end": "13:00"},
                    {"day": 2, "start": "09:00", "end": "13:00"},
                ],
            )
            for i in range(3)
        ],
    )
    first = solved(raw)
    second = solved(raw)
    assert [a.model_dump() for a in first.assignments] == [
        a.model_dump() for a in second.assignments
    ]
