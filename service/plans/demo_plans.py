"""The demo borough's support plans (``carecircles serve --demo``), made through the same
use-cases a link worker's page calls, so plans, reviews, the caseload, accompanied visits in
this week's rota and the outcomes notebook have something to show.

``DEMO_PLANS`` people (the last of those who granted consent) grant the link-worker
team ``plan`` access and have a plan with two goals: going to a local group with a place
and a schedule (every other one asking for a volunteer to go along the first two times) and
getting back in touch with someone. Most plans started twelve weeks ago and were reviewed at
four, eight and twelve weeks (a third of them then completed); the rest started four weeks and
a day ago and have not been reviewed yet, so their first review is overdue and the link
worker's caseload lists them. Each review has a UCLA3 check-in beside it, and so has the start.

**The numbers are made up by a rule, not observed**: goals go better, and wellbeing and
loneliness improve a little more, for people who had a volunteer go along. That is the
assumption the outcomes notebook warns about; it is here so the notebook has a difference to
show how it would be measured.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from graph.models import utc_now
from graph.repo import services as services_repo
from graph.repo.plans import PlanRecord
from graph.store.port import GraphStore
from service.consent.policy import make_grant
from service.plans import plans
from service.wellbeing.checkins import record_check_in

DEMO_PLANS = 16
DEMO_RECENT = 4  # of DEMO_PLANS: started four weeks and a day ago
DEMO_PLAN_PURPOSE = "my support plan"
DEMO_BY = "demo-seed"
WHO = ("my sister", "an old friend from church", "my nephew", "my neighbour from the old flat")
WHAT_MATTERS = (
    "Getting out of the house and having someone to talk to",
    "Feeling useful again",
    "Seeing my family more",
    "Not feeling so alone in the evenings",
)


def _ucla3(loneliness_step: int) -> list[int]:
    """UCLA3 answers from 5 (start) down by ``loneliness_step`` points, never below 3."""
    total = max(3, 5 - loneliness_step)
    answers = [1, 1, 1]
    for i in range(total - 3):
        answers[i % 3] += 1
    return answers


def _marks(index: int, review: int, along: bool) -> list[int]:
    service = [-1, 0, 1][review] + (1 if along and review else 0) - (1 if index % 5 == 0 else 0)
    reconnect = [-1, -1, 0][review] + (1 if index % 3 == 0 else 0)
    return [max(-2, min(2, service)), max(-2, min(2, reconnect))]


def _ons4(review: int, along: bool) -> list[int]:
    lift = review + (review if along else 0) // 2
    return [min(10, 5 + lift), min(10, 6 + lift), min(10, 5 + lift), max(0, 6 - lift)]


def seed_demo_plans(
    *, store: GraphStore, person_ids: list[str], organization_id: str, at: datetime | None = None
) -> int:
    """Plans, reviews and check-ins for ``person_ids`` (see the module docstring); how many
    plans were made."""
    now = at or utc_now()
    places = [
        s
        for s in services_repo.list_services(store=store, first=500).items
        if s.lat is not None and s.schedules
    ]
    if not places:
        return 0
    made = 0
    for index, person_id in enumerate(person_ids):
        make_grant(
            store=store,
            person_id=person_id,
            grantee_user_id=None,
            grantee_organization_id=organization_id,
            purpose=DEMO_PLAN_PURPOSE,
            scopes=["plan"],
            expires_at=now + timedelta(days=365),
            at=now - timedelta(weeks=13),
        )
        recent = index >= len(person_ids) - DEMO_RECENT
        start = now - (timedelta(weeks=4, days=1) if recent else timedelta(weeks=12, days=1))
        along = index % 2 == 0
        service = places[(index * 7) % len(places)]
        record = plans.create_plan(
            store=store,
            person_id=person_id,
            what_matters=WHAT_MATTERS[index % len(WHAT_MATTERS)],
            goals=[
                plans.GoalDraft(
                    text=f"Go to {service.name}",
                    expected="Went there twice and talked to someone",
                    target_date=(start + timedelta(weeks=6)).date(),
                    steps=["Find out the way there", "Go once and see what it is like"],
                    activities=[
                        plans.ActivityDraft(
                            kind="service",
                            service_id=service.id,
                            accompanied_visits=2 if along else 0,
                        )
                    ],
                ),
                plans.GoalDraft(
                    text=f"Get back in touch with {WHO[index % len(WHO)]}",
                    expected="Spoke on the phone once",
                    target_date=(start + timedelta(weeks=11)).date(),
                    activities=[plans.ActivityDraft(kind="reconnect", who=WHO[index % len(WHO)])],
                ),
            ],
            created_by=DEMO_BY,
            at=start,
        )
        if not isinstance(record, PlanRecord):
            continue
        made += 1
        record_check_in(
            store=store,
            person_id=person_id,
            scale="UCLA3",
            answers=_ucla3(0),
            recorded_by=DEMO_BY,
            at=start,
        )
        for review in range(0 if recent else 3):
            when = start + timedelta(weeks=4 * (review + 1))
            if when >= now:
                break
            marks = _marks(index, review, along)
            plans.review_plan(
                store=store,
                plan_id=record.plan.id,
                attainments=[(g.id, x) for g, x in zip(record.goals, marks, strict=True)],
                ons4=_ons4(review + 1, along),
                recorded_by=DEMO_BY,
                at=when,
            )
            record_check_in(
                store=store,
                person_id=person_id,
                scale="UCLA3",
                answers=_ucla3(review + 1 if along else (review + 1) // 2),
                recorded_by=DEMO_BY,
                at=when,
            )
        if not recent and index % 3 == 0:
            plans.set_status(
                store=store, plan_id=record.plan.id, status="completed", at=now - timedelta(days=1)
            )
    return made
