"""A published week changes, in the browser: a volunteer cancels an accepted visit (a reason and
a confirmation), the coordinator sees it needing a volunteer with ranked replacements and gives
it to a circle member in one click, who accepts it; a past proposal offers no Accept."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from graph.models import CareCircle, MemberOf, RotaRun, Visit
from graph.repo.notices import notices_about
from graph.repo.rota_runs import create_rota_run, publish_rota
from solver.models import SOLUTION_FORMAT
from tests.browser.conftest import DESKTOP, snap
from tests.service.conftest import Api, World, next_monday
from tests.world import propose, save

pytestmark = pytest.mark.browser

ACCEPT = "mutation($id: ID!) { acceptVisit(visitId: $id) { __typename } }"


def _week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _publish(api: Api, visit: Visit, volunteer_id: str, organization_id: str) -> None:
    """The organisation's rota of the visit's week, proposing the visit to the volunteer."""
    start = visit.start or visit.earliest
    assignment = {"visit": visit.id, "volunteer": volunteer_id, "start": start}
    solution = {"format": SOLUTION_FORMAT, "status": "FEASIBLE", "assignments": [assignment]}
    problem = {"visits": [{"id": visit.id, "person": visit.person_id}]}
    run = RotaRun(
        id=f"run-{uuid.uuid4().hex[:10]}",
        week_start=visit.week_start,
        problem=json.dumps(problem),
        solution=json.dumps(solution),
        organization_id=organization_id,
    )
    create_rota_run(store=api.store, run=run)
    publish_rota(
        store=api.store,
        run_id=run.id,
        assignments=[assignment],
        unassigned=[],
        at=datetime.now(UTC),
        visit_ids=[visit.id],
    )


def test_cancel_then_replacement_then_accept(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    ann = world.person("Ann")
    val = world.volunteer("Val")
    cleo = world.volunteer("Cleo", lat=51.56, lon=-0.07)
    pia = world.volunteer("Pia", checked=False)
    circle = CareCircle(id=f"circle-{world.tag}", person_id=ann.id)
    save(web_api.store, circle, MemberOf(volunteer_id=cleo.id, circle_id=circle.id))
    visit = world.visit(ann)
    _publish(web_api, visit, val.id, world.organization_id)
    val_token = world.volunteer_token(val)
    assert web_api.data(ACCEPT, {"id": visit.id}, val_token)["acceptVisit"]["__typename"] == (
        "VisitAccepted"
    )

    # Val cancels: a reason is asked for, then a confirmation.
    page = signed_in(val_token)
    page.goto("/volunteer")
    item = page.locator(f"#my-visits > li[data-visit-id='{visit.id}']")
    expect(item).to_contain_text("Accepted")
    item.get_by_role("button", name="Cancel the visit with Ann").click()
    form = item.locator("form.confirm")
    expect(form).to_contain_text("Your coordinator will find someone else and Ann will be told")
    form.get_by_role("button", name="Yes, cancel the visit").click()
    expect(form.locator(".field-error")).to_have_text("Say briefly why, so your coordinator knows.")
    form.get_by_label("Why can you not go?").fill("knee is bad")
    snap(page, "volunteer-cancel")
    form.get_by_role("button", name="Yes, cancel the visit").click()
    expect(page.locator("#week-status")).to_contain_text("You cancelled the visit with Ann")
    expect(item).to_have_count(0)

    # The coordinator: the visit needs a volunteer; Cleo (Ann's circle) comes first.
    _, coordinator = world.user("coordinator")
    week = _week_label(visit.week_start)
    page = signed_in(coordinator, DESKTOP)
    page.goto(f"/coordinator?week={week}")
    expect(page.locator("#live-line")).to_contain_text(f"This is the live rota for {week}")
    gap = page.locator(f"#gaps tr[data-visit-id='{visit.id}']")
    expect(gap).to_contain_text("Val cancelled: “knee is bad”")
    expect(page.locator("#gaps-title")).to_contain_text("Visits that need a volunteer")
    gap.get_by_role("button", name="Find someone for Ann").click()
    first = page.locator(f"tr[data-repair-for='{visit.id}'] .replacements li").first
    expect(first).to_have_attribute("data-volunteer-id", cleo.id)
    expect(first).to_contain_text("in the person's circle")
    # Anyone by hand: the rules they would break are named first.
    panel = page.locator(f"tr[data-repair-for='{visit.id}']")
    panel.get_by_label("Or assign someone by hand").select_option(pia.id)
    expect(panel.locator(f"[data-rules-for='{visit.id}'] li")).to_have_text(
        [
            "Breaks a rule: this visit needs a DBS-checked volunteer and the volunteer is not "
            "DBS-checked"
        ]
    )
    expect(panel.get_by_role("button", name="Assign anyway")).to_be_enabled()
    snap(page, "coordinator-repair")
    first.get_by_role("button", name="Give to Cleo").click()
    expect(page.locator("#publish-status")).to_contain_text(
        "is proposed to Cleo Jones at 10:00. Both have been told."
    )
    expect(gap).to_have_count(0)
    row = page.locator(f"#visits tr[data-visit-id='{visit.id}']")
    expect(row).to_contain_text("Cleo Jones")
    expect(row).to_contain_text("Proposed")
    expect(row).to_contain_text("Changed since publishing")

    # Cleo accepts.
    page = signed_in(world.volunteer_token(cleo))
    page.goto("/volunteer")
    item = page.locator(f"#my-visits > li[data-visit-id='{visit.id}']")
    item.get_by_role("button", name="Accept the visit with Ann").click()
    expect(page.locator("#week-status")).to_contain_text("You accepted the visit with Ann")
    expect(item).to_contain_text("Accepted")
    kinds = {
        (n["kind"], n["recipient_id"])
        for n in notices_about(store=web_api.store, visit_id=visit.id)
    }
    assert {
        ("visit_cancelled", ann.id),
        ("visit_offered", cleo.id),
        ("visit_changed", ann.id),
    } <= kinds


def test_a_past_proposal_offers_no_accept(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    ann = world.person("Ann")
    val = world.volunteer("Val")
    past = world.visit(ann, week_start=next_monday() - timedelta(weeks=1), day=0)
    propose(web_api.store, past, val.id, at=datetime.now(UTC))
    page = signed_in(world.volunteer_token(val))
    page.goto("/volunteer")
    item = page.locator(f"#my-visits > li[data-visit-id='{past.id}']")
    expect(item).to_contain_text("This visit's day has passed.")
    expect(item.get_by_role("button")).to_have_count(0)


def test_a_volunteer_chooses_quiet_hours_for_emails(
    web_api: Api, world: World, signed_in: Callable[..., Page]
) -> None:
    val = world.volunteer("Val")
    token = world.volunteer_token(val)
    page = signed_in(token)
    page.goto("/volunteer")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    quiet_from = page.get_by_label("Not between")
    quiet_from.fill("21:30")
    expect(quiet_from).to_have_value("21:30")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#emails-status")).to_have_text(
        "Give both times of your quiet hours, or neither."
    )
    quiet_to = page.get_by_label("and", exact=True)
    quiet_to.fill("08:00")
    expect(quiet_to).to_have_value("08:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#emails-status")).to_have_text(
        "Saved: e-mails, but none between 21:30 and 08:00."
    )
    stored = web_api.data(
        "query { myNoticePreferences { channel quietFrom quietTo } }", token=token
    )
    assert stored["myNoticePreferences"] == {
        "channel": "EMAIL",
        "quietFrom": "21:30",
        "quietTo": "08:00",
    }
