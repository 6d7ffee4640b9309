"""The link worker and the person in the browser, on the API around a person's record.

A link worker with the person's consent in force sees their circle, the loneliness trend chart,
suggestions with reasons; refers and records how it turned out; records a check-in (a typed bad
answer is shown next to its question and writes nothing), which joins the trend and, in the
loneliest band, raises an alert; says, with a note, that they have dealt with it, and it leaves
the list for the dealt-with list. The person sees their circle, what is held, the link worker's
read in "who looked", downloads their data and withdraws consent, after which the link worker's
page says there is no consent for check-ins. Consent grants and earlier check-ins are made
through the same use-case functions the API calls.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from graph.models import CareCircle, Interest, MemberOf, Person, Service, utc_now
from graph.repo.users import get_user, get_user_by_email
from service.accounts.users import to_current
from service.consent import policy
from service.context import CurrentUser
from service.wellbeing import checkins
from tests.browser.conftest import DESKTOP, snap
from tests.service.conftest import World
from tests.world import save, saved

pytestmark = pytest.mark.browser


def _circle_of(world: World, person: Person, *members: tuple[str, datetime]) -> None:
    circle = CareCircle(id=f"circle-{uuid.uuid4().hex[:8]}", person_id=person.id)
    save(
        world.api.store,
        circle,
        *(
            MemberOf(volunteer_id=world.volunteer(name).id, circle_id=circle.id, since=since)
            for name, since in members
        ),
    )


def _link_worker(world: World) -> tuple[str, str]:
    """A link worker of the world's organisation: (user id, token)."""
    email, token = world.user("link_worker")
    user = get_user_by_email(store=world.api.store, email=email)
    assert user is not None
    return user.id, token


def _current(world: World, user_id: str) -> CurrentUser:
    found = get_user(store=world.api.store, user_id=user_id)
    assert found is not None
    return to_current(found)


def _grant(world: World, person: Person, user_id: str, *scopes: str, purpose: str) -> str:
    return policy.make_grant(
        store=world.api.store,
        person_id=person.id,
        grantee_user_id=user_id,
        grantee_organization_id=None,
        purpose=purpose,
        scopes=list(scopes),
        expires_at=utc_now() + timedelta(days=90),
    ).id


def _check_ins_of(world: World, person: Person) -> list[list[int]]:
    rows = world.api.store.run(
        "MATCH (:Person {id: $id})-[:REPORTED]->(c:CheckIn) RETURN c.answers AS a ORDER BY c.at",
        {"id": person.id},
    )
    return [list(r["a"]) for r in rows]


