"""The link worker's caseload over HTTP: reviews due this week, goals past their date, no
activity in four weeks, loneliness worsening with no plan; each opens the person's plan, and
only what the person's consent covers is listed (and logged)."""

from __future__ import annotations

from datetime import date, timedelta

from graph.models import utc_now
from service.plans import plans
from service.wellbeing.checkins import record_check_in
from tests.person_record_api.conftest import grant
from tests.plans.conftest import PLANS, worker_with_plan_consent
from tests.service.conftest import Api, World

CASELOAD = """query { caseload { personId firstName planId reasons reviewDue goalsPastDate
  lastActivity } }"""
ACCESS_LOG = "query { myData { accessLog { fields } } }"


def _goal(text: str, target: date) -> plans.GoalDraft:
    return plans.GoalDraft(text=text, expected="once", target_date=target)


def test_caseload_lists_each_reason_and_opens_the_plan(api: Api, world: World) -> None:
    now = utc_now()
    today = now.date()
    ann, bob, cat, dan, eve = (world.person(n) for n in ("Ann", "Bob", "Cat", "Dan", "Eve"))
    user_id, worker = worker_with_plan_consent(world, ann, "plan")
    for person in (bob, eve):
        grant(world, person, user_id=user_id, scopes=("plan",))
    for person in (cat, dan):
        grant(world, person, user_id=user_id, scopes=("checkins",))

    # Ann: made five weeks ago: the four-week review is a week overdue, a goal's date has gone,
    # and nothing has been recorded since.
    five_weeks_ago = now - timedelta(weeks=5)
    made = plans.create_plan(
        store=api.store,
        person_id=ann.id,
        what_matters="Company",
        goals=[
            _goal("Join the lunch club", today - timedelta(weeks=2)),
            _goal("Ring Jean", today + timedelta(weeks=4)),
        ],
        created_by=user_id,
        at=five_weeks_ago,
    )
    assert isinstance(made, plans.PlanRecord)
    # Bob: made today, first review today: due this week, nothing else.
    bobs = plans.create_plan(
        store=api.store,
        person_id=bob.id,
        what_matters="Getting out",
        goals=[_goal("Walk to the park", today + timedelta(weeks=3))],
        created_by=user_id,
        review_dates=[today, today + timedelta(weeks=8)],
    )
    assert isinstance(bobs, plans.PlanRecord)
    # Eve: made today, reviews weeks away: nothing to look at.
    eves = plans.create_plan(
        store=api.store,
        person_id=eve.id,
        what_matters="Music",
        goals=[_goal("Choir", today + timedelta(weeks=3))],
        created_by=user_id,
    )
    assert isinstance(eves, plans.PlanRecord)
    # Cat: no plan, check-ins getting worse; Dan: no plan, steady.
    for weeks_ago, (cat_answers, dan_answers) in zip(
        (6, 3, 1),
        (([1, 1, 1], [1, 2, 1]), ([2, 2, 1], [1, 2, 1]), ([3, 3, 3], [1, 2, 1])),
        strict=True,
    ):
        for person, answers in ((cat, cat_answers), (dan, dan_answers)):
            record_check_in(
                store=api.store,
                person_id=person.id,
                scale="UCLA3",
                answers=answers,
                recorded_by=user_id,
                at=now - timedelta(weeks=weeks_ago),
            )

    listed = {e["firstName"]: e for e in api.data(CASELOAD, token=worker)["caseload"]}
    assert set(listed) == {"Ann", "Bob", "Cat"}
    due = five_weeks_ago.date() + timedelta(weeks=4)
    assert listed["Ann"]["reasons"] == [
        f"review due {due.strftime('%-d %b')} (overdue)",
        "1 goal past its date",
        f"nothing recorded since {five_weeks_ago.strftime('%-d %b')}",
    ]
    assert listed["Ann"]["goalsPastDate"] == ["Join the lunch club"]
    assert listed["Ann"]["reviewDue"] == due.isoformat()
    assert listed["Bob"]["reasons"] == [f"review due {today.strftime('%-d %b')}"]
    assert listed["Cat"]["reasons"] == ["loneliness getting worse, and no plan yet"]
    assert listed["Cat"]["planId"] is None

    # Each opens the person's plan.
    opened = api.data(PLANS, {"id": ann.id}, token=worker)["plans"][0]
    assert opened["id"] == listed["Ann"]["planId"] == made.plan.id
    assert [g["pastDate"] for g in opened["goals"]] == [True, False]

    # The reads are in the people's access logs.
    ann_token = world.user("person", person_id=ann.id)[1]
    cat_token = world.user("person", person_id=cat.id)[1]
    assert ["caseload"] in [
        e["fields"] for e in api.data(ACCESS_LOG, token=ann_token)["myData"]["accessLog"]
    ]
    assert ["caseload"] in [
        e["fields"] for e in api.data(ACCESS_LOG, token=cat_token)["myData"]["accessLog"]
    ]


def test_a_plan_without_plan_consent_is_not_listed(api: Api, world: World) -> None:
    ann = world.person("Ann")
    user_id, worker = worker_with_plan_consent(world, ann, "checkins")
    made = plans.create_plan(
        store=api.store,
        person_id=ann.id,
        what_matters="Company",
        goals=[_goal("Lunch club", utc_now().date())],
        created_by=user_id,
        review_dates=[utc_now().date()],
    )
    assert isinstance(made, plans.PlanRecord)
    assert api.data(CASELOAD, token=worker)["caseload"] == []
    _, volunteer = world.user("volunteer", volunteer_id=world.volunteer().id)
    assert api.gql(CASELOAD, token=volunteer)["errors"][0]["message"].startswith("Not allowed")