def test_link_worker_sees_trend_and_suggestions_refers_and_records_a_check_in(
    world: World, signed_in: Callable[..., Page]
) -> None:
    store = world.api.store
    gardening = saved(store, Interest(id=f"gardening-{world.tag}", name="gardening"))
    garden, chess = (
        saved(
            store,
            Service(
                id=f"svc-{name}-{world.tag}",
                name=f"{name.title()} club {world.tag}",
                category=f"{name}_club",
                lat=51.551,
                lon=-0.061,
                area_id=world.area_id,
                interests=[gardening.id] if name == "garden" else [],
            ),
        )
        for name in ("garden", "chess")
    )
    rosalind = world.person("Rosalind", last_name="Okafor", interests=[gardening.id])
    rosemary = world.person("Rosemary", last_name="Quinn")
    harold = world.person("Harold", last_name="Bates")
    _circle_of(
        world,
        rosalind,
        ("Priya", datetime(2026, 3, 2, tzinfo=UTC)),
        ("Tom", datetime(2025, 10, 14, tzinfo=UTC)),
    )
    worker_id, worker = _link_worker(world)
    _grant(world, rosalind, worker_id, "checkins", "needs", purpose="finding local groups")
    for days_ago, answer in ((21, 4), (7, 5)):  # hardly ever, then never lonely: no alert
        checkins.record_check_in(
            store=store,
            person_id=rosalind.id,
            scale="ONS1",
            answers=[answer],
            recorded_by=worker_id,
            at=utc_now() - timedelta(days=days_ago),
        )

    page = signed_in(worker, DESKTOP)
    page.goto("/link-worker")
    expect(page.locator("#alerts-status")).to_have_text(re.compile("^No alerts"))
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    # Opening the page reads nobody's record: the list is read once the link worker types.
    logged = "MATCH (n:AccessLog {person_id: $id}) RETURN count(n) AS n"
    assert store.run(logged, {"id": rosemary.id})[0]["n"] == 0
    name = page.get_by_label("Name", exact=True)
    name.fill("ros")
    expect(page.locator("#matches li")).to_have_count(2)
    name.fill("ros oka")
    expect(page.locator("#matches li")).to_have_count(1)
    # The search runs in the graph: only people whose names match were read (and logged).
    assert store.run(logged, {"id": rosemary.id})[0]["n"] == 1
    assert store.run(logged, {"id": harold.id})[0]["n"] == 0
    page.get_by_role("button", name="Rosalind Okafor").click()
    expect(page.locator("#person-title")).to_have_text("Rosalind Okafor")
    expect(page.locator("#person-section")).to_be_focused()
    expect(page.locator("#person-line")).to_contain_text(f"Ward {world.tag}")
    expect(page.locator("#person-circle li")).to_have_text(
        ["Tom · since 14 Oct 2025", "Priya · since 2 Mar 2026"]
    )

    # The trend: two check-ins, getting better.
    chart = page.get_by_role("img", name="Loneliness over time for Rosalind")
    expect(chart.locator("circle.dot")).to_have_count(2)
    expect(page.locator("#trend figcaption")).to_contain_text("2 check-ins")
    expect(page.locator("#trend figcaption")).to_contain_text("better")

    # Suggestions, best first, with reasons from the graph.
    first = page.locator("#suggestions > li").first
    expect(first.get_by_role("heading", level=4)).to_have_text(garden.name)
    expect(first.get_by_role("list", name=f"Why {garden.name}")).to_contain_text("gardening")
    expect(page.locator(f"#suggestions > li[data-service-id='{chess.id}']")).to_be_visible()
    snap(page, "link-worker")

    # Refer to the garden club; after a reload the referral is still listed, and the link worker
    # records that Rosalind went.
    expect(page.locator("#referrals-status")).to_have_text(re.compile("^No referrals for Rosalind"))
    first.get_by_label("Note for the referral (optional)").fill("Call her on Monday")
    first.get_by_role("button", name=f"Refer Rosalind to {garden.name}").click()
    expect(first.locator(".message")).to_contain_text(f"Referred Rosalind to {garden.name}.")
    referral = page.locator("#referrals > li")
    expect(referral).to_have_count(1)
    expect(referral.locator("strong")).to_have_text(garden.name)
    page.reload()
    page.get_by_label("Name", exact=True).fill("rosalind")
    page.get_by_role("button", name="Rosalind Okafor").click()
    expect(referral).to_have_count(1)
    expect(referral.locator("strong")).to_have_text(garden.name)
    expect(referral.locator(".badge")).to_have_text("Referred")
    expect(referral.locator(".note")).to_have_text("Note: Call her on Monday")
    expect(page.locator("#referrals-status")).to_be_hidden()
    expect(page.locator(f"#suggestions > li[data-service-id='{garden.id}']")).to_have_count(0)
    referral.get_by_label("Attended").check()
    referral.get_by_role("button", name="Save the outcome").click()
    expect(referral.locator(".badge")).to_have_text("Attended")
    stored = store.run(
        "MATCH (r:Referral)-[:FOR]->(:Person {id: $id}) RETURN r.status AS s, r.note AS n",
        {"id": rosalind.id},
    )
    assert [(r["s"], r["n"]) for r in stored] == [("attended", "Call her on Monday")]

    # A check-in: an answer the API rejects is shown next to its question and writes nothing.
    form = page.locator("#check-in")
    form.get_by_text("Record a check-in with Rosalind").click()
    form.get_by_label("Questions").select_option("UCLA3")
    questions = form.locator("fieldset")
    expect(questions).to_have_count(3)
    for question in questions.all():
        question.get_by_label("Often").check()
    # An out-of-date page offering an option the scale does not have.
    questions.nth(1).get_by_label("Often").evaluate("radio => { radio.value = '4'; }")
    form.get_by_role("button", name="Record the check-in").click()
    expect(questions.nth(1).locator(".field-error")).to_have_text(
        "answers[1]: expected 1..3 (hardly ever, some of the time, often), got 4"
    )
    expect(questions.nth(0).locator(".field-error")).to_be_hidden()
    assert _check_ins_of(world, rosalind) == [[4], [5]]

    # Often or always lonely: the loneliest band. It joins the trend and raises an alert.
    form.get_by_label("Questions").select_option("ONS1")
    form.get_by_label("Often or always").check()
    form.get_by_role("button", name="Record the check-in").click()
    expect(page.locator("#lw-check-in-message")).to_contain_text("It raised an alert")
    expect(chart.locator("circle.dot")).to_have_count(3)
    expect(page.locator("#trend figcaption")).to_contain_text("3 check-ins")
    expect(page.locator("#trend-status")).to_contain_text("often lonely")
    alert = page.locator(f"#alerts > li[data-person-id='{rosalind.id}']")
    expect(alert).to_contain_text("Rosalind")
    expect(alert.locator(".reasons li").first).to_be_visible()
    assert _check_ins_of(world, rosalind) == [[4], [5], [1]]
    # Another: the alerts list still has one item for Rosalind, her newest, and counts the rest.
    form.get_by_label("Often or always").check()
    form.get_by_role("button", name="Record the check-in").click()
    expect(chart.locator("circle.dot")).to_have_count(4)
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("and 1 earlier alert")
    snap(page, "link-worker-after-check-in")

    # The link worker deals with it, from the keyboard: the note field opens and takes the
    # focus; Escape closes it again; confirming takes Rosalind off the list, said in words.
    deal = alert.get_by_role("button", name="I've dealt with this: Rosalind")
    deal.focus()
    page.keyboard.press("Enter")
    note = alert.get_by_label("What did you do? (optional)")
    expect(note).to_be_focused()
    expect(alert.get_by_text("This covers Rosalind's earlier alert too.")).to_be_visible()
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    expect(deal).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type("Phoned Rosalind, arranged a lunch club visit")
    alert.get_by_role("button", name="Confirm: dealt with").click()
    expect(page.locator("#alerts-message")).to_have_text(
        re.compile("^Dealt with: Rosalind's alert and the earlier one. It has left the list")
    )
    expect(alert).to_have_count(0)
    expect(page.locator("#alerts-status")).to_have_text(re.compile("^No alerts"))
    expect(page.locator("#alerts-title")).to_be_focused()
    acknowledged = store.run(
        "MATCH (a:Alert)-[:ABOUT]->(:Person {id: $id}) "
        "RETURN a.acknowledged_by AS by, a.acknowledgement_note AS note",
        {"id": rosalind.id},
    )
    assert [(r["by"], r["note"]) for r in acknowledged] == [
        (worker_id, "Phoned Rosalind, arranged a lunch club visit")
    ] * 2
    # Still there after a reload, listed with who, when and the note among those dealt with.
    page.reload()
    expect(page.locator("#alerts-status")).to_have_text(re.compile("^No alerts"))
    page.get_by_label("Show dealt-with alerts").check()
    done = page.locator(f"#alerts-done > li[data-person-id='{rosalind.id}']")
    expect(done).to_have_count(2)
    expect(done.locator(".dealt")).to_have_text([re.compile(r"^Dealt with .+ by you$")] * 2)
    expect(done.locator(".note")).to_have_text(
        ["Note: Phoned Rosalind, arranged a lunch club visit"] * 2
    )
    snap(page, "link-worker-dealt-with")


def test_person_sees_who_looked_downloads_and_withdraws_consent(
    world: World, signed_in: Callable[..., Page]
) -> None:
    ada = world.person("Ada", last_name="Mensah")
    _circle_of(world, ada, ("Priya", datetime(2026, 3, 2, tzinfo=UTC)))
    visit = world.visit(ada)  # next Tuesday, nobody on it yet
    worker_id, worker = _link_worker(world)
    # Ada gave her consent by phone; her link worker (of an organisation that supports her)
    # records it, marked as recorded by them.
    staff = _current(world, worker_id)
    policy.grant_access(
        store=world.api.store,
        user=staff,
        access=policy.access_to_person(store=world.api.store, user=staff, person_id=ada.id),
        grantee_user_id=worker_id,
        grantee_organization_id=None,
        purpose="support after a hospital stay",
        scopes=["checkins"],
        expires_at=None,
        given_how="by phone",
    )

    # The link worker looks at Ada's check-ins (a logged read).
    lw_page = signed_in(worker, DESKTOP)
    lw_page.goto("/link-worker")
    lw_page.get_by_label("Name", exact=True).fill("ada mensah")
    lw_page.get_by_role("button", name="Ada Mensah").click()
    expect(lw_page.locator("#trend-status")).to_have_text("No check-ins with Ada yet.")
    expect(lw_page.locator("#check-in summary")).to_have_text("Record a check-in with Ada")
    # Later Ada says she often feels lonely; her link worker deals with the alert, with a note.
    recorded = checkins.record_check_in(
        store=world.api.store, person_id=ada.id, scale="ONS1", answers=[1], recorded_by=worker_id
    )
    assert isinstance(recorded, checkins.Recorded) and recorded.alert_reasons
    [alert] = checkins.alerts_for(store=world.api.store, user=_current(world, worker_id))
    checkins.acknowledge_alert(
        store=world.api.store,
        user=_current(world, worker_id),
        alert_id=alert.id,
        note="phoned Ada, lunch club on Thursday",
    )

    _, token = world.user("person", person_id=ada.id)
    page = signed_in(token)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada")
    expect(page.locator("#circle li")).to_have_text(["Priya · visiting you since 2 Mar 2026"])
    coming = page.locator(f"#visits > li[data-visit-id='{visit.id}']")
    expect(coming).to_contain_text("Tuesday")
    expect(coming).to_contain_text("We are still finding someone for this visit.")
    expect(page.locator("#held")).to_contain_text("Ada Mensah")
    expect(page.locator("#held")).to_contain_text("E8 1AB")
    held_alert = page.locator("#held .fact").filter(has_text="Alerts from your check-ins")
    expect(held_alert).to_contain_text("Dealt with by link worker at")
    expect(held_alert).to_contain_text("“phoned Ada, lunch club on Thursday”")
    # The link worker's read of the check-ins (other reads, for arranging visits, may be listed).
    looked = page.locator("#access-log > li").filter(has_text="Saw: check ins")
    expect(looked).to_have_count(1)
    actor = re.compile(rf"^link worker at Befriending {world.tag} \(link_worker-\w+@example\.org\)")
    expect(looked.locator(".who")).to_have_text(actor)
    expect(looked.locator(".why")).to_have_text("Why: support after a hospital stay")
    expect(looked.locator(".what")).to_have_text("Saw: check ins")

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download all of it (JSON file)").click()
    download = downloading.value
    assert download.suggested_filename == "my-carecircles-record.json"
    exported = json.loads(Path(download.path()).read_text())
    assert "Mensah" in json.dumps(exported)
    snap(page, "person")

    # Withdraw consent: asked first, then done.
    grant = page.locator("#grants > li")
    expect(grant).to_have_count(1)
    expect(grant).to_contain_text("support after a hospital stay")
    expect(grant).to_contain_text("Recorded for you by link worker at")
    expect(grant).to_contain_text("as you gave it by phone")
    grant.get_by_role("button", name=re.compile("^Withdraw consent from link worker")).click()
    expect(grant.get_by_role("group")).to_contain_text("will no longer see your check-ins")
    grant.get_by_role("button", name="No, keep it").click()
    expect(grant.get_by_role("group")).to_have_count(0)
    grant.get_by_role("button", name=re.compile("^Withdraw consent from")).click()
    grant.get_by_role("button", name="Yes, withdraw it").click()
    expect(grant.locator(".message")).to_contain_text("can no longer see your record")
    snap(page, "person-withdrawn")

    lw_page.reload()
    lw_page.get_by_label("Name", exact=True).fill("ada mensah")
    lw_page.get_by_role("button", name="Ada Mensah").click()
    expect(lw_page.locator("#trend-status")).to_have_text(
        "Ada has not given you consent to see their check-ins."
    )
    expect(lw_page.locator("#check-in")).to_be_hidden()
    expect(lw_page.locator("#suggestions-status")).to_contain_text("no suggestions")
    expect(lw_page.locator("#referrals-status")).to_contain_text("referrals are not shown")


def test_the_search_waits_until_the_page_can_hear_it(
    world: World, signed_in: Callable[..., Page]
) -> None:
    """Typing before the page's script is listening used to be lost (the sign-in check is awaited
    first): the search field stays disabled until then, so nothing typed goes nowhere."""
    world.person("Wilhelmina", last_name="Osei")
    _, worker = _link_worker(world)
    page = signed_in(worker, DESKTOP)
    held: list[Route] = []
    page.route(
        "**/graphql",
        lambda route: (
            held.append(route) if "me {" in (route.request.post_data or "") else route.continue_()
        ),
    )
    with page.expect_request(lambda request: "me {" in (request.post_data or "")):
        page.goto("/link-worker", wait_until="domcontentloaded")
    name = page.get_by_label("Name", exact=True)
    expect(name).to_be_disabled()  # the sign-in check has not answered yet
    for _ in range(100):  # each round trip lets Playwright hand the request to the route
        if held:
            break
        page.evaluate("0")
    assert held, "the page asks who is signed in first"
    held.pop().continue_()
    name.fill("wilhelmina")  # waits until the field is enabled
    page.get_by_role("button", name="Wilhelmina Osei").click()
    expect(page.get_by_role("heading", name=re.compile("Wilhelmina"))).to_be_visible()
